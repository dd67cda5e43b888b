// Per camera: the last problem the engine reported, what it means for the operator (source-errors.ts),
// when the next reconnect is due, and whether a live camera that says "live" still sends video.
import type { EngineStreamStats, StreamStats } from '../api/engine-types.js';
import { classifySourceError, diagnoseConnection, isLiveUri, needsDiagnosis, type SourceProblem } from './source-errors.js';

/** A live camera with no decoded frame for this long is reported as stalled (the engine reconnects at 10 s). */
export const STALL_REPORT_MS = 4_000;
const REDIAGNOSE_MS = 10_000;

interface CameraHealth {
  message: string | null;
  at: number;
  problem: SourceProblem | null;
  /** The OS's finding for the current network error, and when it was asked. */
  diagnosis: SourceProblem | null;
  diagnosedAt: number;
  diagnosing: boolean;
  lastFrameAt: number;
}

export class SourceHealth {
  private readonly cameras = new Map<string, CameraHealth>();

  /** `uriOf`: the camera's URI (credentials are not needed; host and port are). */
  constructor(
    private readonly uriOf: (camera: string) => string | null,
    private readonly onChange: () => void = () => undefined,
    private readonly diagnose: (uri: string) => Promise<SourceProblem | null> = diagnoseConnection,
  ) {}

  private entry(camera: string, now: number): CameraHealth {
    let h = this.cameras.get(camera);
    if (!h) this.cameras.set(camera, (h = { message: null, at: now, problem: null, diagnosis: null, diagnosedAt: 0, diagnosing: false, lastFrameAt: now }));
    return h;
  }

  /** The engine reported a problem with a camera (a source-error event, or a refused addSource). */
  noteError(camera: string, message: string, now = Date.now()): void {
    const h = this.entry(camera, now);
    const uri = this.uriOf(camera) ?? '';
    h.message = message;
    h.at = now;
    h.problem = classifySourceError(message, uri);
    if (!needsDiagnosis(h.problem, uri)) {
      h.diagnosis = null;
      return;
    }
    if (h.diagnosing || now - h.diagnosedAt < REDIAGNOSE_MS) return;
    h.diagnosing = true;
    void this.diagnose(uri)
      .catch(() => null)
      .then((d) => {
        h.diagnosing = false;
        h.diagnosedAt = Date.now();
        h.diagnosis = d;
        this.onChange();
      });
  }

  /** The camera was (re)opened or removed: forget what was wrong with it. */
  reset(camera: string): void {
    this.cameras.delete(camera);
  }

  /** The last error text for a camera the engine does not list (e.g. its addSource was refused). */
  lastError(camera: string): string | null {
    return this.cameras.get(camera)?.message ?? null;
  }

  /** The engine's stats with the reason, the advice and the next reconnect time filled in. */
  enrich(stats: EngineStreamStats[], now = Date.now()): StreamStats[] {
    return stats.map((s) => {
      const h = this.entry(s.camera, now);
      if (s.decodeFps > 0 || s.state !== 'live') h.lastFrameAt = now;
      const error = s.error ?? h.message;
      if (s.state === 'live') {
        const quietMs = now - h.lastFrameAt;
        const uri = this.uriOf(s.camera);
        if (uri && isLiveUri(uri) && quietMs >= STALL_REPORT_MS) {
          const problem = classifySourceError(`no frames for ${Math.floor(quietMs / 1000)} s`, uri);
          return { ...s, error: s.error, reason: problem.reason, advice: problem.advice, retryAt: null };
        }
        h.message = null;
        h.problem = null;
        h.diagnosis = null;
        return { ...s, reason: null, advice: null, retryAt: null };
      }
      if (!error) return { ...s, reason: null, advice: null, retryAt: null };
      if (error !== h.message) this.noteError(s.camera, error, now);
      const problem = h.diagnosis ?? h.problem;
      const retryIn = s.state === 'reconnecting' ? /reconnecting in (\d+(?:\.\d+)?) s/.exec(error)?.[1] : undefined;
      return {
        ...s,
        error,
        reason: problem?.reason ?? 'source-error',
        advice: problem?.advice ?? null,
        retryAt: retryIn === undefined ? null : h.at + Number(retryIn) * 1000,
      };
    });
  }
}
