// node dist/main/models/rewrites/cli.js IN.onnx OUT.onnx [OP ...]
// Applies the install-time rewrites to a model file (used on the GPU machine, which has no Vigil UI)
// and prints the report as one JSON line; exit 1 when a rewrite was refused.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { rewriteModel } from './index.js';

const [input, output, ...ops] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: node dist/main/models/rewrites/cli.js IN.onnx OUT.onnx [OP ...]\n');
  process.exit(2);
}
try {
  const t0 = performance.now();
  const { bytes, report } = rewriteModel(readFileSync(input), basename(input), ops.length > 0 ? ops : undefined);
  writeFileSync(output, bytes);
  process.stdout.write(`${JSON.stringify({ model: basename(input), out: output, ms: Math.round(performance.now() - t0), ...report })}\n`);
  process.exit(report.refused.length > 0 ? 1 : 0);
} catch (e) {
  process.stderr.write(`rewrite: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
