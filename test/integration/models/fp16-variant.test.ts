// The FP16 variants of the default detectors (main/convert/float16.ts, written by set-up beside the
// FP32 files and named in the manifests as fp16File): the graph is float16 inside with float32 at the
// boundary, and its detections on vtest.avi match the FP32 model's (same label, IoU ≥ 0.9, ≥ 98 % of
// the boxes of each run). The parity here runs the FP16 file on ONNX Runtime's CPU provider, which
// runs float16 graphs by inserting float32 casts where it lacks float16 kernels: the weights and the
// values between nodes are float16, the arithmetic inside a node may not be. The GPU run is
// scripts/gpu/fp16-parity.sh (same comparer, scripts/gpu/detections-parity.py).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../main/api/model-types.js';
import { ensureDefaultModels, fp16FileOf } from '../../../main/convert/default-models.js';
import { OnnxType } from '../../../main/models/onnx-builder.js';
import { readManifest } from '../../../main/models/manifest.js';
import { decodeMessage, fieldBytes, fieldInt, fieldString } from '../../../main/models/protobuf.js';
import { EditableModel, attrInt } from '../../../main/models/rewrites/graph.js';
import { generatedModelsDir, projectRoot } from '../../../main/paths.js';
import { VTEST_AVI } from '../../../bench/models-on-video.js';

const MODELS = ['nanodet-coco', 'centernet-coco'] as const;
const manifestOf = (name: string) => JSON.parse(readFileSync(join(generatedModelsDir(), `${name}.json`), 'utf8')) as ModelManifest;

/** Element types of a model's graph inputs, outputs and initializers. */
function graphTypes(file: string) {
  const graph = decodeMessage(fieldBytes(decodeMessage(readFileSync(file)), 7)[0]!);
  const valueType = (vi: Uint8Array) => {
    const v = decodeMessage(vi);
    const tensor = decodeMessage(fieldBytes(decodeMessage(fieldBytes(v, 2)[0]!), 1)[0]!);
    return [fieldString(v, 1)!, Number(fieldInt(tensor, 1))] as const;
  };
  const initializers = new Map(fieldBytes(graph, 5).map((t) => [fieldString(decodeMessage(t), 8)!, Number(fieldInt(decodeMessage(t), 2))]));
  return { inputs: fieldBytes(graph, 11).map(valueType), outputs: fieldBytes(graph, 12).map(valueType), initializers };
}

beforeAll(() => {
  ensureDefaultModels();
}, 120_000);

describe.each(MODELS)('%s: FP16 variant', (name) => {
  const fp32 = () => join(generatedModelsDir(), `${name}.onnx`);
  const fp16 = () => join(generatedModelsDir(), fp16FileOf(`${name}.onnx`));

  it('the manifest names it as fp16File, and it validates', () => {
    expect(manifestOf(name).fp16File).toBe(`${name}.fp16.onnx`);
    expect(readManifest(join(generatedModelsDir(), `${name}.json`)).fp16File).toBe(`${name}.fp16.onnx`);
  });

  it('float32 at the boundary (the same inputs and outputs as FP32), float16 weights, Casts where the parts meet', () => {
    const full = graphTypes(fp32());
    const half = graphTypes(fp16());
    expect(half.inputs).toEqual(full.inputs);
    expect(half.outputs).toEqual(full.outputs);
    expect(half.inputs.every(([, t]) => t === OnnxType.FLOAT)).toBe(true);
    const model = new EditableModel(readFileSync(fp16()), name);
    const first = model.nodes[0]!;
    expect([first.op, first.inputs[0], attrInt(first, 'to', 0)]).toEqual(['Cast', half.inputs[0]![0], OnnxType.FLOAT16]);
    for (const [output] of half.outputs) {
      const producer = model.nodes.find((n) => n.outputs.includes(output))!;
      expect([producer.op, attrInt(producer, 'to', 0)]).toEqual(['Cast', OnnxType.FLOAT]);
    }
    // Every float initializer is float16 except the float32 island: a Resize's scales and what computes them.
    const resizeScales = new Set(model.nodes.filter((n) => n.op === 'Resize').map((n) => n.inputs[2]));
    const float32 = [...half.initializers].filter(([, t]) => t === OnnxType.FLOAT).map(([n]) => n);
    const halved = [...half.initializers].filter(([, t]) => t === OnnxType.FLOAT16);
    expect(halved.length).toBeGreaterThan(30);
    expect(float32.length).toBeLessThanOrEqual(2 * resizeScales.size); // the target size and [1, 1] of each Resize
    for (const n of float32) {
      const readers = model.nodes.filter((x) => x.inputs.includes(n));
      expect(
        readers.every((x) => x.op === 'Div' || x.op === 'Concat'),
        `${n} is read by ${readers.map((x) => x.op)}`,
      ).toBe(true);
    }
    // About half the bytes: the weights are most of the file.
    expect(readFileSync(fp16()).length / readFileSync(fp32()).length).toBeLessThan(0.55);
  });
});

describe('FP16 against FP32 on vtest.avi (CPU provider, see the file comment)', () => {
  const cli = join(projectRoot(), 'native', 'build', 'vigil-engine');
  const work = mkdtempSync(join(tmpdir(), 'vigil-fp16-'));
  /** `vigil-engine run --json` on vtest.avi, IoU tracker; the FP16 file is forced through a manifest whose file it is. */
  function detections(name: string, variant: 'fp32' | 'fp16', frames: number): string {
    let manifest = join(generatedModelsDir(), `${name}.json`);
    if (variant === 'fp16') {
      const m = manifestOf(name);
      const forced = { ...m, name: `${name}-fp16-on-cpu`, file: join(generatedModelsDir(), m.fp16File!) };
      delete forced.fp16File;
      manifest = join(work, `${name}-fp16.json`);
      writeFileSync(manifest, JSON.stringify(forced));
    }
    const out = join(work, `${name}-${variant}.jsonl`);
    const args = ['run', `file://${VTEST_AVI}`, '--model', manifest, '--frames', String(frames), '--json', '--tracker', 'iou'];
    writeFileSync(out, execFileSync(cli, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 240_000 }));
    return out;
  }

  it.each([
    ['nanodet-coco', 30],
    ['centernet-coco', 20],
  ] as const)('%s, %i frames: at least 98 percent of the boxes of each run matched (same label, IoU ≥ 0.9)', { timeout: 300_000 }, (name, frames) => {
    const script = join(projectRoot(), 'scripts', 'gpu', 'detections-parity.py');
    const reply = execFileSync('python3', [script, detections(name, 'fp32', frames), detections(name, 'fp16', frames)], { encoding: 'utf8' });
    const r = JSON.parse(reply) as {
      frames: number;
      reference_boxes: number;
      matched_of_reference: number;
      matched_of_candidate: number;
      mean_iou: number;
      pass: boolean;
    };
    console.log(`${name} FP16 vs FP32 on the CPU provider: ${reply.trim()}`);
    expect(r.frames).toBe(frames);
    expect(r.reference_boxes).toBeGreaterThan(frames); // vtest.avi has people in every frame
    expect(r.matched_of_reference).toBeGreaterThanOrEqual(0.98);
    expect(r.matched_of_candidate).toBeGreaterThanOrEqual(0.98);
    expect(r.pass).toBe(true);
  });
});
