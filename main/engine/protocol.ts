// Messages between the engine supervisor (main process) and the engine process.
import type { EngineInfo } from '../api/contract.js';

export interface EngineRequests {
  engineInfo: { params: Record<string, never>; result: EngineInfo };
}
export type EngineMethod = keyof EngineRequests;

export type ToEngine = { kind: 'request'; id: number; method: EngineMethod; params: unknown };

export type FromEngine =
  | { kind: 'ready'; info: EngineInfo }
  | { kind: 'fatal'; error: string; retry: boolean }
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; error: string };
