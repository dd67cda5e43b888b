// Idempotent set-up shared by `npm start` and `npm test`: system packages, npm packages,
// the native engine, the TypeScript and renderer builds. Each step is skipped when already done.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stateDir = join(root, '.vigil');
mkdirSync(stateDir, { recursive: true });

// Debian packages the engine builds against and the tests use.
export const SYSTEM_PACKAGES = [
  'cmake',
  'pkg-config',
  'g++',
  'libgstreamer1.0-dev',
  'libgstreamer-plugins-base1.0-dev',
  'gstreamer1.0-tools',
  'gstreamer1.0-plugins-base',
  'gstreamer1.0-plugins-good',
  'gstreamer1.0-plugins-bad',
  'gstreamer1.0-plugins-ugly',
  'gstreamer1.0-libav',
  'libgstrtspserver-1.0-dev',
  'gir1.2-gst-rtsp-server-1.0',
  'python3-gi',
  'libjpeg62-turbo-dev',
  'nlohmann-json3-dev',
  'libgtest-dev',
  // The MQTT tests' broker and subscriber (test/helpers/mosquitto.ts); Vigil itself needs neither.
  'mosquitto',
  'mosquitto-clients',
  'opencv-doc',
  'chromium',
];

/** @param {string} msg */
function log(msg) {
  process.stdout.write(`[setup] ${msg}\n`);
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {import('node:child_process').SpawnSyncOptions} [opts]
 */
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
    r.stdout
      .split('\n')
      .filter((l) => l.endsWith(' installed'))
      .map((l) => (l.split(' ')[0] ?? '').replace(/:.*/, '')),
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
  // An apt run that was interrupted leaves packages unpacked but not configured: finish it first.
  const audit = spawnSync('dpkg', ['--audit'], { encoding: 'utf8' });
  if (audit.status === 0 && audit.stdout.trim()) run(sudo[0] ?? 'dpkg', [...(sudo.length ? ['dpkg'] : []), '--configure', '-a'], { env });
  const [cmd, ...pre] = asRoot ? ['apt-get'] : [...sudo, 'apt-get'];
  run(cmd, [...pre, 'update', '-qq'], { env });
  run(cmd, [...pre, 'install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

// What a complete `npm ci` leaves behind; a run that was interrupted leaves no stamp (or an old one).
const NPM_STAMP = 'npm-installed';

/** What node_modules is installed from: the lock file and package.json's dependency fields (its
 * scripts and other fields do not change what npm installs). */
export function npmFingerprint(dir = root) {
  const h = createHash('sha256');
  const lock = join(dir, 'package-lock.json');
  if (existsSync(lock)) h.update(readFileSync(lock));
  const pkgFile = join(dir, 'package.json');
  if (existsSync(pkgFile)) {
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    const fields = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'overrides', 'allowScripts', 'engines'];
    h.update(JSON.stringify(fields.map((f) => [f, pkg[f] ?? null])));
  }
  return h.digest('hex');
}

/** Why node_modules must be installed again, or null when it is complete for this lock file. */
export function npmInstallNeeded(dir = root, state = join(dir, '.vigil')) {
  if (!existsSync(join(dir, 'node_modules'))) return 'node_modules is missing';
  const stamp = join(state, NPM_STAMP);
  if (!existsSync(stamp)) return 'node_modules was not completed by set-up (an interrupted or foreign install)';
  if (readFileSync(stamp, 'utf8').trim() !== npmFingerprint(dir)) return 'package.json or package-lock.json changed since the last install';
  return null;
}

function ensureNpmPackages() {
  const why = npmInstallNeeded();
  if (!why) return;
  log(`installing npm packages (${why})`);
  rmSync(join(stateDir, NPM_STAMP), { force: true });
  // Electron's binary comes from the internet, not the registry: never let its download fail set-up.
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  const lock = join(root, 'package-lock.json');
  // `npm ci` removes whatever a broken earlier run left in node_modules before it installs.
  run('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund'], { env });
  writeFileSync(join(stateDir, NPM_STAMP), `${npmFingerprint()}\n`);
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
    ...(process.env.npm_config_nodedir ? [join(process.env.npm_config_nodedir, 'include', 'node')] : []),
    join(dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
    '/usr/include/nodejs/src',
  ];
  const found = candidates.find((d) => existsSync(join(d, 'node_api.h')));
  if (!found) throw new Error(`Node's C headers (node_api.h) not found in ${candidates.join(', ')} — install Node.js with its headers (Debian: libnode-dev)`);
  return found;
}

/** Why the native build folder must be configured (again), or null when it is complete. */
/**
 * @param {string} build
 * @param {string} source
 */
export function nativeConfigureNeeded(build, source) {
  const cache = join(build, 'CMakeCache.txt');
  if (!existsSync(cache)) return 'not configured yet';
  if (!existsSync(join(build, 'Makefile')) && !existsSync(join(build, 'build.ninja'))) return 'an earlier configure did not finish';
  const home = /^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$/m.exec(readFileSync(cache, 'utf8'))?.[1];
  if (home && home !== source) return `it was configured for another checkout (${home})`;
  return null;
}

export function buildNative() {
  const build = join(root, 'native', 'build');
  const source = join(root, 'native');
  const addonApi = join(root, 'node_modules', 'node-addon-api');
  const why = nativeConfigureNeeded(build, source);
  if (why) {
    log(`configuring the native engine (${why})`);
    // Start from an empty folder: a half-written cache is what made the next run fail.
    rmSync(build, { recursive: true, force: true });
    try {
      run('cmake', ['-S', source, '-B', build, '-DCMAKE_BUILD_TYPE=Release', `-DNODE_INCLUDE_DIR=${nodeIncludeDir()}`, `-DNODE_ADDON_API_DIR=${addonApi}`], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    } catch (e) {
      rmSync(join(build, 'CMakeCache.txt'), { force: true }); // the next run configures again
      throw e;
    }
  }
  log('building the native engine');
  run('cmake', ['--build', build, '--parallel', String(Math.max(2, globalThis.navigator?.hardwareConcurrency ?? 2))], {
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
  rmSync(tmp, { force: true }); // an interrupted transcode
  run(
    'gst-launch-1.0',
    [
      '-q',
      'filesrc',
      `location=${OPENCV_CLIP}`,
      '!',
      'decodebin',
      '!',
      'videoconvert',
      '!',
      'x264enc',
      'speed-preset=veryfast',
      'key-int-max=30',
      'bitrate=1500',
      '!',
      'video/x-h264,profile=high',
      '!',
      'h264parse',
      '!',
      'mp4mux',
      '!',
      'filesink',
      `location=${tmp}`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  renameSync(tmp, out);
}

// Converts the default COCO detectors from the npm package into resources/models/generated (skipped when up to date).
export async function ensureDefaultModels() {
  const generated = join(root, 'resources', 'models', 'generated');
  // An interrupted conversion leaves only temporary files (outputs are written then renamed).
  if (existsSync(generated)) for (const f of readdirSync(generated)) if (f.endsWith('.tmp')) rmSync(join(generated, f), { force: true });
  const { ensureDefaultModels: convert } = await import(join(root, 'dist', 'main', 'convert', 'default-models.js'));
  for (const m of convert()) if (!m.skipped) log(`converted default model ${m.name} → ${m.onnxPath}`);
}

// Each step: its name, what it does, and the command that retries it alone.
export const STEPS = [
  { name: 'system packages', retry: 'node scripts/setup.mjs', run: ensureSystemPackages },
  { name: 'npm packages', retry: 'npm ci', run: ensureNpmPackages },
  { name: "Electron's binary", retry: 'node scripts/setup.mjs', run: ensureElectronBinary },
  { name: 'native engine', retry: 'cmake --build native/build', run: buildNative },
  { name: 'TypeScript and renderer', retry: 'npm run build', run: buildTypeScript },
  { name: 'demo clip', retry: 'node scripts/setup.mjs', run: prepareDemoMedia },
  { name: 'default models', retry: 'node scripts/setup.mjs', run: ensureDefaultModels },
];

export class SetupStepError extends Error {
  /**
   * @param {{ name: string; retry: string }} step
   * @param {unknown} cause
   */
  constructor(step, cause) {
    super(
      `step '${step.name}' failed: ${cause instanceof Error ? cause.message : String(cause)}\n` +
        `  Fix what is printed above, then run the same command again ('npm start' / 'npm test'): set-up redoes only what is unfinished.\n` +
        `  To retry this step alone: ${step.retry}`,
    );
  }
}

export async function setup() {
  const started = Date.now();
  for (const step of STEPS) {
    try {
      await step.run();
    } catch (e) {
      throw new SetupStepError(step, e);
    }
  }
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await setup();
  } catch (e) {
    process.stderr.write(`[setup] ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
