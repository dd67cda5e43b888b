// `vigil export`: a camera's recorded video as one MP4 (stream copy), tracks or zone events as CSV
// or JSON. Reads the store read-only, so it runs beside a running Vigil. Bad input: exit 2.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { engineExporter } from '../core/engine-export.js';
import { cameraList, ExportInputError, exportTable, exportVideo, exportVideos, openStoreReader, parseTime } from '../core/export.js';
import { dataHome } from '../paths.js';
import { isHelp, parseOrUsage, UsageError } from './usage.js';

export const EXPORT_USAGE = `usage: vigil export --camera ID --from T --to T --out FILE.mp4 [--boxes] [--force] [--data DIR]
       vigil export --camera ID --camera ID... --from T --to T --out FOLDER [--boxes] [--force] [--data DIR]
       vigil export tracks|events --format csv|json --from T --to T --out FILE [--camera ID] [--force] [--data DIR]
  exports the record: a camera's video (recorded segments joined by stream copy, no re-encoding;
  it starts at the keyframe at or before --from), or its tracks or zone events
  --camera   the camera id (as in the workspace); several (repeated or A,B): one MP4 per camera in
             the --out folder, named <camera>_<from>_<to>.mp4; tracks/events: all cameras when left out
  --boxes    burn each frame's stored boxes and labels into the video (decoded and re-encoded with
             x264: slower, and it starts exactly at --from)
  --from/--to  ISO 8601 (2026-12-02T08:30:00Z; local time without a zone) or ms since the epoch
  --out      the file to write; an existing file is only replaced with --force
  --data     the record folder (default: $VIGIL_HOME/record)
  progress goes to stderr`;

export async function exportCommand(argv: string[]): Promise<number> {
  if (isHelp(argv[0])) {
    process.stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  const table = argv[0] === 'tracks' || argv[0] === 'events' ? argv[0] : null;
  const { values, positionals } = parseOrUsage(
    {
      args: table ? argv.slice(1) : argv,
      options: {
        camera: { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string' },
        force: { type: 'boolean' },
        boxes: { type: 'boolean' },
        data: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    },
    EXPORT_USAGE,
  );
  if (values.help) {
    process.stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected '${positionals[0]}' — export video (no word), tracks or events`, EXPORT_USAGE);
  if (table && values.boxes) throw new UsageError('--boxes is for video; tracks and events carry their boxes as data', EXPORT_USAGE);
  if (!table && values.format) throw new UsageError('--format is for tracks and events; video is always MP4', EXPORT_USAGE);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let store;
  try {
    const from = parseTime('--from', values.from);
    const to = parseTime('--to', values.to);
    store = await openStoreReader(values.data ? resolve(values.data) : join(dataHome(), 'record'));
    const cameras = cameraList(values.camera);
    const force = values.force ?? false;
    const boxes = values.boxes ?? false;
    const folder = values.out !== undefined && existsSync(values.out) && statSync(values.out).isDirectory();
    if (table) {
      if (cameras.length > 1) throw new ExportInputError(`tracks and events take one --camera (or none for all), not ${cameras.length}`);
      const r = await exportTable(store, { table, format: values.format, camera: cameras[0], from, to, out: values.out, force });
      log(`wrote ${r.rows} ${table} to ${r.out}`);
    } else if (cameras.length > 1 || folder) {
      const r = await exportVideos(store, engineExporter(), { cameras, from, to, outDir: resolve(values.out ?? ''), force, boxes }, log);
      for (const f of r.files) log(`wrote ${f.out}: ${(f.durationMs / 1000).toFixed(1)} s, ${f.frames} frames, ${f.bytes} bytes from ${f.segments} segment(s)`);
      if (r.skipped.length > 0) log(`no video in the range for: ${r.skipped.join(', ')}`);
    } else {
      const r = await exportVideo(store, engineExporter(), { camera: cameras[0], from, to, out: values.out ?? '', force, boxes }, log);
      const start = r.firstWallMs ? `, first frame at ${new Date(r.firstWallMs).toISOString()}` : '';
      log(`wrote ${r.out}: ${(r.durationMs / 1000).toFixed(1)} s, ${r.frames} frames, ${r.bytes} bytes from ${r.segments} segment(s)${start}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ExportInputError) throw new UsageError(e.message, EXPORT_USAGE);
    throw e;
  } finally {
    await store?.close();
  }
}
