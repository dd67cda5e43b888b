#!/usr/bin/env bash
# End to end on the GPU machine (after device-setup.sh): N streams of 1080p H.264 played at their
# own rate (like cameras) through NVDEC → batch → infer (ONNX Runtime CUDA) → track, for the default
# detector and for RT-DETR R50; plus bare ONNX Runtime throughput of each model. JSON lines → $OUT.
# Usage: scripts/gpu/e2e.sh [STREAMS...]   (default: 8 16 32 50)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
H=${VIGIL_GPU_HOME:-/tmp/vigil-gpu}
source "$H/env.sh"
export ORT_EP_PATH=$H/ort/lib VIGIL_EP=${VIGIL_EP:-cuda}
out=${OUT:-$H/results}; mkdir -p "$out"
streams=("$@"); [ ${#streams[@]} -gt 0 ] || streams=(8 16 32 50)
secs=${VIGIL_SECONDS:-12}
clip=file://$H/clip1080.mp4

# RT-DETR R50 (random weights) with a manifest for the detr parser.
if [ ! -s "$H/models/rtdetr-r50.onnx" ]; then
  $VIGIL_PYTHON "$root/scripts/gpu/export_rtdetr.py" "$H/models/rtdetr-r50-raw.onnx" --exporter "${VIGIL_EXPORTER:-auto}" 2>&1 | grep -v -i warn | tail -3
  $VIGIL_PYTHON "$root/scripts/gpu/resize_by_scales.py" "$H/models/rtdetr-r50-raw.onnx" "$H/models/rtdetr-r50.onnx"
fi
python3 - "$H/models" <<'PY'
import json, sys, os
d = sys.argv[1]
base = json.load(open(os.path.join(d, "nanodet-coco.json")))
m = {"vigilManifest": 1, "name": "rtdetr-r50", "title": "RT-DETR R50 (random weights, throughput only)", "file": "rtdetr-r50.onnx",
     "input": {"name": "images", "width": 640, "height": 640, "layout": "NCHW", "colorOrder": "RGB", "mean": [0, 0, 0],
               "scale": [1 / 255] * 3, "resize": "stretch", "batch": "dynamic"},
     "parser": "detr", "labels": base["labels"], "thresholds": {"default": {"score": 0.5, "nmsIou": 0.7, "topK": 100}},
     "maxDetections": 100, "executionProviders": ["cuda", "cpu"], "precision": "fp32"}
json.dump(m, open(os.path.join(d, "rtdetr-r50.json"), "w"), indent=1)
PY
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/device.txt"
for model in nanodet-coco rtdetr-r50; do
  echo "== bare ONNX Runtime CUDA: $model"
  vigil-ortbench "$H/models/$model.onnx" --ep cuda --batches 1,8,16,32 --iters 30 --warmup 5 2>/dev/null | tee -a "$out/bare.jsonl"
  for n in "${streams[@]}"; do
    b=$(( n < 32 ? n : 32 ))
    echo "== e2e $model: $n streams 1080p30 realtime, batch $b"
    (nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits -lms 500 > "$out/gpu-util-$model-$n.txt" 2>/dev/null &)
    vigil-engine bench --streams "$n" --batch "$b" --realtime --seconds "$secs" --uri "$clip" --model "$H/models/$model.json" --json 2>"$out/e2e-$model-$n.err" \
      | tail -1 | tee -a "$out/e2e.jsonl"
    pkill -f "nvidia-smi --query-gpu=utilization" || true
    util=$(awk '{s+=$1; n++} END {if (n) printf "%.0f", s/n}' "$out/gpu-util-$model-$n.txt")
    echo "   GPU utilisation mean ${util:-?} %"
    tail -2 "$out/e2e-$model-$n.err"
  done
done
