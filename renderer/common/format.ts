// How times and durations are written on every screen.
export function formatTime(t: number): string {
  const d = new Date(t);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s % 60)} s`;
}

/** A stream's figures as every screen writes them (the live wall's tiles and System say the same). */
export function streamFigures(s: { decodeFps: number; inferFps: number; latencyMs: number }): { decode: string; detect: string; latency: string } {
  return { decode: `${s.decodeFps.toFixed(1)} fps`, detect: `${s.inferFps.toFixed(1)} fps`, latency: `${Math.round(s.latencyMs)} ms` };
}
