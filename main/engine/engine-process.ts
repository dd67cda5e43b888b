// Entry of the engine process (child_process.fork under Node, utilityProcess under Electron).
// It owns the native addon so that a crash in native code never takes the main process down.
import { AddonLoadError, loadAddon, type NativeEngine } from './addon.js';
import type { FromEngine, ToEngine } from './protocol.js';

interface ParentPort {
  postMessage(message: FromEngine): void;
  on(event: 'message', listener: (e: { data: ToEngine }) => void): void;
}

// Electron's utilityProcess exposes process.parentPort; a forked Node child has process.send.
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: FromEngine): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

function onMessage(handler: (m: ToEngine) => void): void {
  if (parentPort) parentPort.on('message', (e) => handler(e.data));
  else process.on('message', (m) => handler(m as ToEngine));
}

function start(): NativeEngine | null {
  try {
    const loaded = loadAddon();
    send({ kind: 'ready', info: loaded.engineInfo() });
    return loaded;
  } catch (e) {
    // A missing or broken addon will not heal by restarting; anything else may.
    send({ kind: 'fatal', error: e instanceof Error ? e.message : String(e), retry: !(e instanceof AddonLoadError) });
    setTimeout(() => process.exit(1), 50);
    return null;
  }
}

const engine = start();

onMessage((m) => {
  if (m.kind !== 'request' || !engine) return;
  try {
    switch (m.method) {
      case 'engineInfo':
        send({ kind: 'reply', id: m.id, ok: true, result: engine.engineInfo() });
        break;
      default:
        send({ kind: 'reply', id: m.id, ok: false, error: `unknown engine request '${String(m.method)}'` });
    }
  } catch (e) {
    send({ kind: 'reply', id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});

// Stay alive while the parent lives; exit with it.
process.on('disconnect', () => process.exit(0));
