// Builds the TypeScript (main process, engine process, Electron shell) and the renderer.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (/** @type {string} */ name) => join(root, 'node_modules', '.bin', name);

/**
 * @param {string} label
 * @param {string} cmd
 * @param {string[]} args
 */
function step(label, cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`[build] ${label} failed\n`);
    process.exit(r.status ?? 1);
  }
}

step('TypeScript (main)', bin('tsc'), ['-p', 'tsconfig.json']);
step("TypeScript (Electron shell, checked against Electron's types)", bin('tsc'), ['-p', 'main/electron/tsconfig.json']);
step('TypeScript (renderer, type check)', bin('tsc'), ['-p', 'renderer/tsconfig.json']);
step('renderer (Vite)', bin('vite'), ['build', '--logLevel', 'warn']);
