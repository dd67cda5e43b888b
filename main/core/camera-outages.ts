// Turns the engine's per-camera stats into outage records: when a camera that delivered video stops
// (reconnecting, error, stalled), a 'camera-offline' event with the reason; when video is back, a
// 'camera-online' event with the outage's length. Cameras the engine does not list (it is
// restarting) are left alone: engine outages are the supervisor's gaps.
import type { StreamStats } from '../api/engine-types.js';

export interface OutageSink {
  noteCameraState(camera: string, state: 'offline' | 'online', time: number, detail: Record<string, string | number | boolean> | null): void;
}

export class CameraOutages {
  /** Per camera: delivering video (true), or down since this time (ms). */
  private readonly state = new Map<string, true | number>();

  constructor(private readonly sink: OutageSink) {}

  update(stats: readonly StreamStats[], now = Date.now()): void {
    for (const s of stats) {
      const up = s.state === 'live' && s.reason !== 'stalled';
      const was = this.state.get(s.camera);
      if (up) {
        if (typeof was === 'number') this.sink.noteCameraState(s.camera, 'online', now, { outageMs: now - was });
        this.state.set(s.camera, true);
      } else if (was === true && s.state !== 'ended') {
        this.sink.noteCameraState(s.camera, 'offline', now, { reason: s.reason ?? (s.state === 'connecting' ? 'reopening' : 'source-error'), state: s.state });
        this.state.set(s.camera, now);
      }
    }
  }

  /** The camera was removed or reconfigured: whatever happens next starts from scratch. */
  forget(camera: string): void {
    this.state.delete(camera);
  }
}
