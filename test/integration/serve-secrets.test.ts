// Secrets and the data folder of a real `vigil serve`: the token comes from a file or the environment
// (never argv) and is never printed; the data folder is 0700 and its files 0600; camera passwords are
// encrypted at rest.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../main/paths.js';
import { startServe, type ServedNode } from '../helpers/serve.js';

const TOKEN = 'file-token-5f7c2a9e41d8b3aa';
const mode = (p: string) => statSync(p).mode & 0o777;

function vigil(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(projectRoot(), 'bin', 'vigil.mjs'), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('vigil serve keeps its secrets', () => {
  let node: ServedNode;
  let home: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-secret-serve-'));
    home = join(dir, 'fresh-home');
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    node = await startServe(['--token-file', tokenFile, '--one-time-link'], { VIGIL_HOME: home, VIGIL_TOKEN: '' });
    // The lines after "serving on" may arrive in a later chunk.
    for (let i = 0; i < 100 && !node.output().includes('model files for the API'); i++) await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(() => node?.stop());

  const api = (method: string, params: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
    fetch(`${node.origin}/api/v1/${method.split('.').join('/')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(params),
    });

  it('never prints the token; says where it comes from; a one-time link signs in once', async () => {
    expect(node.output()).not.toContain(TOKEN);
    expect(node.output()).toMatch(/access token: from the file .*token/);
    const link = /one-time sign-in link[^:]*: (http\S+)/.exec(node.output())?.[1];
    expect(link).toMatch(/\?once=/);
    const first = await fetch(link!, { redirect: 'manual' });
    expect(first.status).toBe(303);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await api('system.info', {}, { cookie })).status).toBe(200);
    expect((await fetch(link!, { redirect: 'manual' })).status).toBe(401);
    expect((await api('system.info', {}, {})).status).toBe(401);
  });

  it('makes the data folder 0700 and its files 0600, with passwords encrypted at rest', async () => {
    const added = await api('cameras.add', { name: 'Back gate', uri: 'rtsp://ops:hunter2-at-rest@127.0.0.1:9/gate?pwd=q-at-rest', force: true });
    expect(added.status).toBe(200);
    expect(mode(home)).toBe(0o700);
    for (const f of ['workspace.json', 'secrets.json', join('record', 'vigil.db')]) expect(mode(join(home, f)), f).toBe(0o600);
    if (existsSync(join(home, 'record', 'vigil.db-wal'))) expect(mode(join(home, 'record', 'vigil.db-wal'))).toBe(0o600);
    const secrets = readFileSync(join(home, 'secrets.json'), 'utf8');
    expect(secrets).not.toMatch(/hunter2|q-at-rest/);
    expect(secrets).not.toContain(Buffer.from('hunter2-at-rest').toString('base64'));
    expect(readFileSync(join(home, 'workspace.json'), 'utf8')).not.toMatch(/hunter2|q-at-rest/);
  });

  it('refuses a token on the command line and a token file others can read', () => {
    const argv = vigil(['serve', '--port', '0', '--token', TOKEN]);
    expect(argv.code).toBe(1);
    expect(argv.out).toMatch(/--token is not accepted.*--token-file/);
    const loose = join(mkdtempSync(join(tmpdir(), 'vigil-loose-')), 'token');
    writeFileSync(loose, TOKEN, { mode: 0o644 });
    const r = vigil(['serve', '--port', '0', '--token-file', loose]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/readable by other users — run: chmod 600/);
    expect(`${argv.out}${r.out}`).not.toContain(TOKEN);
  });
});
