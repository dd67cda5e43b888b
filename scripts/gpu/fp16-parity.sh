#!/usr/bin/env bash
# FP16 against FP32 on the GPU machine (issue 17), after the pieces were received: each model's FP16
# variant (the manifest's fp16File, written by set-up) and its FP32 file, both on the CUDA provider.
#   1. parity: `vigil-engine run --json` of the 1080p vtest clip with each variant (IoU tracker), compared
#      by detections-parity.py (same label, IoU >= 0.9, >= 98 % of each run's boxes matched);
#   2. speed: vigil-ortbench on each ONNX file (bare ONNX Runtime, device input), then `vigil-engine bench`
#      end to end with each variant, and the same with batch shapes not warmed (--warm never).
# The FP32 run uses a copy of the manifest without fp16File (the engine opens fp16File on CUDA/TensorRT).
# Usage: fp16-parity.sh [MODEL ...]   (default nanodet-coco; FRAMES=300 STREAMS=32 BATCH=32 SECS=10)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bash scripts/gpu/device-setup.sh >/dev/null 2>&1 || { echo "setup failed (run scripts/gpu/device-setup.sh for the reason)"; exit 1; }
source /tmp/vigil-gpu/env.sh
H=$VIGIL_GPU_HOME; export ORT_EP_PATH=$H/ort/lib VIGIL_EP=${VIGIL_EP:-cuda}
C=file://$H/clip1080p30.mp4
[ -s "$H/clip1080p30.mp4" ] || C=file://$H/clip1080.mp4
out=$H/results/fp16-$(date +%Y%m%d-%H%M%S); mkdir -p "$out"
FRAMES=${FRAMES:-300} STREAMS=${STREAMS:-32} BATCH=${BATCH:-32} SECS=${SECS:-10}
status=0
models=("$@"); [ ${#models[@]} -gt 0 ] || models=(nanodet-coco)
for model in "${models[@]}"; do
  M=$H/models/$model.json
  F32=$H/models/$model-fp32only.json
  [ -s "$M" ] || { echo "$model: no manifest at $M — pack it (scripts/gpu/pack.sh) and receive the pieces"; status=1; continue; }
  python3 - "$M" "$F32" <<'PY' || { status=1; continue; }
import json, os, sys
m = json.load(open(sys.argv[1]))
half = m.get("fp16File")
if not half or not os.path.isfile(os.path.join(os.path.dirname(sys.argv[1]), half)):
    sys.exit(f"{sys.argv[1]}: no FP16 variant (fp16File {half!r}) — run set-up on the build machine, then pack and receive again")
m.pop("fp16File")
m["name"] += "-fp32only"
json.dump(m, open(sys.argv[2], "w"), indent=1)
PY
  for v in fp32 fp16; do
    mm=$M; [ $v = fp32 ] && mm=$F32
    vigil-engine run "$C" --model "$mm" --frames "$FRAMES" --json --tracker iou >"$out/$model-$v.jsonl" 2>"$out/$model-$v.err"
    grep -m1 "^vigil-engine: model" "$out/$model-$v.err"   # says "(FP16 variant)" and the provider
  done
  echo "== $model parity, FP16 against FP32 ($FRAMES frames):"
  python3 scripts/gpu/detections-parity.py "$out/$model-fp32.jsonl" "$out/$model-fp16.jsonl" | tee "$out/$model-parity.json" || status=1
  echo "== $model bare ONNX Runtime (vigil-ortbench, CUDA, device input): fp32 then fp16"
  onnx=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(m['file'], m['fp16File'])" "$M")
  for f in $onnx; do
    vigil-ortbench "$H/models/$f" --ep cuda --batches "1,8,$BATCH" --iters 30 --warmup 5 --device-input 2>&1 | grep '^{' | tee -a "$out/$model-ortbench.jsonl"
  done
  echo "== $model end to end (vigil-engine bench, $STREAMS streams, batch $BATCH): fp32, fp16, fp16 with --warm never"
  for run in "fp32 $F32 gpu" "fp16 $M gpu" "fp16-nowarm $M never"; do
    set -- $run
    vigil-engine bench --model "$2" --uri "$C" --streams "$STREAMS" --batch "$BATCH" --seconds "$SECS" --warm "$3" --json 2>"$out/$model-bench-$1.err" | tail -1 |
      python3 -c "import json,sys
d=json.loads(sys.stdin.read()); print(json.dumps({'run':sys.argv[1], **{k:d.get(k) for k in ['e2e_fps','bare_fps','ratio','p50_ms','p95_ms','min_stream_fps','provider','engine_batch','stage_ms','first_full_batch_infer_ms','warmed','model_file']}}))" "$1" |
      tee -a "$out/$model-bench.jsonl"
  done
done
echo "results: $out"
if [ -n "${OUT:-}" ] && [ -d "$OUT" ]; then cp -r "$out" "$OUT/"; fi
exit $status
