// Loads, changes and saves the workspace file; camera passwords live in the secret store.
import { EventEmitter } from 'node:events';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CameraInput, CameraView, EngineSettings, MqttSettingsInput, MqttSettingsView, RetentionSettings } from '../api/contract.js';
import { brokerUrlView, splitBrokerPassword } from './broker-url.js';
import { projectRoot } from '../paths.js';
import { fileModeCipher, SecretStore, type SecretCipher } from './secrets.js';
import {
  uniqueCameraId,
  validateCamera,
  validateEngineSettings,
  validateMqtt,
  validateRetention,
  validateWorkspace,
  WorkspaceError,
  WORKSPACE_VERSION,
  type CameraConfig,
  type Workspace,
} from './model.js';
import { migrateWorkspace } from './migrate.js';
import { joinCredentials, redactUri, splitCredentials } from './uri.js';

export { dataHome } from '../paths.js';

const MQTT_SECRET = 'mqtt-broker';

/** What changed, so the engine can apply it without restarting other cameras. */
export type WorkspaceChange =
  | { kind: 'camera-added'; camera: CameraConfig }
  | { kind: 'camera-updated'; camera: CameraConfig; previous: CameraConfig }
  | { kind: 'camera-removed'; camera: CameraConfig }
  | { kind: 'settings'; workspace: Workspace };

export interface WorkspaceFileOptions {
  home: string;
  cipher?: SecretCipher;
  /** Seed used when no workspace file exists yet (the demo). */
  seed?: () => unknown;
  knownModels?: () => Set<string>;
  /** Where to say that a damaged workspace file was replaced by the last good copy. */
  log?: (line: string) => void;
}

export class WorkspaceFile extends EventEmitter<{ change: [WorkspaceChange] }> {
  private current: Workspace;
  private readonly file: string;
  private readonly secrets: SecretStore;
  /** The MQTT broker's password, apart from the cameras' (a camera id can be any text). */
  private readonly serviceSecrets: SecretStore;
  private readonly knownModels: () => Set<string> | undefined;
  private readonly lastGoodFile: string;
  /** Set when the workspace file was damaged at start and the last good copy was used instead. */
  readonly notice: string | null = null;

