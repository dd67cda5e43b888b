// A real `vigil serve` publishing to a real mosquitto that wants a user name and password: the
// setting through the API (the password sealed, never in workspace.json, the view or the log), a
// wrong password reported in system status, then the camera's track events, the engine's retained
// state and the node's availability; `--mqtt` refuses a password on the command line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemStatus, WorkspaceView } from '../../main/api/contract.js';
import type { VigilEventPayload } from '../../main/mqtt/payloads.js';
import { projectRoot } from '../../main/paths.js';
import { eventually, mosquittoMissing, startMosquitto, subscribe, until, type Broker } from '../helpers/mosquitto.js';
import { startServe, type ServedNode } from '../helpers/serve.js';

const missing = mosquittoMissing();
const clip = join(projectRoot(), '.vigil', 'media', 'vtest.mp4');
if (missing) console.log(`[mqtt] ${missing}`);
if (!existsSync(clip)) throw new Error(`${clip} is missing: run node scripts/setup.mjs (it prepares the demo clip)`);

async function call<T>(node: ServedNode, method: string, params: unknown = {}): Promise<T> {
  const res = await fetch(`${node.origin}/api/v1/${method.split('.').join('/')}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body = (await res.json()) as { ok: boolean; result: T; error?: { message: string } };
  if (!body.ok) throw new Error(body.error?.message);
  return body.result;
}

const PASSWORD = 'Br0ker-S3cret';

describe.skipIf(missing !== null)('vigil serve publishing to a real mosquitto', () => {
  let broker: Broker;
  let node: ServedNode | null = null;
  const home = mkdtempSync(join(tmpdir(), 'vigil-mqtt-home-'));
  const keyFile = join(mkdtempSync(join(tmpdir(), 'vigil-mqtt-key-')), 'secret.key');

  beforeAll(async () => {
    broker = await startMosquitto({ user: 'vigil', password: PASSWORD });
    writeFileSync(join(home, 'workspace.json'), JSON.stringify({ version: 1, cameras: [{ name: 'Gate', uri: `file://${clip}`, loop: true, realtime: true }] }));
  }, 30_000);
  afterAll(async () => {
    await node?.stop();
    await broker?.stop();
  });

  it('refuses a password in --mqtt, and a URL that is not a broker, naming the option', () => {
    const vigil = (args: string[]) =>
      spawnSync(process.execPath, [join(projectRoot(), 'bin', 'vigil.mjs'), 'serve', '--port', '0', ...args], {
        encoding: 'utf8',
        env: { ...process.env, VIGIL_HOME: mkdtempSync(join(tmpdir(), 'vigil-mqtt-refused-')), VIGIL_SECRET_KEY_FILE: keyFile },
        timeout: 30_000,
      });
    const withPassword = vigil(['--mqtt', `mqtt://vigil:${PASSWORD}@127.0.0.1:${broker.port}`]);
    expect(withPassword.status).toBe(1);
    expect(withPassword.stderr).toMatch(/^vigil: --mqtt must not carry a password: the command line is visible to every user in `ps`/);
    const http = vigil(['--mqtt', 'http://127.0.0.1:1883']);
    expect(http.status).toBe(1);
    expect(http.stderr).toMatch(/^vigil: --mqtt must start with mqtt:\/\/ or mqtts:\/\//);
    expect(vigil(['--help']).stdout).toContain('--mqtt');
  });

  it('publishes track events, the engine state and availability; the password stays sealed', async () => {
    node = await startServe([], { VIGIL_HOME: home, VIGIL_SECRET_KEY_FILE: keyFile });
    const sub = subscribe(broker, 'vigil/#', { id: 'sub-serve', user: 'vigil', password: PASSWORD });
    await sub.ready();
    // A wrong password first: the node keeps running and says why in system status.
    await call(node, 'settings.update', { mqtt: { enabled: true, url: `mqtt://vigil:wrong@127.0.0.1:${broker.port}` } });
    const refused = await eventually(
      'the broker to refuse the password',
      10_000,
      async () => (await call<SystemStatus>(node!, 'system.status')).mqtt?.lastError ?? undefined,
    );
    expect(refused).toMatch(/not authorised \(a wrong user name or password/);
    const view = await call<WorkspaceView>(node, 'settings.update', { mqtt: { password: PASSWORD } });
    expect(view.mqtt).toEqual({ enabled: true, url: `mqtt://vigil:***@127.0.0.1:${broker.port}`, topicPrefix: 'vigil', format: 'vigil', hasPassword: true });
    const connected = await eventually('the publisher to connect', 15_000, async () => {
      const s = await call<SystemStatus>(node!, 'system.status');
      return s.mqtt?.state === 'connected' ? s.mqtt : undefined;
    });
    expect(connected.broker).toBe(`mqtt://vigil@127.0.0.1:${broker.port}`);

    const starts = () =>
      sub.messages
        .filter((m) => m.topic === 'vigil/gate/events')
        .map((m) => JSON.parse(m.payload) as VigilEventPayload)
        .filter((e) => e.kind === 'start');
    expect(await until(() => starts().length > 0, 90_000)).toBe(true);
    expect(starts()[0]).toMatchObject({ type: 'track', camera: { id: 'gate', name: 'Gate' }, zone: null, label: 'person' });
    // The engine's state: sent as it starts, and again as the camera connects and goes live (each retained).
    const engine = () =>
      sub.messages.filter((m) => m.topic === 'vigil/engine').map((m) => JSON.parse(m.payload) as { state: string; cameras: { state: string }[] });
    const live = (e: { cameras: { state: string }[] }) => e.cameras.length > 0 && e.cameras.every((c) => c.state === 'live');
    expect(await until(() => engine().some(live), 15_000)).toBe(true);
    expect(engine().find(live)).toMatchObject({ state: 'running', cameras: [{ id: 'gate', name: 'Gate', state: 'live', reason: null }] });
    expect(sub.messages.some((m) => m.topic === 'vigil/available' && m.payload === 'online')).toBe(true);

    // The password is in no file of the data folder in clear, nor in the node's output.
    for (const f of ['workspace.json', 'workspace.json.last-good', 'service-secrets.json']) expect(readFileSync(join(home, f), 'utf8')).not.toContain(PASSWORD);
    expect(readFileSync(join(home, 'service-secrets.json'), 'utf8')).toMatch(/aes256gcm:/);
    expect(JSON.stringify(await call<WorkspaceView>(node, 'workspace.get'))).not.toContain(PASSWORD);
    expect(node.output()).not.toContain(PASSWORD);
    expect(node.output()).toContain(`[mqtt] publishing to mqtt://vigil@127.0.0.1:${broker.port}`);

    // A clean stop: 'offline', retained.
    await node.stop();
    node = null;
    expect(await until(() => sub.messages.at(-1)?.topic === 'vigil/available' && sub.messages.at(-1)?.payload === 'offline', 10_000)).toBe(true);
    await sub.stop();
  }, 150_000);

  it("--mqtt publishes for one run with the stored password, whatever the workspace says; a node killed leaves its last will 'offline'", async () => {
    node = await startServe([], { VIGIL_HOME: home, VIGIL_SECRET_KEY_FILE: keyFile });
    await eventually('the publisher to connect', 15_000, async () =>
      (await call<SystemStatus>(node!, 'system.status')).mqtt?.state === 'connected' ? true : undefined,
    );
    const retained = async () => {
      const sub = subscribe(broker, 'vigil/available', { id: `sub-available-${Date.now()}`, user: 'vigil', password: PASSWORD });
      await sub.ready();
      await until(() => sub.messages.length > 0, 3000);
      await sub.stop();
      return sub.messages.map((m) => [m.payload, m.retain]);
    };
    expect(await retained()).toEqual([['online', true]]);
    // Turned off in the settings: the node says 'offline' before it leaves (a polite disconnect sends no last will).
    await call(node, 'settings.update', { mqtt: { enabled: false } });
    expect((await call<SystemStatus>(node, 'system.status')).mqtt?.state).toBe('off');
    await new Promise((r) => setTimeout(r, 500));
    expect(await retained()).toEqual([['offline', true]]);
    await node.stop();
    node = await startServe(['--mqtt', `mqtt://vigil@127.0.0.1:${broker.port}`], { VIGIL_HOME: home, VIGIL_SECRET_KEY_FILE: keyFile });
    expect(await until(() => node!.output().includes(`MQTT: publishing to mqtt://vigil@127.0.0.1:${broker.port}`), 5000)).toBe(true);
    const s = await eventually('the publisher to connect', 15_000, async () => {
      const st = await call<SystemStatus>(node!, 'system.status');
      return st.mqtt?.state === 'connected' ? st : undefined;
    });
    expect(s.mqtt).toMatchObject({ dropped: 0, lastError: null });
    expect(await retained()).toEqual([['online', true]]);
    // The node dies without a word: the broker publishes its last will.
    const exited = new Promise((r) => node!.process.once('exit', r));
    node.process.kill('SIGKILL');
    await exited;
    node = null;
    await new Promise((r) => setTimeout(r, 500));
    expect(await retained()).toEqual([['offline', true]]);
  }, 60_000);
});
