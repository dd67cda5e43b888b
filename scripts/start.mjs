// `npm start`: the desktop window where Electron's binary and a display exist, otherwise the same
// app headless (`vigil serve`) with the URL to open.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = join(root, 'node_modules', 'electron');
const pathFile = join(electronDir, 'path.txt');
const electronBinary = existsSync(pathFile) ? join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null;
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const args = process.argv.slice(2);

// The main process's malloc settings (main/process-memory.ts; built into dist/ by set-up).
const { withMainMalloc } = await import(new URL('../dist/main/process-memory.js', import.meta.url).href);
const env = withMainMalloc(process.env);

let child;
if (electronBinary && existsSync(electronBinary) && hasDisplay && !args.includes('--headless')) {
  child = spawn(electronBinary, [root], { env, stdio: 'inherit' });
} else {
  const why = !electronBinary ? "Electron's binary is not installed" : !hasDisplay ? 'there is no display' : '--headless was given';
  process.stdout.write(`Starting Vigil headless (${why}); open the URL below in a browser.\n`);
  child = spawn(process.execPath, [join(root, 'bin', 'vigil.mjs'), 'serve', ...args.filter((a) => a !== '--headless')], { env, stdio: 'inherit' });
}
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
