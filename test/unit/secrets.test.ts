import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyFileCipher, secretKeyPath, SecretStore } from '../../main/workspace/secrets.js';
import { joinCredentials, redactUri, splitCredentials, uriProblem } from '../../main/workspace/uri.js';
import { WorkspaceFile } from '../../main/workspace/workspace-file.js';

const dir = () => mkdtempSync(join(tmpdir(), 'vigil-secrets-'));

describe('credentials in camera URIs', () => {
  it('never shows the tail of a password with a raw @, / or # in it', () => {
    for (const uri of [
      'rtsp://admin:se@cret@host:xx/s',
      'rtsp://admin:pa/ss@cret@host/s',
      'rtsp://admin:p#ss@cret@10.0.0.1/s',
      'rtsp://admin:se@cret@host/s',
    ]) {
      const shown = redactUri(uri);
      expect(shown, uri).not.toMatch(/cret|pa\/ss|p#ss|ss@/);
      expect(shown).toContain('***');
      expect(uriProblem(uri) ?? '').not.toMatch(/cret/);
    }
  });

  it('treats query-string credentials like user:password: stored apart, redacted, put back for the engine', () => {
    const uri = 'rtsp://10.0.0.9:554/cam/realmonitor?channel=1&user=admin&pwd=hunter2&subtype=0';
    expect(redactUri(uri)).toBe('rtsp://10.0.0.9:554/cam/realmonitor?channel=1&user=***&pwd=***&subtype=0');
    const split = splitCredentials(uri);
    expect(split.uri).not.toMatch(/hunter2|admin/);
    expect(split.uri).toContain('channel=1');
    const back = new URL(joinCredentials(split.uri, split.password));
    expect(back.searchParams.get('pwd')).toBe('hunter2');
    expect(back.searchParams.get('user')).toBe('admin');
    const both = splitCredentials('rtsp://ops:p%40ss@cam/s?password=x%26y');
    expect(new URL(joinCredentials(both.uri, both.password)).password).toBe('p%40ss');
    expect(new URL(joinCredentials(both.uri, both.password)).searchParams.get('password')).toBe('x&y');
  });

  it('refuses file cameras that are not video files or point into system folders', () => {
    expect(uriProblem('file:///etc/passwd')).toMatch(/system folder/);
    expect(uriProblem('file:///proc/self/environ')).toMatch(/system folder/);
    expect(uriProblem('file:///home/op/notes.txt')).toMatch(/not a video file/);
    expect(uriProblem('file:///home/op/../../etc/x.mp4')).not.toBeNull();
    expect(uriProblem('file:///home/op/clip.MP4')).toBeNull();
  });
});

describe('headless secrets at rest', () => {
  it('seals passwords with AES-256-GCM under a 0600 key outside the data folder', () => {
    const home = dir();
    const keyFile = join(dir(), 'vigil', 'secret.key');
    const store = new WorkspaceFile({ home, cipher: keyFileCipher(keyFile, home) });
    store.addCamera({ name: 'Gate', uri: 'rtsp://admin:hunter2-rest@10.1.2.3/live?pwd=q-secret' });
    const onDisk = readFileSync(join(home, 'secrets.json'), 'utf8');
    expect(onDisk).not.toMatch(/hunter2|q-secret/);
    expect(onDisk).not.toContain(Buffer.from('hunter2-rest').toString('base64'));
    expect(onDisk).toMatch(/aes256gcm:/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'secrets.json')).mode & 0o777).toBe(0o600);
    const again = new WorkspaceFile({ home, cipher: keyFileCipher(keyFile, home) });
    expect(again.engineUri(again.camera('gate')!)).toBe('rtsp://admin:hunter2-rest@10.1.2.3/live?pwd=q-secret');
    // Another key cannot open them, and says what to do.
    const other = new WorkspaceFile({ home, cipher: keyFileCipher(join(dir(), 'other.key'), home) });
    expect(() => other.engineUri(other.camera('gate')!)).toThrow(/re-enter the password/);
  });

  it('re-seals base64 secrets written by older Vigil, refuses a key inside the data folder or readable by others', () => {
    const home = dir();
    writeFileSync(join(home, 'secrets.json'), JSON.stringify({ gate: `plain:${Buffer.from('old-pass').toString('base64')}` }));
    const keyFile = join(dir(), 'k.key');
    const store = new SecretStore(join(home, 'secrets.json'), keyFileCipher(keyFile, home));
    expect(store.get('gate')).toBe('old-pass');
    expect(readFileSync(join(home, 'secrets.json'), 'utf8')).toMatch(/aes256gcm:/);
    expect(() => keyFileCipher(join(home, 'secret.key'), home)).toThrow(/inside the data folder/);
    const loose = join(dir(), 'loose.key');
    writeFileSync(loose, Buffer.alloc(32, 1).toString('base64'), { mode: 0o644 });
    expect(() => keyFileCipher(loose).encrypt('x')).toThrow(/chmod 600/);
  });

  it('keeps the key in $XDG_CONFIG_HOME unless VIGIL_SECRET_KEY_FILE names it', () => {
    expect(secretKeyPath({ XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/vigil/secret.key');
    expect(secretKeyPath({ VIGIL_SECRET_KEY_FILE: '/k/key' })).toBe('/k/key');
  });
});

describe('camera ids that are Object.prototype names', () => {
  it('keeps working for cameras named constructor, __proto__ and toString (found by the API fuzzing)', () => {
    const home = dir();
    const store = new WorkspaceFile({ home, cipher: keyFileCipher(join(dir(), 'k.key'), home) });
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const cam = store.addCamera({ name, uri: 'rtsp://127.0.0.1:9/x' });
      expect(store.view(cam).uri).toBe('rtsp://127.0.0.1:9/x');
      expect(store.engineUri(cam)).toBe('rtsp://127.0.0.1:9/x');
    }
    const withPassword = store.addCamera({ name: 'valueOf', uri: 'rtsp://u:pw-proto@127.0.0.1:9/x' });
    expect(store.engineUri(withPassword)).toBe('rtsp://u:pw-proto@127.0.0.1:9/x');
    expect(new WorkspaceFile({ home, cipher: keyFileCipher(join(dir(), 'k2.key'), home) }).get().cameras.length).toBe(5);
  });
});
