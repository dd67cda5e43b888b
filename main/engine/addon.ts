// Loads the native engine addon. Only the engine process calls this: native code never runs in main.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { EngineInfo } from '../api/contract.js';
import { projectRoot } from '../paths.js';

export interface NativeTensor {
  dims: number[];
  data: Float32Array;
}

export interface NativeEngine {
  engineInfo(): EngineInfo;
  runModelOnce(modelPath: string, inputs: Record<string, NativeTensor>): Record<string, NativeTensor>;
}

export function addonPath(): string {
  return process.env.VIGIL_ADDON ?? join(projectRoot(), 'native', 'build', 'vigil_engine.node');
}

export class AddonLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddonLoadError';
  }
}

export function loadAddon(): NativeEngine {
  const path = addonPath();
  if (!existsSync(path)) {
    throw new AddonLoadError(`native engine not found at ${path} — run 'npm start' or 'npm test' once to build it`);
  }
  try {
    return createRequire(import.meta.url)(path) as NativeEngine;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new AddonLoadError(`native engine at ${path} could not be loaded (${why}) — rebuild it with 'npm start', and check that GStreamer is installed`);
  }
}
