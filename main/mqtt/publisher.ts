// Publishes the engine's batches to an MQTT broker (docs/MQTT.md): each camera's events, retained
// zone/line counts, the engine's state and the node's availability (with a last will). It never blocks
// the caller: batch() only queues, the socket drains in the background. While the broker is away the
// event backlog is bounded (the oldest go first, counted); counts and states are kept as their latest
// value and sent again on every connection. Reconnects with exponential backoff.
import type { MqttPayloadFormat, MqttStatus, StreamStats } from '../api/contract.js';
import type { MetadataBatch } from '../api/engine-types.js';
import { parseBrokerUrl } from '../workspace/broker-url.js';
import { MqttSession } from './connection.js';
import { nvmsgconvPayload } from './nvmsgconv.js';
import { analyticsFacts, countPayload, trackFacts, vigilPayload, type EventFacts, type NamesOf } from './payloads.js';
import { ALL_LABELS, topicsUnder, type Topics } from './topics.js';

export interface PublisherConfig {
  enabled: boolean;
  /** Without the password. */
  url: string;
  password: string | null;
  topicPrefix: string;
  format: MqttPayloadFormat;
}

export interface PublisherOptions {
  names: NamesOf;
  /** Vigil's version, for the nvmsgconv analyticsModule. */
  version: string;
  log: (line: string) => void;
  /** Event messages held while the broker is away (default 10,000). */
  backlogLimit?: number;
  /** QoS 1 messages sent and not yet acknowledged (default 64). */
  inFlightLimit?: number;
  /** Reconnect delays: the first, doubled on each failure up to the last (default 500 ms … 30 s). */
  retryMs?: { first: number; max: number };
  keepAliveSeconds?: number;
  /** How long to wait for the broker's answer to CONNECT, ms (default 5000). */
  connectTimeoutMs?: number;
  /** Track updates (a better snapshot) at most this often per track (default 1000 ms). */
  updateEveryMs?: number;
}

interface Retained {
  topic: (t: Topics) => string;
  payload: string;
}

const MAX_TRACKS_REMEMBERED = 50_000;

export class MqttPublisher {
  private config: PublisherConfig = { enabled: false, url: '', password: null, topicPrefix: 'vigil', format: 'vigil' };
  private topics: Topics = topicsUnder('vigil');
  private session: MqttSession | null = null;
  private state: MqttStatus['state'] = 'off';
  private readonly backlog: EventFacts[] = [];
  private backlogHead = 0;
  /** Event messages sent and not yet acknowledged, by send order. */
  private readonly inFlight = new Map<number, EventFacts>();
  /** Retained messages sent and not yet acknowledged. */
  private retainedInFlight = 0;
  private sendSeq = 0;
  private readonly retained = new Map<string, Retained>();
  private readonly dirty = new Set<string>();
  private readonly lastCounts = new Map<string, string>();
  private readonly tracks = new Map<string, { bestFrame: number; sentAt: number }>();
  private lastEngineKey = '';
  private lastEngineAt = 0;
  private published = 0;
  private dropped = 0;
  private droppedSinceConnect = 0;
  private lastError: string | null = null;
  private retryAt: number | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private generation = 0;
  private readonly backlogLimit: number;
  private readonly inFlightLimit: number;

  constructor(private readonly options: PublisherOptions) {
    this.backlogLimit = Math.max(1, options.backlogLimit ?? 10_000);
    this.inFlightLimit = Math.max(1, options.inFlightLimit ?? 64);
  }

  /** Applies settings; a change of broker, password, prefix or format starts a new session. */
  configure(next: PublisherConfig): void {
    const same = JSON.stringify(next) === JSON.stringify(this.config);
    if (same) return;
    const prefixChanged = next.topicPrefix !== this.config.topicPrefix;
    const previous = this.topics;
    this.config = { ...next };
    this.topics = topicsUnder(next.topicPrefix);
    if (prefixChanged) {
      // Counts and states are sent again under the new prefix as the next frames report them.
      this.retained.clear();
      this.dirty.clear();
      this.lastCounts.clear();
      this.lastEngineKey = '';
    }
    this.restart(previous);
  }

  status(): MqttStatus {
    return {
      state: this.state,
      broker: this.config.url || null,
      published: this.published,
      inFlight: this.inFlight.size + this.retainedInFlight,
      backlog: this.backlogSize(),
      backlogLimit: this.backlogLimit,
      dropped: this.dropped,
      lastError: this.lastError,
      retryAt: this.state === 'waiting' ? this.retryAt : null,
    };
  }

