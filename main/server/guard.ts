// Who may talk to `vigil serve`: every request and WebSocket upgrade passes `admit` before anything
// else. It checks the Host header (DNS rebinding), the Origin and Fetch Metadata headers (other
// sites), the access token (header, cookie or query), and limits failed attempts per address.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { ApiErrorBody } from '../api/contract.js';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.') || host.endsWith('.localhost');
}

/** The host name of a Host header value, lower-case, without the port ('[::1]:80' → '::1'). */
export function hostName(header: string): string | null {
  const h = header.trim().toLowerCase();
  if (!h || /[\s/@\\?#]/.test(h)) return null;
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : null;
  }
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

export interface GuardOptions {
  /** The address the server is bound to (a name here is accepted in Host). */
  host: string;
  /** More host names the server may be reached by (`--allowed-host`). */
  allowedHosts?: string[];
  token?: string;
  /** Failed attempts per address before 429 (default 10), and the window they count in (default 60 s). */
  maxFailures?: number;
  failureWindowMs?: number;
}

export type Admission = { ok: true; setCookie?: string } | { ok: false; status: number; error: ApiErrorBody; retryAfterS?: number };

const COOKIE = 'vigil_token';
const ONE_TIME_LINK_MS = 10 * 60_000;
/** Addresses remembered for rate limiting, at most (the oldest are forgotten first). */
const MAX_TRACKED_ADDRESSES = 10_000;

function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The vigil_token cookie's value; a value that is not valid percent-encoding counts as none. */
export function cookieToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name !== COOKIE) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export class Guard {
  private readonly failures = new Map<string, { count: number; since: number }>();
  private readonly onceCodes = new Map<string, number>();
  private readonly allowed: Set<string>;

  constructor(private readonly options: GuardOptions) {
    this.allowed = new Set(['localhost', '127.0.0.1', '::1', ...(options.allowedHosts ?? []).map((h) => h.toLowerCase())]);
    const bound = options.host.toLowerCase().replace(/^\[|\]$/g, '');
    if (bound !== '0.0.0.0' && bound !== '::') this.allowed.add(bound);
  }

  /** A link that signs a browser in once (within 10 minutes), instead of printing the token. */
  oneTimeCode(): string {
    const code = randomBytes(18).toString('base64url');
    this.onceCodes.set(code, Date.now() + ONE_TIME_LINK_MS);
    return code;
  }

  /** Host names this node answers to: loopback, the bound address, --allowed-host, and IP literals. */
  hostAllowed(header: string | undefined): boolean {
    const name = header === undefined ? null : hostName(header);
    if (name === null) return false;
    // An IP literal cannot be re-pointed by DNS; names must be known.
    return this.allowed.has(name) || isLoopback(name) || isIP(name) !== 0;
  }

  /** Same origin or none: a page of another site (or a sandboxed frame, Origin: null) is refused. */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let u: URL;
      try {
        u = new URL(origin);
      } catch {
        return false;
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
      if (u.host.toLowerCase() !== (req.headers.host ?? '').toLowerCase()) return false;
    }
    // Fetch Metadata: browsers say where a request comes from even when they send no Origin (GET).
    const site = req.headers['sec-fetch-site'];
    const mode = req.headers['sec-fetch-mode'];
    if (site === 'cross-site' || site === 'same-site') return mode === 'navigate' && req.method === 'GET' && !req.url?.startsWith('/api/');
    return true;
  }

  admit(req: IncomingMessage, url: URL): Admission {
    if (!this.hostAllowed(req.headers.host)) {
      return {
        ok: false,
        status: 421,
        error: {
          code: 'bad-host',
          message: `this Vigil node does not answer to the host name '${String(req.headers.host ?? '')}' — open it by its address, or start it with --allowed-host NAME`,
        },
      };
    }
    if (!this.originAllowed(req)) {
      return {
        ok: false,
        status: 403,
        error: { code: 'cross-origin', message: 'requests from other web sites are refused — open Vigil from its own address' },
      };
    }
    const token = this.options.token;
    if (!token) return { ok: true };
    const address = req.socket.remoteAddress ?? 'unknown';
    const blocked = this.blockedFor(address);
    if (blocked > 0) {
      return {
        ok: false,
        status: 429,
        retryAfterS: blocked,
        error: { code: 'rate-limited', message: `too many attempts with a wrong access token from ${address} — wait ${blocked} s` },
      };
    }
    const once = url.searchParams.get('once');
    if (once && this.useOnce(once)) return { ok: true, setCookie: this.cookie() };
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const query = url.searchParams.get('token') ?? undefined;
    if (sameSecret(bearer, token) || sameSecret(cookieToken(req.headers.cookie), token)) return { ok: true };
    if (sameSecret(query, token)) return { ok: true, setCookie: this.cookie() };
    this.fail(address);
    return {
      ok: false,
      status: 401,
      error: {
        code: 'unauthorized',
        message:
          'this Vigil node needs its access token: open the one-time link from `vigil serve --one-time-link`, or add ?token=<the token> to the address once',
      },
    };
  }

  private cookie(): string {
    return `${COOKIE}=${encodeURIComponent(this.options.token ?? '')}; HttpOnly; SameSite=Strict; Path=/`;
  }

  private useOnce(code: string): boolean {
    const until = this.onceCodes.get(code);
    if (until === undefined) return false;
    this.onceCodes.delete(code);
    return until > Date.now();
  }

  private blockedFor(address: string): number {
    const f = this.failures.get(address);
    if (!f) return 0;
    const window = this.options.failureWindowMs ?? 60_000;
    const left = f.since + window - Date.now();
    if (left <= 0) {
      this.failures.delete(address);
      return 0;
    }
    return f.count >= (this.options.maxFailures ?? 10) ? Math.ceil(left / 1000) : 0;
  }

  private fail(address: string): void {
    const f = this.failures.get(address);
    if (f) f.count++;
    else {
      if (this.failures.size >= MAX_TRACKED_ADDRESSES) {
        const oldest = this.failures.keys().next().value;
        if (oldest !== undefined) this.failures.delete(oldest);
      }
      this.failures.set(address, { count: 1, since: Date.now() });
    }
  }
}