  constructor(options: WorkspaceFileOptions) {
    super();
    mkdirSync(options.home, { recursive: true });
    this.file = join(options.home, 'workspace.json');
    this.lastGoodFile = `${this.file}.last-good`;
    this.secrets = new SecretStore(join(options.home, 'secrets.json'), options.cipher ?? fileModeCipher);
    this.serviceSecrets = new SecretStore(join(options.home, 'service-secrets.json'), options.cipher ?? fileModeCipher, {
      file: 'service credentials',
      reenter: 'MQTT broker password',
    });
    this.knownModels = options.knownModels ?? (() => undefined);
    if (existsSync(this.file)) {
      const loaded = this.load(this.file);
      if (loaded.ok) {
        this.current = loaded.workspace;
        if (loaded.from < WORKSPACE_VERSION) {
          // Written by an older Vigil: keep that file as it was, and write the current format.
          const kept = `${this.file}.v${loaded.from}`;
          if (!existsSync(kept)) writeFileAtomic(kept, readFileSync(this.file, 'utf8'));
          options.log?.(`[workspace] ${this.file} was upgraded from version ${loaded.from} to ${WORKSPACE_VERSION} (the old file is kept as ${kept})`);
          this.save();
        }
        // A start that read the file cleanly makes it the copy to fall back to.
        if (!existsSync(this.lastGoodFile)) writeFileAtomic(this.lastGoodFile, readFileSync(this.file, 'utf8'));
      } else {
        const fallback = existsSync(this.lastGoodFile) ? this.load(this.lastGoodFile) : null;
        if (!fallback?.ok) throw new Error(loaded.error);
        // Keep what was there for the operator, then carry on with the last good copy.
        const kept = `${this.file}.bad-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        renameSync(this.file, kept);
        this.current = fallback.workspace;
        this.notice = `${loaded.error.replace(/ — .*$/, '')}. Started with the last good copy (${this.lastGoodFile}); the damaged file was kept as ${kept}.`;
        options.log?.(`[workspace] ${this.notice}`);
        this.save();
      }
    } else {
      this.current = validateWorkspace(options.seed?.() ?? { cameras: [] });
      // Seeds may carry credentials inline: move them to the secret store like any other.
      this.current.cameras = this.current.cameras.map((c) => this.keepSecret(c));
      this.save();
    }
    // A hand-edited file may carry the broker's password in its URL: seal it and rewrite the file without it.
    if (this.current.mqtt.url && splitBrokerPassword(this.current.mqtt.url).password !== null) {
      this.current.mqtt = this.keepBrokerSecret(this.current.mqtt.url, undefined);
      this.save();
    }
  }

  private load(file: string): { ok: true; workspace: Workspace; from: number } | { ok: false; error: string } {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      return { ok: false, error: `workspace file ${file} is not valid JSON (${(e as Error).message}) — fix it or move it away to start from the demo` };
    }
    try {
      return { ok: true, workspace: validateWorkspace(raw), from: migrateWorkspace(raw).from };
    } catch (e) {
      if (e instanceof WorkspaceError) return { ok: false, error: `workspace file ${file}: ${e.message}` };
      throw e;
    }
  }

  get path(): string {
    return this.file;
  }

  get(): Workspace {
    return structuredClone(this.current);
  }

  camera(id: string): CameraConfig | undefined {
    return this.current.cameras.find((c) => c.id === id);
  }

  /** The URI the engine opens, with the password put back in. Never send this to the renderer. */
  engineUri(camera: CameraConfig): string {
    return joinCredentials(camera.uri, this.secrets.get(camera.id));
  }

  view(camera: CameraConfig): CameraView {
    return {
      id: camera.id,
      name: camera.name,
      // The real credentials put back, then every one of them shown as ***: a query-only secret
      // (…?pwd=) must not grow an empty user name with a password (rtsp://:***@host).
      uri: redactUri(this.engineUri(camera)),
      enabled: camera.enabled,
      detectFps: camera.detectFps,
      motion: { ...camera.motion },
      model: camera.model,
      record: { ...camera.record },
      zones: structuredClone(camera.zones),
    };
  }

  /** The MQTT settings as the renderer sees them: never the password. */
  mqttView(): MqttSettingsView {
    const hasPassword = this.serviceSecrets.get(MQTT_SECRET) !== null;
    return { ...this.current.mqtt, url: brokerUrlView(this.current.mqtt.url, hasPassword), hasPassword };
  }

  /** The broker's password, for the publisher only. Never send this to the renderer or a log. */
  brokerPassword(): string | null {
    return this.serviceSecrets.get(MQTT_SECRET);
  }

  /** Refuses a camera name another camera already has (case-insensitive): two "Gate" tiles cannot be told apart. */
  checkNameFree(name: unknown, exceptId?: string): void {
    if (typeof name !== 'string') return; // validateCamera names the problem
    const taken = this.current.cameras.find((c) => c.id !== exceptId && c.name.trim().toLowerCase() === name.trim().toLowerCase());
    if (taken) throw new WorkspaceError('camera.name', `a camera named '${taken.name}' already exists — give this camera its own name`);
  }

  addCamera(input: CameraInput): CameraConfig {
    this.checkNameFree(input.name);
    const id = uniqueCameraId(
      input.name ?? 'camera',
      this.current.cameras.map((c) => c.id),
    );
    const camera = this.keepSecret(validateCamera({ ...input, id }, 'camera', this.knownModels()));
    this.current.cameras.push(camera);
    this.save();
    this.emit('change', { kind: 'camera-added', camera });
    return camera;
  }

  updateCamera(id: string, patch: Partial<CameraInput>): CameraConfig {
    const index = this.current.cameras.findIndex((c) => c.id === id);
    const previous = this.current.cameras[index];
    if (!previous) throw new WorkspaceError('id', `'${id}' is not a camera of this workspace — reload the camera list`);
    if (patch.name !== undefined) this.checkNameFree(patch.name, id);
    // The masked URI coming back from the renderer means "unchanged"; a changed one that still holds
    // *** would store the stars as the password.
    const uri = patch.uri === undefined || patch.uri === this.view(previous).uri ? undefined : patch.uri;
    if (uri?.includes('***'))
      throw new WorkspaceError('uri', 'the URI still shows *** where a password was — type the password again, or leave the URI as it was');
    const merged = {
      ...previous,
      ...patch,
      id,
      uri: uri ?? previous.uri,
      record: { ...previous.record, ...patch.record },
      motion: { ...previous.motion, ...patch.motion },
    };
    let camera = validateCamera(merged, 'camera', this.knownModels());
    camera = uri === undefined ? camera : this.keepSecret(camera);
    this.current.cameras[index] = camera;
    this.save();
    this.emit('change', { kind: 'camera-updated', camera, previous });
    return camera;
  }

  removeCamera(id: string): CameraConfig {
    const camera = this.camera(id);
    if (!camera) throw new WorkspaceError('id', `'${id}' is not a camera of this workspace — reload the camera list`);
    this.current.cameras = this.current.cameras.filter((c) => c.id !== id);
    this.secrets.set(id, null);
    this.save();
    this.emit('change', { kind: 'camera-removed', camera });
    return camera;
  }

  updateSettings(patch: {
    engine?: Partial<EngineSettings>;
    retention?: Partial<RetentionSettings>;
    defaultModel?: string;
    mqtt?: MqttSettingsInput;
  }): Workspace {
    const { password, ...mqttPatch } = patch.mqtt ?? {};
    // A masked URL coming back from the renderer means "the same broker, the same password".
    const masked = mqttPatch.url !== undefined && mqttPatch.url.includes(':***@');
    const mqtt = validateMqtt({ ...this.current.mqtt, ...mqttPatch, ...(masked ? { url: this.current.mqtt.url } : {}) });
    const engine = validateEngineSettings({ ...this.current.engine, ...patch.engine, preview: { ...this.current.engine.preview, ...patch.engine?.preview } });
    const retention = validateRetention({ ...this.current.retention, ...patch.retention });
    let defaultModel = this.current.defaultModel;
    if (patch.defaultModel !== undefined) {
      const known = this.knownModels();
      if (known && !known.has(patch.defaultModel)) {
        throw new WorkspaceError('defaultModel', `names '${patch.defaultModel}', which is not installed — pick one of ${[...known].join(', ')}`);
      }
      defaultModel = patch.defaultModel;
    }
    this.current = { ...this.current, engine, retention, defaultModel, mqtt: this.keepBrokerSecret(mqtt.url, password, mqtt) };
    this.save();
    this.emit('change', { kind: 'settings', workspace: this.get() });
    return this.get();
  }

  /** Seals a password given in the URL or apart (`password`: undefined keeps the stored one, null removes it). */
  private keepBrokerSecret(url: string, password: string | null | undefined, settings = this.current.mqtt): Workspace['mqtt'] {
    const split = url ? splitBrokerPassword(url) : { url, password: null };
    const next = password !== undefined ? password : split.password;
    if (next !== null || password === null) this.serviceSecrets.set(MQTT_SECRET, next);
    return { ...settings, url: split.url };
  }

  private keepSecret(camera: CameraConfig): CameraConfig {
    const { uri, password } = splitCredentials(camera.uri);
    this.secrets.set(camera.id, password);
    return { ...camera, uri };
  }

  /** Never leaves a truncated file: the new content is complete on disk before it replaces the old. */
  private save(): void {
    const text = `${JSON.stringify(this.current, null, 2)}\n`;
    writeFileAtomic(this.file, text);
    writeFileAtomic(this.lastGoodFile, text);
  }
}

/** The demo: cameras playing the prepared clip, or generated patterns where it is missing. */
export function demoWorkspace(): unknown {
  const root = projectRoot();
  const template = JSON.parse(readFileSync(join(root, 'resources', 'demo-workspace.json'), 'utf8')) as { cameras: { uri: string }[] };
  const media = join(root, '.vigil', 'media');
  const clip = join(media, 'vtest.mp4');
  for (const c of template.cameras) {
    c.uri = existsSync(clip) ? c.uri.replace('{{media}}', media) : 'test://ball?width=768&height=576&fps=10';
  }
  return template;
}

/** Writes `text` to a temporary file, flushes it to disk, renames it over `file`, then flushes the folder. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    const bytes = Buffer.from(text, 'utf8');
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true }); // a full disk leaves the old file as it was, and no half-written copy
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
  try {
    const dir = openSync(dirname(file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Some file systems cannot fsync a folder; the rename is still atomic.
  }
}
