// Every key of a DeepStream Gst-nvinfer config file (the [property] and [class-attrs-*] groups, as
// gst-nvinfer's property parser reads them) and every section of a deepstream-app config, with what
// Vigil does with it. `applied`: the importer maps it into the manifest or the engine settings (see
// nvinfer.ts); otherwise the reason it is understood but not applied, shown to the user.

export type KeyHandling = { applied: true } | { applied: false; why: string };
const applied: KeyHandling = { applied: true };
const not = (why: string): KeyHandling => ({ applied: false, why });

const SECONDARY_ONLY = 'only used by secondary (object-level) inference; it has no effect on a primary detector';
const CUSTOM_CODE = 'custom code libraries cannot be loaded; Vigil uses its built-in parser chosen from the ONNX output shapes';
const TENSORRT_TUNING = "TensorRT build and memory settings are chosen by Vigil's engine";
const CLASSIFIER_ONLY = 'classifier setting; it has no effect on a detector';
const SEGMENTATION_ONLY = 'segmentation setting; it has no effect on a detector';
const NOT_ONNX = 'Vigil imports ONNX models only (onnx-file)';

/** [property] keys. */
export const PROPERTY_KEYS: Readonly<Record<string, KeyHandling>> = {
  // element configuration
  'gie-unique-id': not('Vigil identifies models by their manifest name'),
  'process-mode': applied, // 1 (primary) is what Vigil runs; 2 (secondary) is refused
  interval: applied,
  'labelfile-path': applied,
  'gpu-id': not('the GPU is chosen by the engine for the whole workspace, not per model'),
  'secondary-reinfer-interval': not(SECONDARY_ONLY),
  'output-tensor-meta': not('raw output tensors are not attached to the results; Vigil parses them into boxes'),
  'disable-output-host-copy': not('output tensors are always copied to the host for parsing'),
  'auto-inc-mem': not(TENSORRT_TUNING),
  'max-gpu-mem-per': not(TENSORRT_TUNING),
  'enable-dla': not('DLA cores (Jetson) are not used; inference runs on the GPU or the CPU'),
  'use-dla-core': not('DLA cores (Jetson) are not used; inference runs on the GPU or the CPU'),
  'dump-input-tensor': not('tensor dumps for debugging are not written'),
  'dump-output-tensor': not('tensor dumps for debugging are not written'),
  // runtime engine
  'batch-size': applied,
  'tensor-meta-pool-size': not('raw output tensors are not attached to the results'),
  'network-mode': applied,
  'model-engine-file': not('Vigil builds and caches its own TensorRT engine from the ONNX file'),
  'int8-calib-file': not('INT8 calibration is not supported; Vigil runs fp32 (fp16 on TensorRT)'),
  'workspace-size': not(TENSORRT_TUNING),
  // generic model
  'output-blob-names': applied, // checked against the ONNX outputs; the parser reads them by layout
  'is-classifier': applied, // 0 is a detector; 1 is refused
  'network-type': applied, // 0 is a detector; others are refused
  'force-implicit-batch-dim': not('ONNX models have an explicit batch dimension; Vigil reads it from the file'),
  'infer-dims': applied,
  'output-io-formats': not(TENSORRT_TUNING),
  'layer-device-precision': not(TENSORRT_TUNING),
  // pre-processing
  'model-color-format': applied,
  'net-scale-factor': applied,
  offsets: applied,
  'mean-file': not('per-pixel mean images are not supported; per-channel offsets are'),
  'maintain-aspect-ratio': applied,
  'symmetric-padding': applied,
  'scaling-filter': not('Vigil always scales bilinearly'),
  'scaling-compute-hw': not('the engine chooses where frames are scaled (CUDA or CPU)'),
  'network-input-order': applied, // checked against the ONNX input layout
  'input-tensor-from-meta': not('pre-processed tensors from nvdspreprocess are not used; Vigil letterboxes whole frames itself'),
  // custom implementation
  'custom-lib-path': not(CUSTOM_CODE),
  'parse-bbox-func-name': not(CUSTOM_CODE),
  'parse-bbox-instance-mask-func-name': not(CUSTOM_CODE),
  'engine-create-func-name': not(CUSTOM_CODE),
  'parse-classifier-func-name': not(CUSTOM_CODE),
  'custom-network-config': not(CUSTOM_CODE),
  'parse-func': not("Vigil's built-in parser is chosen from the ONNX output shapes"),
  // model formats other than ONNX
  'model-file': not(NOT_ONNX),
  'proto-file': not(NOT_ONNX),
  'uff-file': not(NOT_ONNX),
  'uff-input-order': not(NOT_ONNX),
  'input-dims': not(NOT_ONNX),
  'uff-input-dims': not(NOT_ONNX),
  'uff-input-blob-name': not(NOT_ONNX),
  'tlt-encoded-model': not(NOT_ONNX),
  'tlt-model-key': not(NOT_ONNX),
  'onnx-file': applied,
  // detector
  'num-detected-classes': applied,
  'enable-dbscan': applied, // legacy form of cluster-mode
  'cluster-mode': applied,
  'filter-out-class-ids': applied,
  // classifier, segmentation
  'classifier-type': not(CLASSIFIER_ONLY),
  'classifier-threshold': not(CLASSIFIER_ONLY),
  'classifier-async-mode': not(CLASSIFIER_ONLY),
  'segmentation-threshold': not(SEGMENTATION_ONLY),
  'segmentation-output-order': not(SEGMENTATION_ONLY),
  'output-instance-mask': not('instance masks are not produced; Vigil reports boxes'),
  // secondary mode
  'input-object-min-width': not(SECONDARY_ONLY),
  'input-object-min-height': not(SECONDARY_ONLY),
  'input-object-max-width': not(SECONDARY_ONLY),
  'input-object-max-height': not(SECONDARY_ONLY),
  'operate-on-gie-id': not(SECONDARY_ONLY),
  'operate-on-class-ids': not(SECONDARY_ONLY),
};