  /** Queues a batch's events and counts. Returns at once; never throws. */
  batch(batch: MetadataBatch): void {
    if (!this.config.enabled) return;
    try {
      const names = this.options.names;
      for (const e of batch.events) {
        if (e.kind === 'update' && !this.wantUpdate(`${e.camera}\u0000${e.track}`, e.best.frame, e.time)) continue;
        if (e.kind === 'start') this.rememberTrack(`${e.camera}\u0000${e.track}`, e.best.frame, e.time);
        if (e.kind === 'end') this.tracks.delete(`${e.camera}\u0000${e.track}`);
        this.enqueue(trackFacts(e, names));
      }
      for (const e of batch.analytics ?? []) this.enqueue(analyticsFacts(e, batch, names));
      for (const f of batch.frames) {
        for (const z of f.counts ?? []) {
          for (const l of [{ label: ALL_LABELS, inside: z.inside, in: z.in, out: z.out }, ...z.labels]) {
            // Only a changed count is sent: compared as four values, the payload built only then.
            const key = `count\u0000${f.camera}\u0000${z.zone}\u0000${l.label}`;
            const signature = `${l.inside},${l.in},${l.out},${z.crowded}`;
            if (this.lastCounts.get(key) === signature) continue;
            this.lastCounts.set(key, signature);
            this.setRetained(key, (t) => t.count(f.camera, z.zone, l.label), JSON.stringify(countPayload(f.camera, z, l, f.time, names)));
          }
        }
      }
      this.pump();
    } catch (e) {
      this.options.log(`[mqtt] a batch was not published: ${(e as Error).message}`);
    }
  }

  /** The engine's state and each camera's: sent when a state changes, else at most every 10 s. */
  engine(engine: { state: string; error: string | null; restarts: number }, streams: StreamStats[]): void {
    if (!this.config.enabled) return;
    const cameras = streams.map((s) => ({
      id: s.camera,
      name: this.options.names(s.camera)?.name ?? s.camera,
      state: s.state,
      reason: s.reason,
      decodeFps: Math.round(s.decodeFps * 10) / 10,
      inferFps: Math.round(s.inferFps * 10) / 10,
    }));
    const key = JSON.stringify([engine.state, engine.error, cameras.map((c) => [c.id, c.state, c.reason])]);
    const now = Date.now();
    if (key === this.lastEngineKey && now - this.lastEngineAt < 10_000) return;
    this.lastEngineKey = key;
    this.lastEngineAt = now;
    this.setRetained('engine', (t) => t.engine, JSON.stringify({ state: engine.state, error: engine.error, restarts: engine.restarts, cameras, time: now }));
    this.pump();
  }

