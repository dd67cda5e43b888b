// Idempotent set-up shared by `npm start` and `npm test`: system packages, npm packages,
// the native engine, the TypeScript and renderer builds. Each step is skipped when already done.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stateDir = join(root, '.vigil');
mkdirSync(stateDir, { recursive: true });

// Debian packages the engine builds against and the tests use.
export const SYSTEM_PACKAGES = [
  'cmake', 'pkg-config', 'g++',
  'libgstreamer1.0-dev', 'libgstreamer-plugins-base1.0-dev', 'gstreamer1.0-tools',
  'gstreamer1.0-plugins-base', 'gstreamer1.0-plugins-good', 'gstreamer1.0-plugins-bad',
  'gstreamer1.0-plugins-ugly', 'gstreamer1.0-libav', 'libgstrtspserver-1.0-dev', 'gir1.2-gst-rtsp-server-1.0',
  'libjpeg62-turbo-dev', 'nlohmann-json3-dev', 'googletest', 'opencv-doc', 'chromium',
];

function log(msg) {
  process.stdout.write(`[setup] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    const why = r.error ? r.error.message : `exit code ${r.status}`;
    throw new Error(`'${cmd} ${args.join(' ')}' failed (${why})`);
  }
}

function missingSystemPackages() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...SYSTEM_PACKAGES], { encoding: 'utf8' });
  if (r.error) return null; // not a Debian-like system
  const installed = new Set(
    r.stdout.split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0].replace(/:.*/, '')),
  );
  return SYSTEM_PACKAGES.filter((p) => !installed.has(p));
}

function ensureSystemPackages() {
  const missing = missingSystemPackages();
  if (missing === null) {
    log(`not a Debian system: install GStreamer 1.x development files, CMake and Chromium yourself (${SYSTEM_PACKAGES.join(' ')})`);
    return;
  }
  if (missing.length === 0) return;
  log(`installing system packages: ${missing.join(' ')}`);
  const asRoot = process.getuid && process.getuid() === 0;
  const sudo = asRoot ? [] : ['sudo'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [cmd, ...pre] = asRoot ? ['apt-get'] : [...sudo, 'apt-get'];
  run(cmd, [...pre, 'update', '-qq'], { env });
  run(cmd, [...pre, 'install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function ensureNpmPackages() {
  const stamp = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(stamp) && mtime(stamp) >= mtime(join(root, 'package.json')) && mtime(stamp) >= mtime(lock)) return;
  log('installing npm packages');
  // Electron's binary comes from the internet, not the registry: never let its download fail set-up.
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  run('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund'], { env });
}

function ensureElectronBinary() {
  const electronDir = join(root, 'node_modules', 'electron');
  if (!existsSync(electronDir) || existsSync(join(electronDir, 'path.txt'))) return;
  if (process.env.CI || process.env.VIGIL_SKIP_ELECTRON_DOWNLOAD) return;
  const marker = join(stateDir, 'electron-download-failed');
  if (existsSync(marker)) return;
  log("fetching Electron's binary (optional: without it Vigil runs headless in the browser)");
  const r = spawnSync(process.execPath, [join(electronDir, 'install.js')], { cwd: electronDir, stdio: 'ignore', timeout: 120_000 });
  if (r.status !== 0) {
    writeFileSync(marker, new Date().toISOString());
    log("Electron's binary could not be downloaded; `npm start` will serve the app headless instead. Delete .vigil/electron-download-failed to retry.");
  }
}

function nodeIncludeDir() {
  const candidates = [
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
    join(dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
    '/usr/include/nodejs/src',
  ].filter(Boolean);
  const found = candidates.find((d) => existsSync(join(d, 'node_api.h')));
  if (!found) throw new Error(`Node's C headers (node_api.h) not found in ${candidates.join(', ')} — install Node.js with its headers (Debian: libnode-dev)`);
  return found;
}

export function buildNative() {
  const build = join(root, 'native', 'build');
  const addonApi = join(root, 'node_modules', 'node-addon-api');
  if (!existsSync(join(build, 'CMakeCache.txt'))) {
    log('configuring the native engine');
    run('cmake', ['-S', 'native', '-B', build, '-DCMAKE_BUILD_TYPE=Release',
      `-DNODE_INCLUDE_DIR=${nodeIncludeDir()}`, `-DNODE_ADDON_API_DIR=${addonApi}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  log('building the native engine');
  run('cmake', ['--build', build, '--parallel', String(Math.max(2, (globalThis.navigator?.hardwareConcurrency ?? 2)))], {
    stdio: ['ignore', process.env.VIGIL_VERBOSE ? 'inherit' : 'ignore', 'inherit'],
  });
}

export function buildTypeScript() {
  log('building TypeScript and the renderer');
  run(process.execPath, [join(root, 'scripts', 'build.mjs')]);
}

const OPENCV_CLIP = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';

// The demo's video: the real OpenCV pedestrian clip, transcoded once to H.264 MP4 (what cameras send).
export function prepareDemoMedia() {
  const media = join(stateDir, 'media');
  const out = join(media, 'vtest.mp4');
  if (existsSync(out) || !existsSync(OPENCV_CLIP)) return;
  mkdirSync(media, { recursive: true });
  log('transcoding the demo clip (vtest.avi → H.264 MP4)');
  const tmp = `${out}.part`;
  run('gst-launch-1.0', ['-q', 'filesrc', `location=${OPENCV_CLIP}`, '!', 'decodebin', '!', 'videoconvert', '!',
    'x264enc', 'speed-preset=veryfast', 'key-int-max=30', 'bitrate=1500', '!', 'video/x-h264,profile=high', '!', 'h264parse', '!',
    'mp4mux', '!', 'filesink', `location=${tmp}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  renameSync(tmp, out);
}


// Converts the default COCO detectors from the npm package into resources/models/generated (skipped when up to date).
export async function ensureDefaultModels() {
  const { ensureDefaultModels: convert } = await import(join(root, 'dist', 'main', 'models', 'default-models.js'));
  for (const m of convert()) if (!m.skipped) log(`converted default model ${m.name} → ${m.onnxPath}`);
}

export async function setup() {
  const started = Date.now();
  ensureSystemPackages();
  ensureNpmPackages();
  ensureElectronBinary();
  buildNative();
  buildTypeScript();
  prepareDemoMedia();
  await ensureDefaultModels();
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await setup();
  } catch (e) {
    process.stderr.write(`[setup] failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
