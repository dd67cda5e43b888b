// Assembles one Vigil node: workspace, engine supervisor and control, recorder, services. The
// Electron shell and `vigil serve` both start exactly this, then attach their own transport.
import { join } from 'node:path';
import { EngineSupervisor, type EngineLauncher } from '../engine/supervisor.js';
import { MqttPublisher } from '../mqtt/publisher.js';
import { appVersion, dataHome, hardenDataHome, modelImportDir } from '../paths.js';
import { openStore, type Store } from '../store/index.js';
import { DiskReserve } from '../store/reserve.js';
import { keyFileCipher, secretKeyPath, type SecretCipher } from '../workspace/secrets.js';
import { demoWorkspace, WorkspaceFile } from '../workspace/workspace-file.js';
import { CameraOutages } from './camera-outages.js';
import { mqttConfig, namesFrom } from './mqtt-wiring.js';
import { recordingPolicy, Recordings } from './recordings.js';
import { EngineControl } from './engine-control.js';
import { ModelCatalog } from './model-catalog.js';
import { isDiskFull, reviewOver } from './review-adapter.js';
import { AllowListPolicy } from './file-access.js';
import { ExportJobs } from './export-jobs.js';
import { createServices, type Services } from './services.js';
import { withoutMainMalloc } from '../process-memory.js';

export interface AppNode {
  services: Services;
  supervisor: EngineSupervisor;
  workspace: WorkspaceFile;
  control: EngineControl;
  store: Store;
  mqtt: MqttPublisher;
  home: string;
  /** Model files API calls may open: the import folder, --models-dir folders, files picked in a dialog. */
  modelFiles: AllowListPolicy;
  /** Recorded media (snapshots/, segments/) served under /media/. */
  mediaDir: string;
  close(): Promise<void>;
}

export interface AppNodeOptions {
  mode: 'desktop' | 'serve';
  launcher?: EngineLauncher;
  /** Desktop: Electron's user-data folder and safeStorage cipher. */
  userData?: string;
  cipher?: SecretCipher;
  /** Extra folders API calls may read model files from (`vigil serve --models-dir`). */
  modelsDirs?: string[];
  /** `vigil serve --mqtt URL`: publish to this broker for this run, whatever the workspace says (no password in it). */
  mqttUrl?: string;
  /** MQTT event backlog while the broker is away (default 10,000 messages). */
  mqttBacklog?: number;
  log?: (line: string) => void;
}

const RETENTION_EVERY_MS = 10 * 60_000;
/** Events-mode decisions and per-camera recording limits. */
const RECORDINGS_EVERY_MS = Number(process.env.VIGIL_RECORDINGS_EVERY_MS) > 0 ? Number(process.env.VIGIL_RECORDINGS_EVERY_MS) : 30_000;

