// Exports of the record: a camera's video over a time range (recorded segments joined by stream
// copy) and tracks or zone events as CSV or JSON. Inputs are checked here with errors that name the
// option and the fix (ExportInputError: the CLI exits 2); the store is only read.
import { existsSync, statSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { StoreReader } from '../store/index.js';
import type { EngineExportResult, VideoExporter } from './engine-export.js';

export { openStoreReader } from '../store/index.js';

export class ExportInputError extends Error {}

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** A time option: ms since the epoch, or an ISO 8601 date/time (local time when it has no zone). */
export function parseTime(option: string, value: string | undefined): number {
  if (value === undefined) throw new ExportInputError(`${option} is required — give a time such as 2026-12-02T08:30:00Z or ms since the epoch`);
  const v = value.trim();
  const t = /^\d{1,16}$/.test(v) ? Number(v) : ISO.test(v) ? Date.parse(v.replace(' ', 'T')) : NaN;
  if (!Number.isFinite(t) || t < 0 || t > 8.64e15) {
    throw new ExportInputError(`${option} '${value}' is not a time — use ISO 8601 (2026-12-02T08:30:00Z) or ms since the epoch`);
  }
  return t;
}

/** The output file: its folder must exist; an existing file is only replaced with `force`. */
export function checkOut(out: string | undefined, force: boolean, extensions: string[]): string {
  if (!out) throw new ExportInputError(`--out is required — name the file to write (${extensions.join(' or ')})`);
  const path = resolve(out);
  if (!extensions.some((e) => path.toLowerCase().endsWith(e))) throw new ExportInputError(`--out ${out} must end in ${extensions.join(' or ')}`);
  if (!existsSync(dirname(path)) || !statSync(dirname(path)).isDirectory())
    throw new ExportInputError(`--out ${out}: the folder ${dirname(path)} does not exist`);
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw new ExportInputError(`--out ${out} is a folder — name a file`);
    if (!force) throw new ExportInputError(`--out ${out} exists — choose another name, or add --force to replace it`);
  }
  return path;
}

async function checkCamera(store: StoreReader, camera: string | undefined, required: boolean): Promise<string | undefined> {
  if (camera === undefined) {
    if (required) throw new ExportInputError('--camera is required — name the camera by its id (see `vigil export --help`)');
    return undefined;
  }
  const known = await store.cameras();
  if (!known.includes(camera)) {
    throw new ExportInputError(`camera '${camera}' has nothing recorded — known cameras: ${known.length > 0 ? known.join(', ') : '(none yet)'}`);
  }
  return camera;
}

function checkRange(from: number, to: number): void {
  if (to <= from) throw new ExportInputError(`--to (${new Date(to).toISOString()}) must be after --from (${new Date(from).toISOString()})`);
}

export interface VideoExport {
  camera: string | undefined;
  from: number;
  to: number;
  out: string;
  force: boolean;
  /** Burn the stored boxes and labels in (decoded and re-encoded with x264). */
  boxes?: boolean;
}

/** A stored box stays drawn this long when no later one comes (boxes stored a few times a second). */
export const BOX_HOLD_MS = 1000;

/**
 * Writes the camera's recorded video from `from` to `to` into one MP4 (segments joined by stream
 * copy, or re-encoded with the boxes burnt in; gaps between segments, when recording was off, are
 * left out). Progress goes to `progress` as lines, and to `onFraction` (0..1) when given.
 */
export async function exportVideo(
  store: StoreReader,
  exporter: VideoExporter,
  q: VideoExport,
  progress: (line: string) => void,
  onFraction?: (fraction: number) => void,
): Promise<EngineExportResult & { out: string; segments: number }> {
  checkRange(q.from, q.to);
  const camera = (await checkCamera(store, q.camera, true)) as string;
  const out = checkOut(q.out, q.force, ['.mp4']);
  const segments = await store.segments(camera, q.from, q.to);
  if (segments.length === 0) throw new NoVideoError(camera, q.from, q.to);
  const codecs = new Set(segments.map((s) => s.codec).filter((c) => c));
  if (codecs.size > 1) throw new ExportInputError(`the range mixes codecs (${[...codecs].join(', ')}) — export it in parts`);
  // The joined files' timeline: each segment follows the previous one without its gap.
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  let before = 0;
  for (const s of segments.slice(0, -1)) before += s.end - s.start;
  const fromSeconds = Math.max(0, q.from - first.start) / 1000;
  const toSeconds = (before + Math.min(q.to, last.end) - last.start) / 1000;
  const tracks = q.boxes ? (await store.boxes(camera, q.from - BOX_HOLD_MS, q.to)).map((t) => ({ label: `${t.label} #${t.id}`, boxes: t.boxes })) : undefined;
  const boxCount = tracks?.reduce((n, t) => n + t.boxes.length, 0) ?? 0;
  progress(
    `exporting ${segments.length} segment(s) of camera '${camera}' to ${out}${tracks ? ` with ${boxCount} stored box(es) of ${tracks.length} track(s) burnt in (re-encoding)` : ''}`,
  );
  let shown = -1;
  const r = await exporter(
    {
      out,
      segments: segments.map((s) => ({ path: s.path, start: s.start })),
      from: q.from,
      to: q.to,
      fromSeconds,
      toSeconds: Math.max(toSeconds, fromSeconds + 0.001),
      ...(tracks ? { tracks, holdMs: BOX_HOLD_MS } : {}),
    },
    (f) => {
      onFraction?.(f);
      const pct = Math.floor(f * 100);
      if (pct >= shown + 10 || (pct === 100 && shown !== 100)) {
        shown = pct;
        progress(`${pct} %`);
      }
    },
  );
  return { out, segments: segments.length, ...r };
}

