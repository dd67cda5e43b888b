// A reserve file in the data folder: space set aside while the disk has room, given back when it is
// full so that retention (which must write to the database to delete) can run and make room.
import { rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RESERVE_NAME = '.disk-reserve';

export class DiskReserve {
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly bytes = 8 * 1024 * 1024,
  ) {
    this.file = join(dataDir, RESERVE_NAME);
  }

  /** Bytes the reserve holds now (0 when given back). */
  held(): number {
    try {
      return statSync(this.file).size;
    } catch {
      return 0;
    }
  }

  /**
   * Sets the space aside when the disk has comfortably more free than the reserve (twice), so
   * taking it never causes the shortage it is there for. Returns whether the reserve is in place.
   */
  ensure(): boolean {
    if (this.held() >= this.bytes) return true;
    try {
      const fs = statfsSync(join(this.file, '..'));
      if (fs.bavail * fs.bsize < 2 * this.bytes) return false;
      writeFileSync(this.file, Buffer.alloc(this.bytes), { mode: 0o600 });
      return true;
    } catch {
      rmSync(this.file, { force: true });
      return false;
    }
  }

  /** Gives the space back (the disk is full); returns the bytes freed. */
  release(): number {
    const held = this.held();
    rmSync(this.file, { force: true });
    return held;
  }
}