  /** Says 'offline' (retained) and ends the session politely. */
  async close(): Promise<void> {
    this.generation++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const session = this.session;
    this.session = null;
    this.state = 'off';
    if (session?.isOpen) {
      const bye = session.publish(this.topics.available, 'offline', 1, true);
      await Promise.race([bye.catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
      await session.close();
    }
  }

  private backlogSize(): number {
    return this.backlog.length - this.backlogHead;
  }

  private wantUpdate(key: string, bestFrame: number, time: number): boolean {
    const t = this.tracks.get(key);
    if (t && (t.bestFrame === bestFrame || time - t.sentAt < (this.options.updateEveryMs ?? 1000))) return false;
    this.rememberTrack(key, bestFrame, time);
    return true;
  }

  private rememberTrack(key: string, bestFrame: number, sentAt: number): void {
    this.tracks.delete(key);
    this.tracks.set(key, { bestFrame, sentAt });
    if (this.tracks.size > MAX_TRACKS_REMEMBERED) this.tracks.delete(this.tracks.keys().next().value as string);
  }

  private enqueue(f: EventFacts): void {
    this.backlog.push(f);
    if (this.backlogSize() > this.backlogLimit) this.dropOldest(this.backlogSize() - this.backlogLimit);
  }

  private dropOldest(n: number): void {
    if (this.droppedSinceConnect === 0) {
      this.options.log(`[mqtt] the event backlog is full (${this.backlogLimit} messages) while the broker is away: dropping the oldest events`);
    }
    this.backlogHead += n;
    this.dropped += n;
    this.droppedSinceConnect += n;
    this.compact();
  }

  private compact(): void {
    if (this.backlogHead > 4096 && this.backlogHead * 2 > this.backlog.length) {
      this.backlog.splice(0, this.backlogHead);
      this.backlogHead = 0;
    }
  }

  private setRetained(key: string, topic: (t: Topics) => string, payload: string): void {
    this.retained.set(key, { topic, payload });
    this.dirty.add(key);
  }

  private render(f: EventFacts): string {
    return this.config.format === 'nvmsgconv' ? nvmsgconvPayload(f, this.options.version) : vigilPayload(f);
  }

  /** Sends what waits, as far as the in-flight window allows: changed states first, then events in order. */
  private pump(): void {
    const session = this.session;
    if (!session?.isOpen) return;
    for (const key of this.dirty) {
      if (this.windowFull()) return;
      const r = this.retained.get(key);
      this.dirty.delete(key);
      if (!r) continue;
      this.send(session, r.topic(this.topics), r.payload, true, () => this.dirty.add(key));
    }
    while (!this.windowFull() && this.backlogSize() > 0) {
      const f = this.backlog[this.backlogHead] as EventFacts;
      this.backlogHead++;
      const seq = ++this.sendSeq;
      this.inFlight.set(seq, f);
      this.send(session, this.topics.events(f.camera.id), this.render(f), false, undefined, seq);
    }
    this.compact();
  }

  private windowFull(): boolean {
    return this.inFlight.size + this.retainedInFlight >= this.inFlightLimit;
  }

  private send(session: MqttSession, topic: string, payload: string, retain: boolean, onLost?: () => void, seq?: number): void {
    if (seq === undefined) this.retainedInFlight++;
    session.publish(topic, payload, 1, retain).then(
      () => {
        if (seq === undefined) this.retainedInFlight--;
        else this.inFlight.delete(seq);
        this.published++;
        this.pump();
      },
      () => {
        // The session ended: requeueInFlight puts the unacknowledged events back in order.
        if (seq === undefined) {
          this.retainedInFlight--;
          onLost?.();
        }
      },
    );
  }

  /** Ends the current session (saying 'offline' under the topics it used) and starts one with the new settings. */
  private restart(previous: Topics): void {
    this.generation++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const old = this.session;
    this.session = null;
    if (old?.isOpen) {
      // A polite DISCONNECT suppresses the last will: say 'offline' first, or the broker keeps 'online'.
      const bye = old.publish(previous.available, 'offline', 1, true).catch(() => undefined);
      void Promise.race([bye, new Promise((r) => setTimeout(r, 1000).unref())]).then(() => old.close());
    } else if (old) void old.close();
    this.requeueInFlight();
    this.failures = 0;
    if (!this.config.enabled || !this.config.url) {
      this.state = 'off';
      return;
    }
    void this.connect(this.generation);
  }

  private requeueInFlight(): void {
    const lost = [...this.inFlight.entries()].sort((a, b) => a[0] - b[0]);
    this.inFlight.clear();
    if (lost.length === 0) return;
    this.backlog.splice(this.backlogHead, 0, ...lost.map(([, f]) => f));
    if (this.backlogSize() > this.backlogLimit) this.dropOldest(this.backlogSize() - this.backlogLimit);
  }

  private async connect(generation: number): Promise<void> {
    const broker = parseBrokerUrl(this.config.url);
    const session = new MqttSession();
    this.session = session;
    this.state = 'connecting';
    session.on('close', (why) => {
      if (generation !== this.generation || this.session !== session) return;
      this.session = null;
      this.requeueInFlight();
      if (this.state === 'connected') this.options.log(`[mqtt] lost the broker ${this.config.url}: ${why}; retrying`);
      this.lastError = why;
      this.scheduleRetry(generation);
    });
    try {
      await session.open({
        broker,
        clientId: `vigil-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
        keepAliveSeconds: this.options.keepAliveSeconds ?? 30,
        connectTimeoutMs: this.options.connectTimeoutMs ?? 5000,
        username: broker.username,
        password: this.config.password,
        will: { topic: this.topics.available, payload: 'offline', retain: true, qos: 1 },
      });
    } catch (e) {
      if (generation === this.generation && this.failures === 1)
        this.options.log(`[mqtt] cannot reach the broker ${this.config.url}: ${(e as Error).message}; retrying with backoff`);
      return;
    }
    if (generation !== this.generation) return void session.close();
    this.state = 'connected';
    this.failures = 0;
    this.retryAt = null;
    const note = this.droppedSinceConnect > 0 ? ` (${this.droppedSinceConnect} events were dropped while it was away)` : '';
    this.options.log(`[mqtt] publishing to ${this.config.url} under '${this.config.topicPrefix}/'${note}`);
    this.droppedSinceConnect = 0;
    // The broker may have restarted without its retained messages: send every state again.
    this.setRetained('available', (t) => t.available, 'online');
    for (const key of this.retained.keys()) this.dirty.add(key);
    this.pump();
  }

  private scheduleRetry(generation: number): void {
    this.state = 'waiting';
    this.failures++;
    const { first, max } = this.options.retryMs ?? { first: 500, max: 30_000 };
    const base = Math.min(max, first * 2 ** Math.min(this.failures - 1, 20));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      if (generation === this.generation) void this.connect(generation);
    }, delay);
    this.retryTimer.unref();
  }
}
