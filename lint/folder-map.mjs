// The folder map: every TypeScript file of the repository belongs to one room (the longest path in
// this table that contains it), and a room may import only from itself and from the rooms it lists.
// This table is the single source: the `vigil/folder-map` lint rule enforces it, and the table in
// ARCHITECTURE.md is generated from it (`npm run docs:folder-map`; a unit test checks they agree).

/**
 * @typedef {object} Exception
 * @property {string} room  a room imported against the intended direction
 * @property {string} why   why it is still allowed, and what removes it
 *
 * @typedef {object} Room
 * @property {string} path  a folder (every file under it) or one file, relative to the repository root
 * @property {string} job   what the room is for, in one line
 * @property {ReadonlyArray<string | Exception>} imports  the rooms it may import from; '*' is any room
 */

/** @type {ReadonlyArray<Room>} */
export const ROOMS = [
  // The main process (Electron main or `vigil serve`) and the engine process's TypeScript side.
  { path: 'main/api', job: 'the typed contract shared by every transport and the renderer (types and the preview wire format)', imports: [] },
  { path: 'main/paths.ts', job: 'where the project and the data folder are', imports: [] },
  {
    path: 'main/process-memory.ts',
    job: "the main process's malloc settings: set by the launchers, taken off for the engine",
    imports: [],
  },
  {
    path: 'main/store',
    job: 'SQLite: driver, migrations, recorder (its queue, SQL and track book), queries, retention, and their row types',
    imports: ['main/api'],
  },
  { path: 'main/workspace', job: 'the workspace model, its validation and file, camera secrets', imports: ['main/api', 'main/paths.ts'] },
  { path: 'main/addon', job: 'the native addon, typed once, and its loader', imports: ['main/api', 'main/paths.ts'] },
  {
    path: 'main/models',
    job: 'model manifests, catalog and installs (checked through the addon interface), graph rewrites, provider guard, nvinfer import',
    imports: ['main/api', 'main/paths.ts', 'main/addon'],
  },
  {
    path: 'main/convert',
    job: 'build-time TF.js → ONNX converter of the default models (set-up and tests run it; the app never imports it)',
    imports: ['main/api', 'main/paths.ts', 'main/models'],
  },
  {
    path: 'main/engine',
    job: 'the engine process (it runs model installs for the main process) and its supervisor',
    imports: ['main/api', 'main/paths.ts', 'main/addon', 'main/models'],
  },
  {
    path: 'main/mqtt',
    job: "publishing to an MQTT broker: the protocol client, the topics (one list), payloads (Vigil's and nvmsgconv's), the bounded backlog",
    imports: ['main/api', 'main/workspace'],
  },
  {
    path: 'main/core',
    job: 'the services behind every API method, the one dispatch, engine control, the review adapter, the MQTT wiring',
    imports: ['main/api', 'main/paths.ts', 'main/process-memory.ts', 'main/engine', 'main/models', 'main/mqtt', 'main/store', 'main/workspace'],
  },
  { path: 'main/server', job: 'HTTP + WebSocket transport of the API', imports: ['main/api', 'main/core'] },
  {
    path: 'main/cli',
    job: 'the `vigil` command (entry point of `vigil serve`)',
    imports: ['main/api', 'main/paths.ts', 'main/addon', 'main/core', 'main/engine', 'main/models', 'main/server', 'main/workspace'],
  },
  {
    path: 'main/electron',
    job: 'the desktop shell: window, IPC transport, preload bridge',
    imports: ['main/api', 'main/paths.ts', 'main/core', 'main/engine', 'main/workspace'],
  },

  // The renderer (React, in the browser or the Electron window).
  { path: 'renderer/main.tsx', job: 'the renderer entry: mounts the shell with an API client', imports: ['renderer/shell', 'renderer/api'] },
  {
    path: 'renderer/shell',
    job: 'the frame around the screens: header, navigation, connection state, which screen shows',
    imports: [
      'main/api',
      'renderer/api',
      'renderer/router',
      'renderer/common',
      'renderer/live',
      'renderer/timeline',
      'renderer/review',
      'renderer/playback',
      'renderer/settings',
      'renderer/system',
    ],
  },
  { path: 'renderer/router', job: 'the hash router (routes, navigate, useRoute)', imports: [] },
  {
    path: 'renderer/common',
    job: 'helpers every screen may use: colours, time formats, canvas sizing, the workspace hook',
    imports: ['main/api', 'renderer/api'],
  },
  { path: 'renderer/api', job: 'the one way to the node: Electron bridge or HTTP + WebSocket', imports: ['main/api'] },
  { path: 'renderer/live', job: 'screen: the live wall', imports: ['main/api', 'renderer/api', 'renderer/router', 'renderer/common'] },
  { path: 'renderer/timeline', job: 'screen: the timeline', imports: ['main/api', 'renderer/api', 'renderer/router', 'renderer/common'] },
  {
    path: 'renderer/review',
    job: 'screen: track review (a track with recorded video plays it)',
    imports: ['main/api', 'renderer/api', 'renderer/router', 'renderer/common', 'renderer/playback'],
  },
  {
    path: 'renderer/playback',
    job: 'screen: recorded video with the stored boxes over it, cameras side by side on one clock (also shown in review)',
    imports: ['main/api', 'renderer/api', 'renderer/router', 'renderer/common'],
  },
  { path: 'renderer/settings', job: 'screen: settings (one file per section)', imports: ['main/api', 'renderer/api', 'renderer/router', 'renderer/common'] },
  { path: 'renderer/system', job: 'screen: system health', imports: ['main/api', 'renderer/api', 'renderer/router', 'renderer/common'] },

  // Around the product.
  { path: 'test', job: 'unit, integration and end-to-end tests and their helpers', imports: ['*'] },
  { path: 'bench', job: 'benchmarks that print figures (one `npm run bench:*` each)', imports: ['*'] },
  { path: 'lint', job: 'this table and the local lint rules', imports: [] },
  { path: 'vite.config.ts', job: 'renderer build configuration', imports: [] },
  { path: 'vitest.config.ts', job: 'test projects', imports: [] },
];

/** The rooms a room may import from, exceptions included (its own room is always allowed). */
export function allowedImports(/** @type {Room} */ room) {
  return room.imports.map((i) => (typeof i === 'string' ? i : i.room));
}

/** The room of a repository-relative path (forward slashes): the longest matching entry, or null. */
export function roomOf(/** @type {string} */ relPath) {
  /** @type {Room | null} */
  let best = null;
  for (const room of ROOMS) {
    if (relPath === room.path || relPath.startsWith(`${room.path}/`)) {
      if (!best || room.path.length > best.path.length) best = room;
    }
  }
  return best;
}
