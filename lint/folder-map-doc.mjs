// The folder map as Markdown, generated from lint/folder-map.mjs. `npm run docs:folder-map` writes it
// into ARCHITECTURE.md between the two markers; test/unit/lint-rules.test.ts fails when they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOMS } from './folder-map.mjs';
import { repoRoot } from './plugin.mjs';

export const BEGIN = '<!-- folder-map:begin (generated from lint/folder-map.mjs by `npm run docs:folder-map`) -->';
export const END = '<!-- folder-map:end -->';
export const architectureFile = join(repoRoot, 'ARCHITECTURE.md');

/** The table's Markdown (without the markers). */
export function renderFolderMap() {
  const rows = ROOMS.map((r) => {
    const imports = r.imports.length
      ? r.imports.map((i) => (typeof i === 'string' ? (i === '*' ? 'anything' : `\`${i}\``) : `\`${i.room}\` (exception: ${i.why})`)).join(', ')
      : 'nothing outside itself';
    return `| \`${r.path}\` | ${r.job} | ${imports} |`;
  });
  return ['| room | job | may import from |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The generated part of ARCHITECTURE.md as it is now, or null when the markers are missing. */
export function documentedFolderMap(text = readFileSync(architectureFile, 'utf8')) {
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  if (b < 0 || e < b) return null;
  return text.slice(b + BEGIN.length, e).trim();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = readFileSync(architectureFile, 'utf8');
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  if (b < 0 || e < b) {
    process.stderr.write(`ARCHITECTURE.md has no folder-map markers: put\n${BEGIN}\n${END}\nwhere the table belongs, then run this again\n`);
    process.exit(1);
  }
  writeFileSync(architectureFile, `${text.slice(0, b + BEGIN.length)}\n${renderFolderMap()}\n${text.slice(e)}`);
  process.stdout.write('ARCHITECTURE.md: folder map written\n');
}
