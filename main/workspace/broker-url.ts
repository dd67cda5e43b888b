// MQTT broker URLs: mqtt://[user[:password]@]host[:port] (TCP, port 1883) or mqtts://… (TLS, port 8883).
// The password never stays in the workspace: it is split off here and sealed in the secret store.
import { MQTT_SCHEMES, orList } from '../api/registries.js';

export interface BrokerUrl {
  host: string;
  port: number;
  tls: boolean;
  username: string | null;
  password: string | null;
}

const DEFAULT_PORTS: Record<string, number> = { 'mqtt:': 1883, 'mqtts:': 8883 };
const EXAMPLE = 'e.g. mqtt://localhost:1883';

/** What is wrong with a broker URL, in words naming the fix (null: fine). */
export function brokerUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `is not a URL — write the broker's address as mqtt://host:port (${EXAMPLE})`;
  }
  if (!(MQTT_SCHEMES as readonly string[]).includes(u.protocol)) {
    return `must start with ${orList(MQTT_SCHEMES.map((s) => `${s}//`))} (${EXAMPLE}), not '${u.protocol}//'`;
  }
  if (!u.hostname) return `names no host — write the broker's address as mqtt://host:port (${EXAMPLE})`;
  if ((u.pathname && u.pathname !== '/') || u.search || u.hash) return `must be only mqtt://host:port, without a path, query or fragment (${EXAMPLE})`;
  return null;
}

/** Parses a URL that brokerUrlProblem accepted. */
export function parseBrokerUrl(url: string): BrokerUrl {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : (DEFAULT_PORTS[u.protocol] ?? 1883),
    tls: u.protocol === 'mqtts:',
    username: u.username ? decodeURIComponent(u.username) : null,
    password: u.password ? decodeURIComponent(u.password) : null,
  };
}

/** The URL without its password, and the password. */
export function splitBrokerPassword(url: string): { url: string; password: string | null } {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : null;
  u.password = '';
  return { url: normalise(u), password };
}

/** The URL as shown to the operator: a stored password is '***'. */
export function brokerUrlView(url: string, hasPassword: boolean): string {
  if (!url || !hasPassword) return url;
  const u = new URL(url);
  if (!u.username) return url; // a password without a user name is not sent (MQTT 3.1.1)
  u.password = '***';
  return normalise(u);
}

function normalise(u: URL): string {
  // new URL keeps a trailing '/' for these schemes' empty paths only sometimes: drop it so the same broker reads the same.
  return u.toString().replace(/\/$/, '');
}
