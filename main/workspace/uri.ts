// Camera URIs: which schemes Vigil opens, which files a file camera may be, and how credentials
// (user:password, and the query-string forms some cameras use: ?user=…&pwd=…) are kept out of sight.

export const CAMERA_SCHEMES = ['file:', 'rtsp:', 'rtsps:', 'http:', 'https:', 'v4l2:', 'test:'] as const;

/** Query parameters that carry credentials: stored apart from the workspace and redacted like a password. */
export const CREDENTIAL_QUERY_KEYS: ReadonlySet<string> = new Set([
  'user',
  'username',
  'usr',
  'login',
  'account',
  'pwd',
  'password',
  'passwd',
  'pass',
  'psw',
  'passphrase',
  'token',
  'access_token',
  'auth',
  'key',
  'apikey',
  'api_key',
  'secret',
  'sig',
  'signature',
]);

/** What a file camera may be: a video file by its extension (the engine decodes it with GStreamer;
 * .ogg is an Ogg container that may hold Theora video — an audio-only one is reported as having no video). */
export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set([
  'mp4',
  'm4v',
  'mov',
  'mkv',
  'webm',
  'avi',
  'ts',
  'mts',
  'm2ts',
  'mpg',
  'mpeg',
  'flv',
  'wmv',
  'ogv',
  'ogg',
  '3gp',
  'h264',
  '264',
  'h265',
  '265',
  'hevc',
  'mjpeg',
  'mjpg',
  'y4m',
]);

/** System folders a file camera never reads from, whatever the file is called. */
export const FORBIDDEN_FILE_ROOTS = ['/etc', '/proc', '/sys', '/dev', '/boot', '/run', '/var/run'] as const;

// Marks a secret that holds more than a userinfo password; \u0001 cannot come from a typed password.
const SECRET_MARK = '\u0001vigil-secret:';

interface Secret {
  password: string | null;
  query: [string, string][];
}

function isCredentialKey(key: string): boolean {
  return CREDENTIAL_QUERY_KEYS.has(key.toLowerCase());
}

function encodeSecret(s: Secret): string | null {
  if (s.query.length === 0) return s.password;
  return SECRET_MARK + JSON.stringify(s);
}

function decodeSecret(secret: string): Secret {
  if (!secret.startsWith(SECRET_MARK)) return { password: secret, query: [] };
  try {
    const s = JSON.parse(secret.slice(SECRET_MARK.length)) as Secret;
    return { password: typeof s.password === 'string' ? s.password : null, query: Array.isArray(s.query) ? s.query : [] };
  } catch {
    return { password: null, query: [] };
  }
}

export interface SplitUri {
  /** The URI without its password and credential query parameters (a userinfo user name stays). */
  uri: string;
  /** Everything taken out, as one opaque string for the secret store (null: nothing secret). */
  password: string | null;
}

/** Removes the credentials from a URI so they can be stored apart (encrypted) from the workspace. */
export function splitCredentials(uri: string): SplitUri {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return { uri, password: null };
  }
  const password = u.password ? decodeURIComponent(u.password) : null;
  u.password = '';
  const query: [string, string][] = [];
  for (const [k, v] of [...u.searchParams]) if (isCredentialKey(k)) query.push([k, v]);
  if (query.length > 0) {
    for (const [k] of query) u.searchParams.delete(k);
  }
  const secret = encodeSecret({ password, query });
  return { uri: secret === null ? uri : u.toString(), password: secret };
}

/** Puts the credentials that splitCredentials took out back in: the URI the engine opens. */
export function joinCredentials(uri: string, password: string | null): string {
  if (!password) return uri;
  const s = decodeSecret(password);
  const u = new URL(uri);
  if (s.password) u.password = encodeURIComponent(s.password);
  for (const [k, v] of s.query) u.searchParams.append(k, v);
  return u.toString();
}

/**
 * The form shown to operators and written to logs: rtsp://user:***@host/path?pwd=***. A URI that
 * does not parse (a raw '/' or '#' in a password) is redacted from the scheme to its last '@', so no
 * tail of a password can show.
 */
export function redactUri(uri: string): string {
  try {
    const u = new URL(uri);
    let changed = false;
    if (u.password) {
      u.password = 'REDACTED';
      changed = true;
    }
    const keys = [...u.searchParams.keys()].filter(isCredentialKey);
    for (const k of new Set(keys)) {
      u.searchParams.set(k, 'REDACTED');
      changed = true;
    }
    return changed ? u.toString().replaceAll('REDACTED', '***') : uri;
  } catch {
    return redactUnparsable(uri);
  }
}

function redactUnparsable(uri: string): string {
  let out = uri;
  const start = out.indexOf('//');
  const at = out.lastIndexOf('@');
  if (start >= 0 && at > start) {
    const userinfo = out.slice(start + 2, at);
    const colon = userinfo.indexOf(':');
    const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    // A '/' in the "user" means the URI's structure is unclear: hide all of it.
    out = `${out.slice(0, start + 2)}${user.includes('/') ? '***' : `${user}:***`}@${out.slice(at + 1)}`;
  }
  return out.replace(/([?&;])([^=&;#]+)=([^&;#]*)/g, (m, sep: string, k: string) => (isCredentialKey(k) ? `${sep}${k}=***` : m));
}

/** Why a URI cannot be a camera, or null when it can (the syntax only; services check the file itself). */
export function uriProblem(uri: string): string | null {
  if (!uri.trim()) return 'is empty — enter a camera URI such as rtsp://user:password@host/stream or file:///path/video.mp4';
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return `'${redactUri(uri)}' is not a URI — use a form like rtsp://host/stream, file:///path/video.mp4 or v4l2:///dev/video0`;
  }
  if (!(CAMERA_SCHEMES as readonly string[]).includes(u.protocol)) {
    return `scheme '${u.protocol.replace(':', '')}' is not supported — use one of ${CAMERA_SCHEMES.map((s) => s.replace(':', '')).join(', ')}`;
  }
  if (u.protocol === 'file:') return filePathProblem(u);
  return null;
}

/** The local path a file camera reads, or null for other schemes (and unparsable URIs). */
export function fileCameraPath(uri: string): string | null {
  try {
    const u = new URL(uri);
    return u.protocol === 'file:' ? decodeURIComponent(u.pathname) : null;
  } catch {
    return null;
  }
}

function filePathProblem(u: URL): string | null {
  if (u.host && u.host !== 'localhost') return `file URI names another machine ('${u.host}') — use file:///path/video.mp4 for a file on this node`;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return 'file URI path is not valid percent-encoding';
  }
  if (!path || path === '/') return 'file URI has no path';
  if (path.includes('\0') || path.split('/').includes('..')) return `file URI path '${path}' must not contain '..' — give the video's full path`;
  const root = FORBIDDEN_FILE_ROOTS.find((r) => path === r || path.startsWith(`${r}/`));
  if (root) return `file URI points into ${root}, a system folder — a file camera plays a video file (.mp4, .mkv, …)`;
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (!ext || !VIDEO_EXTENSIONS.has(ext)) {
    return `file URI '${path}' is not a video file by its name — a file camera plays one of .${[...VIDEO_EXTENSIONS].slice(0, 8).join(', .')}, …`;
  }
  return null;
}
