// The one master clock of a playback view: a wall time (ms since the epoch, the time stored boxes
// and segments carry) that runs at the chosen speed while playing. Every camera of the view follows
// it; while the lead camera's video plays, the clock is set from that video's position, so one
// video is the clock and the others keep in step with it.
export const SPEEDS = [0.5, 1, 2, 4, 8] as const;

export class PlaybackClock {
  private anchorWall: number;
  private anchorPerf = performance.now();
  private running = false;
  private rate = 1;

  constructor(wall: number) {
    this.anchorWall = wall;
  }

  /** The clock's wall time now. */
  now(perf = performance.now()): number {
    return this.running ? this.anchorWall + (perf - this.anchorPerf) * this.rate : this.anchorWall;
  }

  get playing(): boolean {
    return this.running;
  }

  get speed(): number {
    return this.rate;
  }

  set(wall: number): void {
    this.anchorWall = wall;
    this.anchorPerf = performance.now();
  }

  play(): void {
    if (this.running) return;
    this.set(this.now());
    this.running = true;
  }

  pause(): void {
    if (!this.running) return;
    this.set(this.now());
    this.running = false;
  }

  setSpeed(speed: number): void {
    this.set(this.now());
    this.rate = speed;
  }
}

/** The next speed up (+1) or down (-1) from `speed`, within SPEEDS. */
export function stepSpeed(speed: number, dir: 1 | -1): number {
  const i = SPEEDS.findIndex((s) => s >= speed);
  const at = i < 0 ? SPEEDS.length - 1 : i;
  return SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, at + dir))]!;
}