export async function startAppNode(options: AppNodeOptions): Promise<AppNode> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const home = dataHome(options.userData);
  for (const problem of hardenDataHome(home)) log(`[data] ${problem}`);
  const modelFiles = new AllowListPolicy([modelImportDir(home), ...(options.modelsDirs ?? [])]);
  // Without a keyring, passwords are sealed with a key kept outside the data folder.
  const cipher = options.cipher ?? keyFileCipher(secretKeyPath(), home);
  let workspace: WorkspaceFile | null = null;
  let engineControl: EngineControl | null = null; // made below; the catalog asks it what the engine demoted
  const models = new ModelCatalog(
    () => workspace?.get().defaultModel ?? null,
    () => engineControl?.demoted() ?? new Map(),
  );
  workspace = new WorkspaceFile({ home, seed: demoWorkspace, knownModels: () => models.names(), cipher, log });
  const workspaceFile = workspace;
  const recordDir = join(home, 'record');
  const store = await openStore({ dataDir: recordDir, log });
  for (const c of workspaceFile.get().cameras) store.recorder.setCameraPolicy(c.id, recordingPolicy(c));
  workspaceFile.on('change', (change) => {
    if (change.kind === 'camera-added' || change.kind === 'camera-updated') store.recorder.setCameraPolicy(change.camera.id, recordingPolicy(change.camera));
  });

  // The engine keeps TensorRT engines with the rest of the app's data (native/src/inference.cpp).
  // So do the provider guard's verdicts (main/models/first-load-guard.ts).
  const env = {
    ...withoutMainMalloc(process.env),
    VIGIL_TRT_CACHE: process.env.VIGIL_TRT_CACHE ?? join(home, 'cache', 'tensorrt'),
    VIGIL_PROVIDER_VERDICTS: process.env.VIGIL_PROVIDER_VERDICTS ?? join(home, 'provider-verdicts.json'),
  };
  const supervisor = new EngineSupervisor({ env, ...(options.launcher ? { launcher: options.launcher } : {}) });
  supervisor.on('status', (s) => {
    if (s.state === 'failed' || s.state === 'restarting') log(`[engine] ${s.state}: ${s.error ?? ''}`);
  });
  supervisor.on('gap', (g) => log(`[engine] back after ${((g.to ?? Date.now()) - g.from) / 1000} s (${g.reason})`));
  // Track ids restart with each engine process: the recorder keys them by run.
  supervisor.on('ready', () => store.recorder.startEngineRun());

  const segmentsDir = join(recordDir, 'segments');
  const control = new EngineControl(supervisor, workspaceFile, (name) => models.resolve(name), segmentsDir);
  engineControl = control;
  const recordings = new Recordings({
    store,
    segmentsDir,
    cameras: () => workspaceFile.get().cameras,
    probe: (path) => supervisor.request('probeSegment', { path }),
    log,
  });
  control.on('segment', (s) => recordings.index(s));
  // Each engine start: the files the previous engine left (listed before this one records) are indexed.
  supervisor.on('ready', () => {
    const files = recordings.listFiles();
    void recordings.recover(files).catch((e: Error) => log(`[recording] cannot index the segments left by the previous engine: ${e.message}`));
  });
  const enforceRecordings = setInterval(() => {
    recordings.enforce().catch((e: Error) => log(`[recording] ${e.message}`));
  }, RECORDINGS_EVERY_MS);
  enforceRecordings.unref();
  control.on('log', log);
  control.on('batch', (batch) => {
    const receipt = store.recorder.write(batch);
    if (!receipt.ok) log(`[recorder] batch rejected: ${receipt.error}`);
  });
  // MQTT after the recorder: the database has every batch before anything is queued for the broker.
  const mqtt = new MqttPublisher({
    names: namesFrom(workspaceFile),
    version: appVersion(),
    log,
    ...(options.mqttBacklog ? { backlogLimit: options.mqttBacklog } : {}),
  });
  mqtt.configure(mqttConfig(workspaceFile, options.mqttUrl));
  workspaceFile.on('change', (change) => {
    if (change.kind === 'settings') mqtt.configure(mqttConfig(workspaceFile, options.mqttUrl));
  });
  control.on('batch', (batch) => mqtt.batch(batch));
  const publishEngine = () => mqtt.engine(supervisor.status(), control.stats());
  control.on('stats', publishEngine);
  supervisor.on('status', publishEngine);
  const outages = new CameraOutages(store.recorder);
  control.on('stats', (stats) => outages.update(stats));
  workspaceFile.on('change', (change) => {
    if (change.kind !== 'settings') outages.forget(change.camera.id);
  });
  control.on('snapshot', (snapshot) => {
    if (workspaceFile.camera(snapshot.camera)?.record.snapshots === false) return;
    store.recorder.saveSnapshot(snapshot).catch((e: Error) => log(`[recorder] snapshot of camera '${snapshot.camera}' not saved: ${e.message}`));
  });

  let usedBytes = 0;
  const measure = () =>
    store.queries.usage().then(
      (u) => void (usedBytes = u.totalBytes),
      () => undefined,
    );
  void measure();
  const retention = setInterval(() => {
    const r = workspaceFile.get().retention;
    store.retention
      .run({ maxAgeDays: r.maxAgeDays, maxBytes: r.maxGigabytes * 1024 ** 3 })
      .then(measure)
      .catch((e: Error) => log(`[retention] ${e.message}`));
  }, RETENTION_EVERY_MS);
  retention.unref();

  // A full disk: give back the reserve so the database can take the deletes, then make room by
  // deleting the oldest recordings (a fifth of what Vigil holds), at most every 15 s while writes
  // keep failing; recording resumes by itself once a write succeeds. The reserve is set aside again
  // once the disk has room.
  const reserve = new DiskReserve(recordDir);
  reserve.ensure();
  let lastEmergency = 0;
  store.recorder.onCommit(() => {
    if (reserve.held() === 0 && Date.now() - lastEmergency > 60_000) reserve.ensure();
  });
  store.recorder.onFailure((err) => {
    if (!isDiskFull(err.message) || Date.now() - lastEmergency < 15_000) return;
    lastEmergency = Date.now();
    const released = reserve.release();
    void store.queries
      .usage()
      .then((u) => {
        // The write-ahead log is left out: retention checkpoints it first, which alone would meet a target that counted it.
        const held = u.databaseBytes + u.snapshotBytes + u.segmentBytes;
        log(
          `[retention] the disk is full: released the ${Math.round(released / 1024)} KiB reserve; deleting the oldest recordings to free about ${Math.round(held / 5 / 1024)} KiB`,
        );
        return store.retention.run({ maxBytes: Math.max(1, Math.floor(held * 0.8)) });
      })
      .then((r) => log(`[retention] freed room: ${r.tracksDeleted} tracks and ${r.filesDeleted} files deleted`))
      .then(measure)
      .catch((e: Error) => log(`[retention] could not make room on the full disk: ${e.message}`));
  });

  const services = createServices({
    mode: options.mode,
    supervisor,
    workspace: workspaceFile,
    control,
    models,
    review: reviewOver(
      store,
      () => usedBytes,
      (camera, zone) => workspaceFile.camera(camera)?.zones.find((z) => z.id === zone)?.name ?? null,
    ),
    dataDir: home,
    exports: new ExportJobs(recordDir, undefined, log),
    modelFiles,
    mqttStatus: () => mqtt.status(),
  });
  supervisor.start();
  return {
    services,
    supervisor,
    workspace: workspaceFile,
    control,
    store,
    mqtt,
    home,
    modelFiles,
    mediaDir: recordDir,
    async close() {
      clearInterval(retention);
      clearInterval(enforceRecordings);
      await services.close();
      await supervisor.stop();
      await mqtt.close();
      await store.close();
    },
  };
}
