#!/usr/bin/env bash
# One measuring round on the GPU machine (after the pieces were received): set-up, then RT-DETR R50
# variants (export, bare, 50 streams as fast as they decode) and the real-time pacing check.
set -u
bash scripts/gpu/device-setup.sh >/dev/null 2>&1 || { echo "setup failed"; exit 1; }
source /tmp/vigil-gpu/env.sh
H=$VIGIL_GPU_HOME; export OUT=$H/results ORT_EP_PATH=$H/ort/lib
show() { python3 -c "import json,sys
for l in sys.stdin:
  if l.startswith('{\"streams'):
    d=json.loads(l); print({k:d.get(k) for k in ['streams','realtime','e2e_fps','decoded_fps','min_stream_fps','p50_ms','p95_ms','dropped','gpu_util_percent','stage_ms','bare_fps','engine_batch']})"; }
for v in ${ROUND_MODELS:-rtdetr-r50-b32 rtdetr-r50-fp16-b32}; do
  VIGIL_E2E_MODELS=$v VIGIL_E2E_REALTIME=${ROUND_RT:-0} VIGIL_SECONDS=8 timeout 280 bash scripts/gpu/e2e.sh ${ROUND_STREAMS:-50} 2>&1 \
    | grep -E "^== |exported|export failed|rror|images_per_s" | cut -c1-300
  cat $H/results/e2e-$v-*.txt 2>/dev/null | show
done
if [ -n "${ROUND_PACE:-}" ]; then
  echo "== gst-launch nvh264dec ! fakesink sync=true, 10 s, frames counted"
  for n in 1 16; do
    args=(); for i in $(seq $n); do args+=(filesrc location=$H/clip1080p30.mp4 ! qtdemux ! h264parse ! nvh264dec ! identity silent=false ! fakesink sync=true); done
    c=$(timeout 10 gst-launch-1.0 -v "${args[@]}" 2>&1 | grep -c "chain")
    echo "streams $n: $c frames in 10 s (30 fps = $((n*300)))"
  done
fi
