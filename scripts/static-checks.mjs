// The static checks: the linter (recommended rules + the folder map + no import cycles), Prettier's
// format check, and the type
// check of every TypeScript project. `npm test` runs them all as its first suite ("static"), one
// check per line of this list; `npm run typecheck` runs the type checks alone.
//   node scripts/static-checks.mjs [lint|typecheck]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (/** @type {string} */ name) => join(root, 'node_modules', '.bin', name);

/** @typedef {{ name: string; kind: 'lint' | 'typecheck'; cmd: string; args: string[] }} Check */

/** Every TypeScript project: together they cover every .ts/.tsx file, and the .mjs scripts (checkJs). */
export const TYPE_PROJECTS = [
  ['main process', 'tsconfig.json'],
  ['Electron shell', 'main/electron/tsconfig.json'],
  ['renderer', 'renderer/tsconfig.json'],
  ['tests', 'test/tsconfig.json'],
  ['benchmarks', 'bench/tsconfig.json'],
  ['scripts, bin, lint rules, tool configs', 'scripts/tsconfig.json'],
];

/** @type {Check[]} */
export const CHECKS = [
  { name: 'lint (ESLint: recommended, folder map, no import cycles)', kind: 'lint', cmd: bin('eslint'), args: ['.'] },
  // TypeScript/JavaScript formatting (Prettier, an npm package). C++ formatting needs clang-format,
  // which set-up does not install: `npm run format:check` checks both where it is present.
  { name: 'format (Prettier)', kind: 'lint', cmd: bin('prettier'), args: ['--check', '--log-level', 'warn', '**/*.{ts,tsx,mts,cts,js,mjs}'] },
  ...TYPE_PROJECTS.map(
    ([label, project]) =>
      /** @type {Check} */ ({ name: `types: ${label} (${project})`, kind: 'typecheck', cmd: bin('tsc'), args: ['-p', project, '--noEmit'] }),
  ),
];

/**
 * Runs the checks in turn, printing each one's output and verdict.
 * @param {Check[]} checks
 * @returns {{ passed: number; failed: number; skipped: number }}
 */
export function runChecks(checks) {
  let passed = 0;
  let failed = 0;
  for (const c of checks) {
    const started = Date.now();
    const r = spawnSync(c.cmd, c.args, { cwd: root, stdio: 'inherit' });
    const ok = r.status === 0;
    const why = r.error ? ` (${r.error.message})` : '';
    process.stdout.write(`${ok ? '✓' : '✗'} ${c.name} ${((Date.now() - started) / 1000).toFixed(1)} s${why}\n`);
    if (ok) passed++;
    else failed++;
  }
  return { passed, failed, skipped: 0 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const kind = process.argv[2];
  if (kind !== undefined && kind !== 'lint' && kind !== 'typecheck') {
    process.stderr.write(`unknown check kind '${kind}': use lint, typecheck, or nothing for both\n`);
    process.exit(2);
  }
  const r = runChecks(CHECKS.filter((c) => kind === undefined || c.kind === kind));
  process.exit(r.failed > 0 ? 1 : 0);
}
