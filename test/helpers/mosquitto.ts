// A real mosquitto broker for tests (Debian's package, set-up installs it): its own config file in a
// temp folder, a free port on 127.0.0.1, persistence on (a stopped and restarted broker keeps the
// subscriptions and queued messages of persistent sessions), and a mosquitto_sub subscriber.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const MOSQUITTO_SUB = '/usr/bin/mosquitto_sub';

/** Why the broker tests cannot run here (null: they can). */
export function mosquittoMissing(): string | null {
  for (const bin of [MOSQUITTO, MOSQUITTO_SUB, '/usr/bin/mosquitto_passwd']) {
    if (!existsSync(bin))
      return `${bin} is missing: install mosquitto and mosquitto-clients (apt-get install mosquitto mosquitto-clients, or node scripts/setup.mjs)`;
  }
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function accepting(port: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((r) => {
      const c = connect({ host: '127.0.0.1', port }, () => {
        c.destroy();
        r(true);
      });
      c.once('error', () => r(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export interface Broker {
  port: number;
  url: string;
  dir: string;
  /** Starts the broker (again) on the same port. */
  start(): Promise<void>;
  /** Stops it: SIGTERM saves its persistent sessions, SIGKILL loses what it had not saved. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  running(): boolean;
  log(): string;
}

export async function startMosquitto(options: { user?: string; password?: string } = {}): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mosquitto-'));
  const port = await freePort();
  const lines = [
    `listener ${port} 127.0.0.1`,
    'user root',
    'persistence true',
    `persistence_location ${dir}/`,
    `log_dest file ${join(dir, 'mosquitto.log')}`,
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'max_queued_messages 100000',
  ];
  if (options.user) {
    const pw = join(dir, 'passwords');
    const r = spawnSync('/usr/bin/mosquitto_passwd', ['-b', '-c', pw, options.user, options.password ?? ''], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
    lines.push('allow_anonymous false', `password_file ${pw}`);
  } else lines.push('allow_anonymous true');
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  let child: ChildProcess | null = null;
  const broker: Broker = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    dir,
    async start() {
      child = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
      if (!(await accepting(port, 10_000))) throw new Error(`mosquitto did not start on port ${port}:\n${broker.log()}`);
    },
    async stop(signal = 'SIGTERM') {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill(signal);
      });
    },
    running: () => child !== null && child.exitCode === null,
    log: () => (existsSync(join(dir, 'mosquitto.log')) ? readFileSync(join(dir, 'mosquitto.log'), 'utf8') : ''),
  };
  await broker.start();
  return broker;
}

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/**
 * mosquitto_sub on `filter`: a persistent session at QoS 1 (-c), so messages published while it
 * reconnects after a broker restart are kept for it. Every message, in order.
 */
export function subscribe(broker: Broker, filter: string, options: { id?: string; user?: string; password?: string } = {}) {
  const id = options.id ?? `test-sub-${process.pid}`;
  // A probe topic of its own tells when the subscription is in place (ready()).
  const probe = `vigil-test-probe/${id}`;
  const auth = options.user ? ['-u', options.user, '-P', options.password ?? ''] : [];
  const args = ['-h', '127.0.0.1', '-p', String(broker.port), '-t', filter, '-t', probe, '-q', '1', '-c', '-i', id, '-F', '%j', ...auth];
  let probed = false;
  const child = spawn(MOSQUITTO_SUB, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const messages: Received[] = [];
  let partial = '';
  let errors = '';
  child.stdout.on('data', (d: Buffer) => {
    partial += d.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const m = JSON.parse(line) as { topic: string; payload: string; retain: number | boolean };
      if (m.topic === probe) {
        probed = true;
        continue;
      }
      messages.push({ topic: m.topic, payload: m.payload, retain: Boolean(m.retain) });
    }
  });
  child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
  return {
    messages,
    errors: () => errors,
    /** Resolves once the subscription receives (a probe published with mosquitto_pub). */
    async ready(ms = 10_000): Promise<void> {
      const end = Date.now() + ms;
      while (!probed) {
        if (Date.now() > end) throw new Error(`mosquitto_sub ${id} did not subscribe within ${ms} ms: ${errors}`);
        spawnSync('/usr/bin/mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.port), '-t', probe, '-m', 'probe', ...auth]);
        await until(() => probed, 200);
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function until(pred: () => boolean, ms: number, step = 25): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, step));
  }
  return pred();
}

/** The first defined value `probe` gives within `ms` (errors count as not yet); throws naming `what` after. */
export async function eventually<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
