// Camera URIs: which schemes Vigil opens, and how credentials are kept out of sight.

export const CAMERA_SCHEMES = ['file:', 'rtsp:', 'rtsps:', 'http:', 'https:', 'v4l2:', 'test:'] as const;

export interface SplitUri {
  /** The URI without its password (the user name stays). */
  uri: string;
  password: string | null;
}

/** Removes the password from a URI so it can be stored apart (encrypted) from the workspace. */
export function splitCredentials(uri: string): SplitUri {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return { uri, password: null };
  }
  if (!u.password) return { uri, password: null };
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { uri: u.toString(), password };
}

export function joinCredentials(uri: string, password: string | null): string {
  if (!password) return uri;
  const u = new URL(uri);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** The form shown to operators and written to logs: rtsp://user:***@host/path. */
export function redactUri(uri: string): string {
  try {
    const u = new URL(uri);
    if (!u.password) return uri;
    u.password = '***';
    return u.toString().replace('%2A%2A%2A', '***');
  } catch {
    return uri.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
  }
}

/** Why a URI cannot be a camera, or null when it can. */
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
  if (u.protocol === 'file:' && !u.pathname) return 'file URI has no path';
  return null;
}
