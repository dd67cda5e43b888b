// One WebSocket client of `vigil serve`: calls (answered through dispatch), topic subscriptions and
// previews. Every message is checked before use; a malformed one gets a 'bad-request' reply and the
// socket (and the server) carry on.
import type { WebSocket } from 'ws';
import type { ApiStreams, PreviewFrameMessage } from '../api/contract.js';
import { dispatch } from '../core/dispatch.js';
import type { Services } from '../core/services.js';

const PREVIEW_BACKLOG_BYTES = 2 * 1024 * 1024;
/** Cameras one socket may watch previews of at once. */
const MAX_PREVIEW_CAMERAS = 64;
/** Calls one socket may have in flight; more are refused until some finish. */
const MAX_PENDING_CALLS = 64;

/** Topics a client may subscribe to, one entry per topic of ApiStreams. */
const TOPICS: { [T in keyof ApiStreams]: true } = {
  'engine.status': true,
  'streams.stats': true,
  'tracks.events': true,
  'zones.events': true,
  'workspace.changed': true,
  preview: true,
};
const isTopic = (t: unknown): t is keyof ApiStreams => typeof t === 'string' && Object.prototype.hasOwnProperty.call(TOPICS, t);

/** Binary preview message: u32 LE header length, JSON header, JPEG bytes (see main/api/contract.ts). */
export function encodePreview(p: PreviewFrameMessage): Buffer {
  const { jpeg, ...rest } = p;
  const header = Buffer.from(JSON.stringify({ topic: 'preview', ...rest }), 'utf8');
  const out = Buffer.allocUnsafe(4 + header.length + jpeg.byteLength);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength).copy(out, 4 + header.length);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function attachSocket(socket: WebSocket, services: Services, log: (line: string) => void): void {
  // Topics this socket asked for; previews per camera. Status-like topics are always sent.
  const topics = new Set<string>(['engine.status', 'streams.stats', 'tracks.events', 'zones.events', 'workspace.changed']);
  const previewCameras = new Set<string>();
  let droppedPreviews = 0;
  let pending = 0;
  const send = (data: string | Buffer) => {
    if (socket.readyState === socket.OPEN) socket.send(data, (err) => err && socket.terminate());
  };
  const unsubscribe = services.subscribe((topic, payload) => {
    if (socket.readyState !== socket.OPEN) return;
    if (topic === 'preview') {
      const p = payload as PreviewFrameMessage;
      if (!previewCameras.has(p.camera)) return;
      // A slow client gets fewer previews, never a growing queue.
      if (socket.bufferedAmount > PREVIEW_BACKLOG_BYTES) {
        droppedPreviews++;
        return;
      }
      send(encodePreview(p));
      return;
    }
    if (topics.has(topic)) send(JSON.stringify({ type: 'event', topic, payload }));
  });
  // A client that connects between a state change and its first call would otherwise miss it.
  for (const [topic, payload] of Object.entries(services.current())) send(JSON.stringify({ type: 'event', topic, payload }));
  socket.on('error', () => socket.terminate());
  socket.on('close', () => {
    unsubscribe();
    if (droppedPreviews > 0) log(`[serve] a slow client missed ${droppedPreviews} preview frames`);
  });
  const reply = (id: unknown, body: object) => send(JSON.stringify({ type: 'reply', id: typeof id === 'number' && Number.isFinite(id) ? id : null, ...body }));
  const bad = (id: unknown, message: string) => reply(id, { ok: false, error: { code: 'bad-request', message } });

  socket.on('message', (data, isBinary) => {
    try {
      let msg: unknown;
      try {
        if (isBinary) throw new Error('binary');
        msg = JSON.parse(String(data));
      } catch {
        return bad(null, 'message is not JSON text');
      }
      if (!isObject(msg)) return bad(null, "a message is a JSON object: {type:'call', id, method, params} or {type:'subscribe', topic}");
      if (msg.type === 'subscribe' || msg.type === 'unsubscribe') {
        const add = msg.type === 'subscribe';
        if (!isTopic(msg.topic))
          return bad(msg.id, `no topic ${JSON.stringify(String(msg.topic)).slice(0, 60)} — use one of ${Object.keys(TOPICS).join(', ')}`);
        if (msg.topic === 'preview') {
          if (typeof msg.camera !== 'string' || msg.camera.length > 200) return bad(msg.id, "subscribe to 'preview' with a camera id");
          if (add && previewCameras.size >= MAX_PREVIEW_CAMERAS && !previewCameras.has(msg.camera))
            return bad(msg.id, `at most ${MAX_PREVIEW_CAMERAS} preview cameras per connection`);
          if (add) previewCameras.add(msg.camera);
          else previewCameras.delete(msg.camera);
        } else if (add) topics.add(msg.topic);
        else topics.delete(msg.topic);
        return;
      }
      if (msg.type !== 'call' || typeof msg.id !== 'number') return bad(msg.id, "expected {type:'call', id, method, params}");
      if (pending >= MAX_PENDING_CALLS)
        return reply(msg.id, {
          ok: false,
          error: { code: 'busy', message: `more than ${MAX_PENDING_CALLS} calls in flight on this connection — wait for replies` },
        });
      pending++;
      const id = msg.id;
      void dispatch(services, msg.method, msg.params, log)
        .then((r) => reply(id, r))
        .catch(() => reply(id, { ok: false, error: { code: 'internal', message: 'the call failed inside Vigil; the server log has the detail' } }))
        .finally(() => pending--);
    } catch (e) {
      log(`[serve] socket message failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}
