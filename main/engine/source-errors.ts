// One vocabulary for camera problems: the engine's (GStreamer's) and the OS's errors become a reason
// code and a plain sentence with the likely cause and the fix. The engine's own text stays as the
// technical detail (StreamStats.error).
import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import type { StreamReason } from '../api/engine-types.js';

export interface SourceProblem {
  reason: StreamReason;
  advice: string;
}

const LIVE_SCHEMES = new Set(['rtsp', 'rtsps', 'http', 'https', 'v4l2']);
const DEFAULT_PORTS: Record<string, number> = { rtsp: 554, rtsps: 322, http: 80, https: 443 };

interface Where {
  scheme: string;
  host: string;
  port: number | null;
  path: string;
}

/** The parts of a camera URI an operator recognises (never the credentials). */
export function whereOf(uri: string): Where {
  try {
    const u = new URL(uri);
    const scheme = u.protocol.replace(/:$/, '').toLowerCase();
    const port = u.port ? Number(u.port) : (DEFAULT_PORTS[scheme] ?? null);
    return { scheme, host: u.hostname.replace(/^\[|\]$/g, ''), port, path: decodeURIComponent(u.pathname) || '/' };
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase() ?? '';
    return { scheme, host: '', port: null, path: '' };
  }
}

export function isLiveUri(uri: string): boolean {
  return LIVE_SCHEMES.has(whereOf(uri).scheme);
}

function hostPort(w: Where): string {
  return w.port === null ? w.host : `${w.host.includes(':') ? `[${w.host}]` : w.host}:${w.port}`;
}

/** Engine errors about the network say only "could not open/read": the OS knows more (diagnoseConnection). */
const NETWORKISH = /could not (open|read|connect|write)|connection|timed out|timeout|resolve|unreachable|no route|refused/i;

/** Classifies the engine's error text for a camera (sync; network errors get a generic network reason). */
export function classifySourceError(message: string, uri: string): SourceProblem {
  const w = whereOf(uri);
  const text = message.toLowerCase();
  const live = LIVE_SCHEMES.has(w.scheme);
  if (/unknown scheme|not a uri|is not supported/.test(text)) {
    return {
      reason: 'unsupported-scheme',
      advice: `Vigil cannot open '${w.scheme || uri}' addresses. Use rtsp://, http(s)://, file://, v4l2:///dev/videoN or test://.`,
    };
  }
  if (/unauthori[sz]ed|\b401\b|forbidden|\b403\b|authenticat/.test(text)) {
    return {
      reason: 'auth-failed',
      advice: `The camera at ${hostPort(w)} refused the user name or password. Check the credentials in the camera's address (rtsp://user:password@host/…).`,
    };
  }
  if (/no frames for (\d+) s/.test(text)) {
    const s = /no frames for (\d+) s/.exec(text)?.[1];
    return {
      reason: 'stalled',
      advice: `The connection to ${hostPort(w)} is open but no video arrived for ${s} s. The camera may be overloaded or its encoder stopped; Vigil reconnects by itself — if this repeats, restart the camera or lower its resolution.`,
    };
  }
  if (/missing a plug-in|no decoder|codec|not-negotiated/.test(text)) {
    return {
      reason: 'no-decoder',
      advice: 'The video uses a codec this machine cannot decode. Install gstreamer1.0-libav (H.264/H.265) or set the camera to H.264.',
    };
  }
  if (/without a video frame|no video track|no video within/.test(text)) {
    return live
      ? {
          reason: 'no-video',
          advice: `${hostPort(w)} answered but sent no video. Check that the stream path is a video stream (not audio only) and that the camera is streaming.`,
        }
      : { reason: 'no-video', advice: `${w.path || uri} has no video Vigil can play (empty, audio only or cut short). Pick a video file.` };
  }
  if (/not found|no such file|\b404\b|does not exist/.test(text)) {
    return live
      ? {
          reason: 'not-found',
          advice: `The camera at ${hostPort(w)} answered but has no stream at '${w.path}'. Check the stream path in the address (see the camera's manual).`,
        }
      : { reason: 'not-found', advice: `The file ${w.path || uri} does not exist. Check the path, or pick the file again.` };
  }
  if (!live && /stream contains no data/.test(text)) {
    return {
      reason: 'no-video',
      advice: `${w.path || uri} is empty: there is nothing to play. Pick the recording again, or copy it again if the copy was cut short.`,
    };
  }
  if (!live && /demux|decode|stream|type|format|corrupt|truncat|could not read|internal data stream error/.test(text)) {
    return {
      reason: 'bad-media',
      advice: `${w.path || uri} could not be played as video: it has no video track, or it is corrupt, cut short or in a format Vigil cannot open. Check that it plays in a video player, then re-export it as MP4 (H.264).`,
    };
  }
  if (live && /could not read|connection (was )?(closed|reset|lost)/.test(text)) {
    return {
      reason: 'disconnected',
      advice: `The connection to ${hostPort(w)} was lost. Vigil reconnects by itself; if it keeps happening, check the network to the camera and its session limits.`,
    };
  }
  if (live && /the stream ended|end of stream|eos/.test(text)) {
    return {
      reason: 'disconnected',
      advice: `The camera at ${hostPort(w)} ended the stream. Vigil reconnects by itself; if it keeps happening, check the camera's session limits.`,
    };
  }
  if (live && NETWORKISH.test(text)) {
    return {
      reason: 'unreachable',
      advice: `${hostPort(w)} cannot be reached from this machine. Check that the camera is powered and on the network, the address and port, and any firewall in between.`,
    };
  }
  return {
    reason: 'source-error',
    advice: `The source ${w.scheme ? `${w.scheme}://` : ''}${hostPort(w) || w.path} failed. See the details below; check the address, then the camera.`,
  };
}

/** Whether the OS can tell more about this problem than the engine did (a live source with a network error). */
export function needsDiagnosis(problem: SourceProblem, uri: string): boolean {
  const w = whereOf(uri);
  return (problem.reason === 'unreachable' || problem.reason === 'disconnected') && w.host !== '' && w.port !== null && w.scheme !== 'v4l2';
}

/**
 * Asks the OS what happens when connecting to the camera's host and port: the name does not
 * resolve, nothing listens (refused), nothing answers (timeout, no route), or it connects (then the
 * engine's error stands).
 */
export async function diagnoseConnection(uri: string, timeoutMs = 2_000): Promise<SourceProblem | null> {
  const w = whereOf(uri);
  if (!w.host || w.port === null) return null;
  let address: string;
  try {
    address = (await lookup(w.host)).address;
  } catch {
    return { reason: 'host-not-found', advice: `The name '${w.host}' does not resolve to an address. Check its spelling, or use the camera's IP address.` };
  }
  const outcome = await new Promise<string>((resolve) => {
    const socket = connect({ host: address, port: w.port! });
    const done = (what: string): void => {
      socket.destroy();
      resolve(what);
    };
    socket.setTimeout(timeoutMs, () => done('ETIMEDOUT'));
    socket.once('connect', () => done('connected'));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? 'error'));
  });
  const at = hostPort(w);
  switch (outcome) {
    case 'ECONNREFUSED':
      return {
        reason: 'connection-refused',
        advice: `Nothing answered at ${at} (connection refused). Check the address and port, and that the camera's streaming service is on.`,
      };
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return {
        reason: 'unreachable',
        advice: `${at} does not answer (${outcome === 'ETIMEDOUT' ? `no reply within ${timeoutMs / 1000} s` : 'no route to it'}). Check that the camera is powered and on this network, and any firewall in between.`,
      };
    default:
      return null;
  }
}
