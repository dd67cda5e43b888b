import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServices, type Services } from '../../main/core/services.js';
import { EngineSupervisor } from '../../main/engine/supervisor.js';
import { isLoopback, startServer, type RunningServer } from '../../main/server/http-server.js';

// The engine is not started here: these tests are about the HTTP layer only.
function idleServices(): Services {
  return createServices({ mode: 'serve', supervisor: new EngineSupervisor() });
}

function staticDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-static-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Vigil</title>');
  return dir;
}

function wsOpens(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(true);
    });
    ws.on('error', () => resolve(false));
  });
}

describe('vigil serve security', () => {
  it('recognises loopback addresses', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('localhost')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback('192.168.1.10')).toBe(false);
  });

  it('refuses to bind a non-loopback address without a token, naming the fix', async () => {
    await expect(startServer({ services: idleServices(), host: '0.0.0.0', port: 0, staticDir: staticDir() })).rejects.toThrow(/--token/);
  });

  describe('with a token', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer({ services: idleServices(), host: '127.0.0.1', port: 0, token: 's3cret-token-0123456789', staticDir: staticDir() });
    });
    afterAll(() => server.close());

    it('prints a URL without the token, and a one-time link only when asked', () => {
      expect(server.url).not.toContain('s3cret');
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(server.oneTimeLink()).toMatch(/\?once=[\w-]{20,}$/);
      expect(server.oneTimeLink()).not.toContain('s3cret');
    });

    it('refuses API requests, pages and sockets without the token', async () => {
      const base = `http://127.0.0.1:${server.port}`;
      const api = await fetch(`${base}/api/v1/system/info`);
      expect(api.status).toBe(401);
      expect(((await api.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      expect((await fetch(`${base}/`)).status).toBe(401);
      expect((await fetch(`${base}/api/v1/system/info`, { headers: { authorization: 'Bearer wrong-token!' } })).status).toBe(401);
      expect(await wsOpens(`ws://127.0.0.1:${server.port}/api/v1/ws`)).toBe(false);
    });

    it('answers with the token in a header, the query or the cookie it sets', async () => {
      const base = `http://127.0.0.1:${server.port}`;
      const viaHeader = await fetch(`${base}/api/v1/system/info`, { headers: { authorization: 'Bearer s3cret-token-0123456789' } });
      expect(viaHeader.status).toBe(200);
      const body = (await viaHeader.json()) as { ok: boolean; result: { app: { name: string } } };
      expect(body.result.app.name).toBe('Vigil');
      const page = await fetch(`${base}/?token=s3cret-token-0123456789`);
      expect(page.status).toBe(200);
      const cookie = page.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/HttpOnly/);
      const viaCookie = await fetch(`${base}/api/v1/system/info`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
      expect(viaCookie.status).toBe(200);
      expect(await wsOpens(`ws://127.0.0.1:${server.port}/api/v1/ws?token=s3cret-token-0123456789`)).toBe(true);
    });

    it('answers an unknown method and malformed params with clear errors', async () => {
      const base = `http://127.0.0.1:${server.port}`;
      const auth = { authorization: 'Bearer s3cret-token-0123456789' };
      const unknown = await fetch(`${base}/api/v1/nope/never`, { headers: auth });
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain("'nope.never'");
      const bad = await fetch(`${base}/api/v1/system/info`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{not json' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
    });
  });
});
