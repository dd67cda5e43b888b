#!/usr/bin/env node
// Runs the native vigil-engine CLI with its libraries beside it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const exe = fileURLToPath(new URL('../native/build/vigil-engine', import.meta.url));
if (!existsSync(exe)) {
  process.stderr.write("vigil-engine: not built yet — run 'npm start' (or 'npm test') in the Vigil folder first\n");
  process.exit(1);
}
const r = spawnSync(exe, process.argv.slice(2), { stdio: 'inherit' });
process.exit(r.status ?? 1);
