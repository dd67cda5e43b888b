// Where camera passwords are kept. Electron's safeStorage encrypts them with the OS keyring; a
// headless node keeps them in a file readable only by its owner.
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface SecretCipher {
  /** Human-readable name of the protection, shown in system status. */
  readonly kind: string;
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

/** Headless: secrets are kept in a 0600 file next to the workspace; not encrypted (no keyring). */
export const fileModeCipher: SecretCipher = {
  kind: 'file (owner-only permissions)',
  encrypt: (plain) => `plain:${Buffer.from(plain, 'utf8').toString('base64')}`,
  decrypt: (sealed) => {
    if (!sealed.startsWith('plain:')) throw new Error('secret was sealed by the desktop keyring; open it in the desktop app or re-enter the password');
    return Buffer.from(sealed.slice(6), 'base64').toString('utf8');
  },
};

/** Secrets by camera id, persisted apart from the workspace file. */
export class SecretStore {
  private secrets: Record<string, string> = {};

  constructor(
    private readonly file: string,
    private readonly cipher: SecretCipher,
  ) {
    if (existsSync(file)) {
      try {
        this.secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      } catch {
        throw new Error(`camera credentials file ${file} is damaged — delete it and re-enter the camera passwords`);
      }
    }
  }

  get(id: string): string | null {
    const sealed = this.secrets[id];
    return sealed === undefined ? null : this.cipher.decrypt(sealed);
  }

  set(id: string, password: string | null): void {
    if (password === null) delete this.secrets[id];
    else this.secrets[id] = this.cipher.encrypt(password);
    this.save();
  }

  private save(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.secrets, null, 2), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}
