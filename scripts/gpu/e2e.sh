#!/usr/bin/env bash
# End to end on the GPU machine (after device-setup.sh): N streams of 1080p H.264 played at their
# own rate (like cameras) through NVDEC → batch → infer (ONNX Runtime CUDA) → track, for the default
# detector and for RT-DETR R50; plus bare ONNX Runtime throughput of each model. JSON lines → $OUT.
# Usage: scripts/gpu/e2e.sh [STREAMS...]   (default: 8 16 32 50)
#   VIGIL_E2E_MODELS="nanodet-coco rtdetr-r50-b32"  models to run (manifests in $VIGIL_GPU_HOME/models;
#                                              rtdetr-r50[-dynamo][-fp16][-bN] are exported here on first use)
#   VIGIL_E2E_PREPROCESS="auto cpu"            pre-processing paths to compare: auto = CUDA kernel + IO
#                                              binding when the session runs on CUDA; cpu = the CPU worker pool
#   VIGIL_E2E_BATCH=N                          engine batch (default min(streams, 32)); needs a dynamic-batch model
#   VIGIL_E2E_REALTIME=0                       streams decode as fast as they can (throughput) instead of at 30 fps
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
H=${VIGIL_GPU_HOME:-/tmp/vigil-gpu}
source "$H/env.sh"
export ORT_EP_PATH=$H/ort/lib VIGIL_EP=${VIGIL_EP:-cuda}
out=${OUT:-$H/results}; mkdir -p "$out"
streams=("$@"); [ ${#streams[@]} -gt 0 ] || streams=(8 16 32 50)
secs=${VIGIL_SECONDS:-12}
# VIGIL_E2E_CLIP: the H.264 clip every stream plays (default: the 1080p30 clip when it was carried, else base's)
clip=${VIGIL_E2E_CLIP:-}
[ -n "$clip" ] || { [ -s "$H/clip1080p30.mp4" ] && clip=$H/clip1080p30.mp4 || clip=$H/clip1080.mp4; }
clip=file://$clip

# RT-DETR R50 (random weights) with a manifest for the detr parser, in variants named
# rtdetr-r50[-fp16][-bN]: -bN a static batch of N (shape arithmetic folds to constants: ONNX Runtime
# 1.29's CUDA provider crashes on the dynamic-batch graph's deformable attention), -fp16 half precision.
make_rtdetr() {
  local name=$1 batch=dynamic args=()
  [[ $name =~ -b([0-9]+)$ ]] && { batch=${BASH_REMATCH[1]}; args+=(--static-batch "$batch"); }
  [[ $name == *-fp16* ]] && args+=(--fp16)
  [[ $name == *-dynamo* ]] && args+=(--exporter dynamo)  # torch.export: static shapes become constants
  if [ ! -s "$H/models/$name.onnx" ]; then
    echo "== export $name ${args[*]}"
    $VIGIL_PYTHON "$root/scripts/gpu/export_rtdetr.py" "$H/models/$name-raw.onnx" --exporter "${VIGIL_EXPORTER:-auto}" "${args[@]}" 2>&1 | grep -v -i warn | tail -3
    $VIGIL_PYTHON "$root/scripts/gpu/resize_by_scales.py" "$H/models/$name-raw.onnx" "$H/models/$name-rs.onnx"
    $VIGIL_PYTHON "$root/scripts/gpu/gather_to_slice.py" "$H/models/$name-rs.onnx" "$H/models/$name.onnx"
  fi
  python3 - "$H/models" "$name" "$batch" <<'PY'
import json, sys, os
d, name, batch = sys.argv[1], sys.argv[2], sys.argv[3]
base = json.load(open(os.path.join(d, "nanodet-coco.json")))
m = {"vigilManifest": 1, "name": name, "title": "RT-DETR R50 (random weights, throughput only)", "file": name + ".onnx",
     "input": {"name": "images", "width": 640, "height": 640, "layout": "NCHW", "colorOrder": "RGB", "mean": [0, 0, 0],
               "scale": [1 / 255] * 3, "resize": "stretch", "batch": batch if batch == "dynamic" else int(batch)},
     "parser": "detr", "labels": base["labels"], "thresholds": {"default": {"score": 0.5, "nmsIou": 0.7, "topK": 100}},
     "maxDetections": 100, "executionProviders": ["cuda", "cpu"], "precision": "fp16" if "-fp16" in name else "fp32"}
json.dump(m, open(os.path.join(d, name + ".json"), "w"), indent=1)
PY
}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/device.txt"
read -r -a models <<< "${VIGIL_E2E_MODELS:-nanodet-coco rtdetr-r50-b32}"
for model in "${models[@]}"; do [[ $model == rtdetr-r50* ]] && make_rtdetr "$model"; done
read -r -a paths <<< "${VIGIL_E2E_PREPROCESS:-auto}"
rtflag=--realtime; [ "${VIGIL_E2E_REALTIME:-1}" = 0 ] && rtflag=
for model in "${models[@]}"; do
  echo "== bare ONNX Runtime CUDA: $model"
  fixed=$(python3 -c "import json,sys; b=json.load(open(sys.argv[1]))['input'].get('batch'); print(b if isinstance(b,int) else '')" "$H/models/$model.json")
  vigil-ortbench "$H/models/$model.onnx" --ep cuda --batches "${fixed:-1,8,16,32}" --iters 30 --warmup 5 --device-input 2>&1 | grep -v "^\[" | tail -4 | tee -a "$out/bare.jsonl"
  for n in "${streams[@]}"; do
    b=${fixed:-${VIGIL_E2E_BATCH:-$(( n < 32 ? n : 32 ))}}
    for pp in "${paths[@]}"; do
      tag=$model-$n-$pp${rtflag:+-rt}
      echo "== e2e $model: $n streams 1080p30 ${rtflag:+played in real time}${rtflag:-as fast as they decode}, batch $b, preprocess $pp"
      (nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits -lms 500 > "$out/gpu-util-$tag.txt" 2>/dev/null & echo $! > "$out/.smi.pid")
      if [ "$pp" = auto ]; then unset VIGIL_PREPROCESS; else export VIGIL_PREPROCESS=$pp; fi
      vigil-engine bench --streams "$n" --batch "$b" $rtflag --seconds "$secs" --uri "$clip" --model "$H/models/$model.json" --json 2>"$out/e2e-$tag.err" \
        | tee "$out/e2e-$tag.txt" | tail -1 | tee -a "$out/e2e.jsonl"
      unset VIGIL_PREPROCESS
      kill "$(cat "$out/.smi.pid")" 2>/dev/null || true
      util=$(awk '{s+=$1; n++} END {if (n) printf "%.0f", s/n}' "$out/gpu-util-$tag.txt")
      echo "   GPU utilisation mean ${util:-?} %   $(grep -o 'preprocess [a-z]* ([0-9]* threads)[^ ]*' "$out/e2e-$tag.txt" | head -1)"
      grep -m1 "^streams" "$out/e2e-$tag.txt" || true
      tail -2 "$out/e2e-$tag.err"
    done
  done
done