const CLUSTERING = 'Vigil clusters with class-wise NMS (cluster-mode=2); DBSCAN and GroupRectangles settings do not apply';
const BOX_FILTERS = 'size and region filters per class are not applied; draw masks and zones on the camera instead';
const COLOURS = 'Vigil colours boxes by class on its own';

/** Keys of [class-attrs-all] and [class-attrs-N]. */
export const CLASS_ATTR_KEYS: Readonly<Record<string, KeyHandling>> = {
  'pre-cluster-threshold': applied,
  threshold: applied, // the older name of pre-cluster-threshold
  'nms-iou-threshold': applied,
  topk: applied,
  'post-cluster-threshold': not(CLUSTERING),
  eps: not(CLUSTERING),
  'group-threshold': not(CLUSTERING),
  minBoxes: not(CLUSTERING),
  'dbscan-min-score': not(CLUSTERING),
  'roi-top-offset': not(BOX_FILTERS),
  'roi-bottom-offset': not(BOX_FILTERS),
  'detected-min-w': not(BOX_FILTERS),
  'detected-min-h': not(BOX_FILTERS),
  'detected-max-w': not(BOX_FILTERS),
  'detected-max-h': not(BOX_FILTERS),
  'border-color': not(COLOURS),
  'bg-color': not(COLOURS),
};

/** deepstream-app config groups (a trailing digit run, as in [source0] or [sink1], is matched by the stem). */
export const APP_SECTIONS: Readonly<Record<string, string>> = {
  application: 'application settings (perf measurement, output folders) belong to deepstream-app',
  'tiled-display': 'the live wall lays out cameras itself',
  source: 'sources are not imported: add each camera under Settings → Cameras (or `vigil serve` and the API)',
  'source-list': 'sources are not imported: add each camera under Settings → Cameras',
  'source-attr-all': 'sources are not imported: add each camera under Settings → Cameras',
  sink: 'sinks are not imported: Vigil records detections to its own database and shows them on the live wall',
  osd: 'on-screen display is drawn by the live wall',
  streammux: 'batching is set under Settings → Tracker, batching and retention',
  'primary-gie': 'followed: its config-file is the model imported',
  'secondary-gie': 'secondary models are not run by Vigil',
  'secondary-pre-process': 'secondary models are not run by Vigil',
  'pre-process': 'nvdspreprocess regions are not imported; use zones and masks on the camera',
  tracker: 'the tracker is chosen under Settings → Tracker (iou, sort or bytetrack); its ll-config-file is not imported',
  'nvds-analytics': 'line crossing and regions are drawn as zones on each camera',
  'message-converter': 'message brokers are not supported',
  'message-consumer': 'message brokers are not supported',
  'img-save': 'Vigil saves a snapshot per track on its own',
  tests: 'deepstream-app test options do not apply',
};

/** The APP_SECTIONS entry for a section name, e.g. 'source2' → 'source'. */
export function appSection(name: string): string | undefined {
  if (name in APP_SECTIONS) return name;
  const stem = name.replace(/\d+$/, '');
  return stem !== name && stem in APP_SECTIONS ? stem : undefined;
}
