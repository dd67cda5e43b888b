// Model manifest and model-proposal types, shared by main/models and the renderer (types only).
// Format: resources/models/MANIFEST.md.

import type { ParserName } from './registries.js';

export type { ParserName } from './registries.js';
export type ExecutionProvider = 'tensorrt' | 'cuda' | 'cpu';

export interface ClassThresholds {
  score?: number;
  nmsIou?: number;
  topK?: number;
}

export interface ModelManifest {
  vigilManifest: 1;
  name: string;
  title: string;
  file: string;
  /** The FP16 variant of `file` (float32 input and outputs), opened on the CUDA and TensorRT providers; the CPU provider always opens `file`. */
  fp16File?: string;
  input: {
    name: string;
    width: number;
    height: number;
    layout: 'NCHW' | 'NHWC';
    colorOrder: 'RGB' | 'BGR';
    mean: [number, number, number];
    scale: [number, number, number];
    resize: 'letterbox' | 'stretch';
    padValue: number;
    batch: 'dynamic' | number;
  };
  parser: ParserName;
  parserOptions?: { strides?: number[]; regMax?: number };
  labels: string[];
  thresholds: {
    default: Required<ClassThresholds>;
    perClass?: Record<string, ClassThresholds>;
  };
  maxDetections: number;
  executionProviders: ExecutionProvider[];
  precision: 'fp32' | 'fp16';
  credits?: { source: string; license: string };
}

/** One problem found in a manifest: the JSON path of the field and what to do about it. */
export interface ManifestIssue {
  field: string;
  message: string;
}

export interface TensorInfo {
  name: string;
  elemType: string;
  /** A number for fixed dimensions, a string for symbolic ones (e.g. "batch"), null when unknown. */
  shape: (number | string | null)[];
}

export interface OnnxModelInfo {
  file: string;
  opset: number | null;
  producer: string;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

/** What Vigil guesses from an ONNX file's inputs and outputs, for the user to correct before saving. */
export interface ModelProposal {
  info: OnnxModelInfo;
  manifest: ModelManifest;
  /** Why each guess was made, and what could not be determined. */
  notes: string[];
}

/** Result of importing a DeepStream nvinfer config into a manifest. */
export interface NvinferImport {
  manifest: ModelManifest;
  /** Keys found in the config that Vigil cannot honour, with why: listed, never silently dropped. */
  unhonoured: { key: string; value: string; reason: string }[];
  /** Engine-level settings for the workspace, in its vocabulary: batch-size, and interval as inferEvery (interval + 1). */
  engineSettings: { batchSize?: number; inferEvery?: number };
  /** What the import applied that the user may not expect: nvinfer defaults used, classes filtered out, the
   * deepstream-app config followed. */
  notes: string[];
}
