// Where camera passwords are kept. The desktop app seals them with the OS keyring (Electron
// safeStorage); a headless node (or a desktop without a keyring) seals them with AES-256-GCM under a
// key kept outside the data folder ($XDG_CONFIG_HOME/vigil/secret.key, or VIGIL_SECRET_KEY_FILE).
// Threat model (README, "Security"): a copy of the data folder alone (a backup, a stolen disk image
// of that folder) does not reveal passwords; anyone who can read the key file as well, or run code
// as the operator's user, can.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';

export interface SecretCipher {
  /** Human-readable name of the protection, shown in system status. */
  readonly kind: string;
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

function decodeLegacy(sealed: string): string {
  return Buffer.from(sealed.slice('plain:'.length), 'base64').toString('utf8');
}

/** Not encrypted (base64 in a 0600 file): only for tests and reading secrets written by older Vigil. */
export const fileModeCipher: SecretCipher = {
  kind: 'file (owner-only permissions)',
  encrypt: (plain) => `plain:${Buffer.from(plain, 'utf8').toString('base64')}`,
  decrypt: (sealed) => {
    if (!sealed.startsWith('plain:')) throw new Error('secret was sealed by the desktop keyring or a key file; open it there or re-enter the password');
    return decodeLegacy(sealed);
  },
};

/** The key file's path: VIGIL_SECRET_KEY_FILE, else $XDG_CONFIG_HOME/vigil/secret.key (~/.config). */
export function secretKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VIGIL_SECRET_KEY_FILE) return resolve(env.VIGIL_SECRET_KEY_FILE);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'vigil', 'secret.key');
}

function readOrCreateKey(file: string): Buffer {
  if (existsSync(file)) {
    const st = statSync(file);
    if ((st.mode & 0o077) !== 0) throw new Error(`secret key file ${file} is readable by other users — run: chmod 600 ${file}`);
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32)
      throw new Error(`secret key file ${file} does not hold a 256-bit key — restore it from a backup, or move it away and re-enter the camera passwords`);
    return key;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${key.toString('base64')}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return key;
}

/**
 * AES-256-GCM with a key in `keyFile` (made, 0600, on first use). `dataHome`: the data folder, which
 * must not hold the key (a copy of the folder would then carry its own key).
 */
export function keyFileCipher(keyFile: string, dataHome?: string): SecretCipher {
  if (dataHome) {
    const rel = relative(resolve(dataHome), resolve(keyFile));
    if (!rel.startsWith('..') && !isAbsolute(rel)) {
      throw new Error(`the secret key file ${keyFile} is inside the data folder ${dataHome} — keep it elsewhere (VIGIL_SECRET_KEY_FILE)`);
    }
  }
  let key: Buffer | null = null;
  const getKey = () => (key ??= readOrCreateKey(keyFile));
  return {
    kind: `AES-256-GCM, key in ${keyFile}`,
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', getKey(), iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return `aes256gcm:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`;
    },
    decrypt(sealed) {
      if (sealed.startsWith('plain:')) return decodeLegacy(sealed);
      if (!sealed.startsWith('aes256gcm:')) throw new Error('secret was sealed by the desktop keyring; open it in the desktop app or re-enter the password');
      const raw = Buffer.from(sealed.slice('aes256gcm:'.length), 'base64');
      try {
        const d = createDecipheriv('aes-256-gcm', getKey(), raw.subarray(0, 12));
        d.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
      } catch {
        throw new Error(`a camera password cannot be decrypted with the key in ${keyFile} (another key, or a damaged file) — re-enter the password`);
      }
    },
  };
}

/** Secrets by id (a camera's, or a service's such as the MQTT broker), persisted apart from the workspace file. */
export class SecretStore {
  // No prototype: a camera id such as 'constructor' or '__proto__' is just a key.
  private secrets: Record<string, string> = Object.create(null) as Record<string, string>;

  constructor(
    private readonly file: string,
    private readonly cipher: SecretCipher,
    /** What the file holds and what to re-enter, for the message when it is damaged. */
    private readonly what = { file: 'camera credentials', reenter: 'camera passwords' },
  ) {
    if (existsSync(file)) {
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        for (const [id, sealed] of Object.entries(parsed)) if (typeof sealed === 'string') this.secrets[id] = sealed;
      } catch {
        throw new Error(`${this.what.file} file ${file} is damaged — delete it and re-enter the ${this.what.reenter}`);
      }
      // Older Vigil kept base64: seal those with this store's cipher now.
      const legacy = Object.entries(this.secrets).filter(([, s]) => s.startsWith('plain:'));
      if (legacy.length > 0 && cipher !== fileModeCipher) {
        for (const [id, s] of legacy) this.secrets[id] = cipher.encrypt(decodeLegacy(s));
        this.save();
      }
    }
  }

  get(id: string): string | null {
    const sealed = Object.hasOwn(this.secrets, id) ? this.secrets[id] : undefined;
    return sealed === undefined ? null : this.cipher.decrypt(sealed);
  }

  set(id: string, password: string | null): void {
    if (password === null) {
      if (!Object.hasOwn(this.secrets, id)) return;
      delete this.secrets[id];
    } else this.secrets[id] = this.cipher.encrypt(password);
    this.save();
  }

  private save(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.secrets, null, 2), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}
