// Formats the C++ and CUDA sources of native/ with clang-format (style: .clang-format at the root).
//   node scripts/format-cpp.mjs           rewrite the files in place
//   node scripts/format-cpp.mjs --check   list the files that differ and exit 1 (nothing written)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

const listed = spawnSync('git', ['ls-files', '--', 'native/*.cpp', 'native/*.h', 'native/*.hpp', 'native/*.cu', 'native/*.cuh'], {
  cwd: root,
  encoding: 'utf8',
});
if (listed.status !== 0) {
  process.stderr.write(`cannot list the native sources with git (${listed.error?.message ?? listed.stderr.trim()}): run this inside the repository\n`);
  process.exit(2);
}
const files = listed.stdout.split('\n').filter(Boolean);
const args = check ? ['--dry-run', '--Werror', ...files] : ['-i', ...files];
const r = spawnSync('clang-format', args, { cwd: root, stdio: 'inherit' });
if (r.error) {
  process.stderr.write(`cannot run clang-format (${r.error.message}): install it (Debian: apt-get install clang-format)\n`);
  process.exit(2);
}
process.stdout.write(`clang-format: ${files.length} files ${check ? (r.status === 0 ? 'formatted' : 'not formatted (run `npm run format`)') : 'formatted'}\n`);
process.exit(r.status ?? 1);