/** A camera without recorded video in the range (for several cameras: that one is skipped). */
export class NoVideoError extends ExportInputError {
  constructor(
    readonly camera: string,
    from: number,
    to: number,
  ) {
    super(`camera '${camera}' has no recorded video between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`);
  }
}

/** `--camera A --camera B,C` → [A, B, C] (each once, in order). */
export function cameraList(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const v of values ?? []) for (const c of v.split(',')) if (c.trim() && !out.includes(c.trim())) out.push(c.trim());
  return out;
}

/** The file of one camera's export in a folder: `<camera>_<from>_<to>.mp4` (UTC, to the second; the id made file-safe). */
export function exportFileName(camera: string, from: number, to: number, boxes = false): string {
  const stamp = (t: number) =>
    new Date(t)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
  return `${camera.replace(/[^A-Za-z0-9_-]/g, '_')}_${stamp(from)}_${stamp(to)}${boxes ? '_boxes' : ''}.mp4`;
}

export interface MultiVideoExport {
  cameras: string[];
  from: number;
  to: number;
  /** The folder the files go in (it must exist). */
  outDir: string;
  force: boolean;
  boxes?: boolean;
}

export interface CameraExport {
  camera: string;
  out: string;
  durationMs: number;
  frames: number;
  bytes: number;
  segments: number;
}

/**
 * One MP4 per camera in `outDir` (exportFileName), one after the other; `onFraction` gets the progress
 * over all of them. A camera without video in the range is skipped and reported in `skipped`; none at all is an error.
 */
export async function exportVideos(
  store: StoreReader,
  exporter: VideoExporter,
  q: MultiVideoExport,
  progress: (line: string) => void,
  onFraction?: (fraction: number) => void,
): Promise<{ files: CameraExport[]; skipped: string[] }> {
  if (q.cameras.length === 0) throw new ExportInputError('--camera is required — name one camera or several (--camera A --camera B, or A,B)');
  checkRange(q.from, q.to);
  if (!existsSync(q.outDir) || !statSync(q.outDir).isDirectory()) throw new ExportInputError(`--out ${q.outDir}: for several cameras, name an existing folder`);
  for (const c of q.cameras) await checkCamera(store, c, true);
  const files: CameraExport[] = [];
  const skipped: string[] = [];
  for (const [i, camera] of q.cameras.entries()) {
    const out = resolve(q.outDir, exportFileName(camera, q.from, q.to, q.boxes));
    try {
      const r = await exportVideo(store, exporter, { camera, from: q.from, to: q.to, out, force: q.force, boxes: q.boxes ?? false }, progress, (f) =>
        onFraction?.((i + f) / q.cameras.length),
      );
      files.push({ camera, out: r.out, durationMs: r.durationMs, frames: r.frames, bytes: r.bytes, segments: r.segments });
    } catch (e) {
      if (!(e instanceof NoVideoError)) throw e;
      skipped.push(camera);
      progress(`${e.message}: skipped`);
    }
    onFraction?.((i + 1) / q.cameras.length);
  }
  if (files.length === 0) throw new ExportInputError(`none of the cameras (${q.cameras.join(', ')}) has recorded video in the range`);
  return { files, skipped };
}

/** CSV cell: quoted when needed; text that a spreadsheet would run as a formula is prefixed with '. */
function cell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: Record<string, string | number | null>[], columns: string[]): string {
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c] ?? null)).join(','))].join('\n') + '\n';
}

export interface TableExport {
  table: 'tracks' | 'events';
  format: string | undefined;
  camera: string | undefined;
  from: number;
  to: number;
  out: string | undefined;
  force: boolean;
}

/** Writes tracks or zone events of the range as CSV or JSON (through a temporary file). Returns the row count. */
export async function exportTable(store: StoreReader, q: TableExport): Promise<{ out: string; rows: number }> {
  if (q.format !== 'csv' && q.format !== 'json') throw new ExportInputError(`--format must be csv or json${q.format ? `, not '${q.format}'` : ''}`);
  checkRange(q.from, q.to);
  const camera = await checkCamera(store, q.camera, false);
  const out = checkOut(q.out, q.force, [`.${q.format}`]);
  const range = { from: q.from, to: q.to, ...(camera ? { camera } : {}) };
  let rows: Record<string, string | number | null>[];
  let columns: string[];
  if (q.table === 'tracks') {
    columns = ['id', 'camera', 'label', 'first_seen', 'last_seen', 'duration_ms', 'best_score', 'boxes', 'zones'];
    rows = (await store.tracks(range)).map((t) => ({
      id: t.id,
      camera: t.camera,
      label: t.label,
      first_seen: new Date(t.firstTime).toISOString(),
      last_seen: new Date(t.lastTime).toISOString(),
      duration_ms: t.lastTime - t.firstTime,
      best_score: Math.round(t.bestScore * 1000) / 1000,
      boxes: t.boxes,
      zones: t.zones,
    }));
  } else {
    columns = ['id', 'time', 'camera', 'kind', 'zone', 'direction', 'track', 'label'];
    rows = (await store.events(range)).map((e) => ({ ...e, time: new Date(e.time).toISOString() }));
  }
  const text = q.format === 'csv' ? toCsv(rows, columns) : `${JSON.stringify(rows, null, 1)}\n`;
  const tmp = `${out}.part`;
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot write ${out}: ${(e as Error).message}`, { cause: e });
  }
  return { out, rows: rows.length };
}
