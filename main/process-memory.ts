// How the main process's C allocator is set: one list, applied by the launchers (`npm start`, and the
// tests and benchmarks that start `vigil serve` the same way) and taken off again for the engine.
//
// glibc's malloc raises its mmap and trim thresholds (up to 32 MiB) each time a large block that it
// mmapped is freed. The main process frees such blocks now and then (preview pictures, V8's compiler,
// SQLite's worker threads), after which the freed memory of its thread arenas is kept instead of
// returned: a 60-minute soak grew the main process by a fifth while doing the same work all along.
// Fixed thresholds (glibc reads them from the environment at start only) keep them where they are.
// The engine process keeps glibc's defaults: it allocates video frames, which the raised thresholds
// serve better, and its memory was flat in the same soak.

/** glibc's malloc settings for the main process (see above). */
export const MAIN_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: '65536',
  MALLOC_TRIM_THRESHOLD_: '65536',
};

/** `env` with the main process's malloc settings added; values the user set are kept. */
export function withMainMalloc(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...MAIN_MALLOC_ENV, ...env };
}

/** `env` without the main process's malloc settings (for the engine), unless the user chose other values. */
export function withoutMainMalloc(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const [k, v] of Object.entries(MAIN_MALLOC_ENV)) if (out[k] === v) delete out[k];
  return out;
}
