// Runs the engine in its own process, restarts it with backoff when it dies, and keeps its status.
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { EngineInfo, EngineStatus } from '../api/contract.js';
import { projectRoot } from '../paths.js';
import type { EngineEvent, EngineMethod, EngineRequests, FromEngine, ToEngine } from './protocol.js';

/** One running engine process, however it was started (Node fork or Electron utilityProcess). */
export interface EngineChild {
  readonly pid: number | undefined;
  send(message: ToEngine): void;
  onMessage(listener: (message: FromEngine) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

export type EngineLauncher = (entry: string, env: NodeJS.ProcessEnv) => EngineChild;

export const forkLauncher: EngineLauncher = (entry, env) => {
  const child = fork(entry, [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  // A message sent as the process dies fails with EPIPE; its 'exit' reports the death, so the
  // 'error' event must not go unhandled (it would end the main process).
  child.on('error', () => undefined);
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => {
      if (child.connected) child.send(m, () => undefined);
    },
    onMessage: (l) => child.on('message', (m) => l(m as FromEngine)),
    onExit: (l) => child.on('exit', (code, signal) => l(code, signal)),
    kill: () => child.kill('SIGKILL'),
  };
};

export interface EngineGap {
  /** Wall-clock ms when the engine went away and when it was back (null while still down). */
  from: number;
  to: number | null;
  reason: string;
}

export interface SupervisorOptions {
  launcher?: EngineLauncher;
  entry?: string;
  env?: NodeJS.ProcessEnv;
  /** Restart backoff: first delay and cap, in ms. */
  backoffMs?: { first: number; max: number };
  requestTimeoutMs?: number;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class EngineUnavailableError extends Error {
  readonly code = 'engine-unavailable';
}

export class EngineSupervisor extends EventEmitter<{ status: [EngineStatus]; gap: [EngineGap]; event: [EngineEvent]; ready: [EngineInfo] }> {
  private child: EngineChild | null = null;
  private state: EngineStatus = { state: 'stopped', info: null, error: null, restarts: 0, pid: null };
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private backoff: number;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private openGap: EngineGap | null = null;
  readonly gaps: EngineGap[] = [];
  private readonly launcher: EngineLauncher;
  private readonly entry: string;
  private readonly backoffMs: { first: number; max: number };
  private readonly requestTimeoutMs: number;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: SupervisorOptions = {}) {
    super();
    this.launcher = options.launcher ?? forkLauncher;
    this.entry = options.entry ?? join(projectRoot(), 'dist', 'main', 'engine', 'engine-process.js');
    this.env = options.env ?? process.env;
    this.backoffMs = options.backoffMs ?? { first: 250, max: 10_000 };
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.backoff = this.backoffMs.first;
  }

  status(): EngineStatus {
    return { ...this.state };
  }

  start(): void {
    this.stopping = false;
    this.launch();
  }

  /** Resolves once the engine reports ready, or rejects with its fatal error. */
  ready(): Promise<EngineInfo> {
    if (this.state.state === 'running' && this.state.info) return Promise.resolve(this.state.info);
    if (this.state.state === 'failed') return Promise.reject(new EngineUnavailableError(this.state.error ?? 'engine failed'));
    return new Promise((resolve, reject) => {
      const onStatus = (s: EngineStatus) => {
        if (s.state === 'running' && s.info) {
          this.off('status', onStatus);
          resolve(s.info);
        } else if (s.state === 'failed') {
          this.off('status', onStatus);
          reject(new EngineUnavailableError(s.error ?? 'engine failed'));
        }
      };
      this.on('status', onStatus);
    });
  }

  request<M extends EngineMethod>(method: M, params: EngineRequests[M]['params']): Promise<EngineRequests[M]['result']> {
    const child = this.child;
    if (!child || this.state.state !== 'running') {
      return Promise.reject(new EngineUnavailableError(this.unavailableReason()));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new EngineUnavailableError(`engine did not answer '${method}' within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      child.send({ kind: 'request', id, method, params });
    });
  }

  /** Kills the engine process; it comes back through the normal restart path. */
  restart(): void {
    if (this.child) this.child.kill();
    else if (this.state.state === 'failed' || this.state.state === 'stopped') {
      this.stopping = false;
      this.launch();
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (child) {
      await new Promise<void>((resolve) => {
        child.onExit(() => resolve());
        child.kill();
      });
    }
    this.setState({ state: 'stopped', pid: null });
  }

  private unavailableReason(): string {
    if (this.state.error) return `the engine is not running: ${this.state.error}`;
    return `the engine is ${this.state.state}; try again in a moment`;
  }

  private launch(): void {
    this.setState({ state: this.state.restarts > 0 ? 'restarting' : 'starting', pid: null });
    const child = this.launcher(this.entry, this.env);
    this.child = child;
    this.setState({ pid: child.pid ?? null });
    child.onMessage((m) => this.onMessage(m));
    child.onExit((code, signal) => this.onExit(child, code, signal));
  }

  private onMessage(m: FromEngine): void {
    switch (m.kind) {
      case 'ready':
        this.backoff = this.backoffMs.first;
        if (this.openGap) {
          this.openGap.to = Date.now();
          this.emit('gap', this.openGap);
          this.openGap = null;
        }
        this.setState({ state: 'running', info: m.info, error: null });
        this.emit('ready', m.info);
        break;
      case 'fatal':
        this.setState({ error: m.error });
        if (!m.retry) this.stopping = true;
        if (!m.retry) this.setState({ state: 'failed' });
        break;
      case 'reply': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.ok) p.resolve(m.result);
        else p.reject(new Error(m.error));
        break;
      }
      default:
        this.emit('event', m);
    }
  }

  private onExit(child: EngineChild, code: number | null, signal: string | null): void {
    if (child !== this.child) return;
    this.child = null;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new EngineUnavailableError('the engine process stopped while answering; it is being restarted'));
      this.pending.delete(id);
    }
    if (this.stopping) {
      if (this.state.state !== 'failed') this.setState({ state: 'stopped', pid: null });
      else this.setState({ pid: null });
      return;
    }
    const reason = signal ? `engine process killed by ${signal}` : `engine process exited with code ${code}`;
    if (!this.openGap) {
      this.openGap = { from: Date.now(), to: null, reason };
      this.gaps.push(this.openGap);
    }
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.backoffMs.max);
    this.setState({ state: 'restarting', pid: null, error: `${reason}; restarting in ${delay} ms`, restarts: this.state.restarts + 1 });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.launch();
    }, delay);
  }

  private setState(patch: Partial<EngineStatus>): void {
    this.state = { ...this.state, ...patch };
    this.emit('status', this.status());
  }
}
