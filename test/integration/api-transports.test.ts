import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiMethod, ApiReply, CameraView, WorkspaceView } from '../../main/api/contract.js';
import { startServe, type ServedNode } from '../helpers/serve.js';
import { APP_ORIGIN, registerIpc } from '../../main/electron/ipc.js';
import { createServices } from '../../main/core/services.js';
import { EngineSupervisor } from '../../main/engine/supervisor.js';
import { WorkspaceFile } from '../../main/workspace/workspace-file.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SECRET = 'hunter2-secret';

function wsClient(url: string) {
  const ws = new WebSocket(url.replace('http', 'ws') + 'api/v1/ws');
  let next = 1;
  const pending = new Map<number, (r: ApiReply<ApiMethod>) => void>();
  const seen: string[] = [];
  ws.on('message', (d, binary) => {
    if (binary) return;
    const text = String(d);
    seen.push(text);
    const m = JSON.parse(text) as { type: string; id: number } & ApiReply<ApiMethod>;
    if (m.type === 'reply') pending.get(m.id)?.(m);
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    opened,
    seen,
    call: (method: string, params: unknown) =>
      new Promise<ApiReply<ApiMethod>>((resolve) => {
        const id = next++;
        pending.set(id, resolve);
        ws.send(JSON.stringify({ type: 'call', id, method, params }));
      }),
    close: () => ws.close(),
  };
}

describe('API over HTTP and WebSocket (real vigil serve)', () => {
  let node: ServedNode;
  const bodies: string[] = [];
  const http = async (method: string, params: unknown) => {
    const res = await fetch(`${node.origin}/api/v1/${method.split('.').join('/')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    const text = await res.text();
    bodies.push(text);
    return { status: res.status, body: JSON.parse(text) as ApiReply<ApiMethod> };
  };
  beforeAll(async () => {
    node = await startServe();
  });
  afterAll(() => node?.stop());

  it('answers the same workspace on both transports', async () => {
    const viaHttp = await http('workspace.get', {});
    const ws = wsClient(node.url);
    await ws.opened;
    const viaWs = await ws.call('workspace.get', {});
    ws.close();
    expect(viaHttp.body.ok).toBe(true);
    const { type: _t, id: _i, ...wsReply } = viaWs as ApiReply<ApiMethod> & { type: string; id: number };
    expect(wsReply).toEqual(viaHttp.body);
    const w = (viaHttp.body as { result: WorkspaceView }).result;
    expect(w.cameras.length).toBeGreaterThanOrEqual(4); // the demo
  });

  it('adds, edits and removes a camera, never echoing its password', async () => {
    const ws = wsClient(node.url);
    await ws.opened;
    const added = await http('cameras.add', { name: 'Dock', uri: `rtsp://ops:${SECRET}@127.0.0.1:9/dock`, force: true });
    expect(added.status).toBe(200);
    const cam = (added.body as { result: CameraView }).result;
    expect(cam.uri).toBe('rtsp://ops:***@127.0.0.1:9/dock');
    const edited = await ws.call('cameras.update', { id: cam.id, patch: { name: 'Dock east', detectFps: 5 } });
    expect(edited.ok && (edited.result as CameraView).name).toBe('Dock east');
    const listed = await http('workspace.get', {});
    expect(JSON.stringify(listed.body)).toContain('Dock east');
    const removed = await http('cameras.remove', { id: cam.id });
    expect(removed.body).toEqual({ ok: true, result: { removed: true } });
    await new Promise((r) => setTimeout(r, 200));
    ws.close();
    for (const text of [...bodies, ...ws.seen]) expect(text).not.toContain(SECRET);
  });

  it('explains invalid input with the field and the fix', async () => {
    const bad = await http('cameras.add', { name: 'X', uri: 'ftp://nowhere/x' });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'invalid', field: 'camera.uri' } });
    expect(!bad.body.ok && bad.body.error.message).toMatch(/scheme 'ftp' is not supported/);
    const missing = await http('cameras.remove', { id: 'nope' });
    expect(!missing.body.ok && missing.body.error.message).toMatch(/'nope' is not a camera/);
  });
});

describe('API over Electron IPC (ipcMain stand-in: Electron cannot run here)', () => {
  it('wires the same handlers and refuses foreign frames', async () => {
    const home = mkdtempSync(join(tmpdir(), 'vigil-ipc-'));
    const workspace = new WorkspaceFile({ home });
    const services = createServices({ mode: 'desktop', supervisor: new EngineSupervisor(), workspace });
    let handler: ((e: unknown, method: unknown, params: unknown) => Promise<unknown>) | undefined;
    registerIpc({ handle: (_ch: string, h: never) => void (handler = h), on: () => undefined } as never, services, () => []);
    const own = { senderFrame: { parent: null, url: `${APP_ORIGIN}/index.html` } };
    const foreign = { senderFrame: { parent: null, url: 'https://evil.example/' } };
    const sub = { senderFrame: { parent: {}, url: `${APP_ORIGIN}/index.html` } };
    const added = (await handler!(own, 'cameras.add', { name: 'Yard', uri: `rtsp://u:${SECRET}@127.0.0.1/y`, force: true })) as ApiReply<'cameras.add'>;
    expect(added.ok && added.result.uri).toBe('rtsp://u:***@127.0.0.1/y');
    expect(await handler!(foreign, 'workspace.get', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await handler!(sub, 'workspace.get', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await handler!(own, 'no.such', {})).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const view = (await handler!(own, 'workspace.get', {})) as ApiReply<'workspace.get'>;
    expect(JSON.stringify(view)).not.toContain(SECRET);
  });
});
