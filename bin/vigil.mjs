#!/usr/bin/env node
// Runs the built CLI (npm start / npm test build it into dist/).
import { existsSync } from 'node:fs';
const entry = new URL('../dist/main/cli/vigil.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("vigil: not built yet — run 'npm start' (or 'npm run build') in the Vigil folder first\n");
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
if (code !== 0) process.exit(code);
