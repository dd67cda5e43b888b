// Measures the default detectors on a pedestrian video: persons per frame and inference time,
// and writes one snapshot with the chosen model's boxes drawn. Run with `npm run bench:models`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModelManifest } from '../main/api/model-types.js';
import { decodeParams, fitInput, toSource, type ModelAddon } from '../main/models/detect.js';
import type { FrameDetection, RgbFrame } from '../main/addon/addon.js';
import { drawBoxes, encodePng, readVideoFrames } from '../main/models/frames.js';

export const VTEST_AVI = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';

export interface ModelBenchResult {
  name: string;
  frames: number;
  personsPerFrame: number[];
  meanPersons: number;
  framesWithPerson: number;
  meanInferenceMs: number;
}

export async function benchOnVideo(
  addon: ModelAddon,
  manifestPaths: string[],
  options: { video?: string; every?: number; maxFrames?: number; snapshot?: { dir: string; frame: number } } = {},
): Promise<ModelBenchResult[]> {
  const video = options.video ?? VTEST_AVI;
  const models = manifestPaths.map((p) => ({ path: p, manifest: JSON.parse(readFileSync(p, 'utf8')) as ModelManifest }));
  const results: ModelBenchResult[] = models.map((m) => ({
    name: m.manifest.name,
    frames: 0,
    personsPerFrame: [],
    meanPersons: 0,
    framesWithPerson: 0,
    meanInferenceMs: 0,
  }));
  const totalMs = models.map(() => 0);
  const snapshots = new Map<string, { frame: RgbFrame; boxes: FrameDetection[] }>();
  for await (const frame of readVideoFrames(video, 768, 576, { every: options.every, maxFrames: options.maxFrames })) {
    for (const [i, m] of models.entries()) {
      const input = fitInput(addon, frame, m.manifest);
      const run = addon.runModelTimed(join(dirname(m.path), m.manifest.file), { [m.manifest.input.name]: { dims: input.dims, data: input.data } });
      const dets = addon
        .decodeDetections(m.manifest.parser, run.outputs, decodeParams(m.manifest))
        .map((d) => toSource(d, input.transform, frame.width, frame.height));
      const persons = dets.filter((d) => m.manifest.labels[d.classId] === 'person');
      const r = results[i]!;
      r.frames++;
      r.personsPerFrame.push(persons.length);
      if (persons.length > 0) r.framesWithPerson++;
      totalMs[i]! += run.ms;
      if (options.snapshot && frame.index >= options.snapshot.frame && !snapshots.has(m.manifest.name)) {
        snapshots.set(m.manifest.name, { frame: { width: frame.width, height: frame.height, data: new Uint8Array(frame.data) }, boxes: persons });
      }
    }
  }
  for (const [i, r] of results.entries()) {
    r.meanPersons = r.personsPerFrame.reduce((a, b) => a + b, 0) / Math.max(1, r.frames);
    r.meanInferenceMs = totalMs[i]! / Math.max(1, r.frames);
  }
  for (const [name, shot] of snapshots) {
    drawBoxes(shot.frame, shot.boxes);
    mkdirSync(options.snapshot!.dir, { recursive: true });
    writeFileSync(join(options.snapshot!.dir, `vtest-${name}-frame${options.snapshot!.frame}.png`), encodePng(shot.frame));
  }
  return results;
}
