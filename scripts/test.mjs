// `npm test`: every suite in turn (static checks: lint and types; TypeScript unit, native GoogleTest
// via ctest, integration, browser end-to-end), each printing its own counts, then one summary line.
// `node scripts/test.mjs static unit` runs the named suites only.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKS, runChecks } from './static-checks.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
const only = process.argv.slice(2);

/** @typedef {{ passed: number; failed: number; skipped: number }} Counts */

/**
 * @param {string} project
 * @returns {Counts}
 */
function vitestSuite(project) {
  const out = join(results, `${project}.json`);
  rmSync(out, { force: true });
  const r = spawnSync(
    join(root, 'node_modules', '.bin', 'vitest'),
    ['run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`],
    { cwd: root, stdio: 'inherit' },
  );
  try {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    return {
      passed: j.numPassedTests,
      failed: j.numFailedTests + (r.status !== 0 && j.numFailedTests === 0 ? 1 : 0),
      skipped: j.numPendingTests + j.numTodoTests,
    };
  } catch {
    return { passed: 0, failed: 1, skipped: 0 };
  }
}

/** @returns {Counts} */
function nativeSuite() {
  const r = spawnSync('ctest', ['--test-dir', join(root, 'native', 'build'), '--output-on-failure', '--timeout', '300'], { cwd: root, encoding: 'utf8' });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  const m = /(\d+)% tests passed, (\d+) tests failed out of (\d+)/.exec(r.stdout ?? '');
  if (!m) return { passed: 0, failed: 1, skipped: 0 };
  const failed = Number(m[2]);
  const total = Number(m[3]);
  const skipped = Number(/(\d+) tests? (?:were )?not run|Skipped\s*=\s*(\d+)/.exec(r.stdout ?? '')?.[1] ?? 0);
  return { passed: total - failed - skipped, failed: failed + (r.status !== 0 && failed === 0 ? 1 : 0), skipped };
}

/** @type {Array<[string, () => Counts]>} */
const allSuites = [
  ['static', () => runChecks(CHECKS)],
  ['unit', () => vitestSuite('unit')],
  ['native', nativeSuite],
  ['integration', () => vitestSuite('integration')],
  ['e2e', () => vitestSuite('e2e')],
];
const suites = allSuites.filter(([name]) => only.length === 0 || only.includes(name));

/** @type {Counts} */
const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
for (const [name, run] of suites) {
  process.stdout.write(`\n===== ${name} tests =====\n`);
  const r = run();
  lines.push(`${name.padEnd(12)} ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
  totals.passed += r.passed;
  totals.failed += r.failed;
  totals.skipped += r.skipped;
}
process.stdout.write(`\n===== summary =====\n${lines.join('\n')}\n`);
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}\n`);
process.exit(totals.failed > 0 ? 1 : 0);
