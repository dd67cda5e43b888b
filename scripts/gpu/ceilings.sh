#!/usr/bin/env bash
# Runs ON the GPU machine after device-setup.sh: the hardware ceilings Vigil can reach there.
#   ceilings.sh decode [N ...]      NVDEC H.264 1080p decode, N parallel branches in ONE gst-launch
#                                   process (one CUDA context), default N = 1 8 16 32
#   ceilings.sh models [MODEL ...]  vigil-ortbench at batch 1/8/16/32 on CUDA: host input, device input
#                                   (IO binding), and device input written by Vigil's CUDA letterbox
#                                   kernel from 1080p NV12 frames. Models: $VIGIL_GPU_HOME/models/*.onnx
#                                   plus RT-DETR R50 exported by export_rtdetr.py (random weights).
#                                   VIGIL_TRT=1 adds the TensorRT provider, VIGIL_CPU=1 a CPU baseline.
#   ceilings.sh summary             the table of everything measured so far
# JSON lines go to $VIGIL_GPU_HOME/results/*.jsonl and, with the summary, to $OUT when set.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
H=${VIGIL_GPU_HOME:-/tmp/vigil-gpu}
[ -f "$H/env.sh" ] || { echo "ceilings: run scripts/gpu/device-setup.sh first" >&2; exit 1; }
# shellcheck disable=SC1091
source "$H/env.sh"
R=$H/results
mkdir -p "$R"
what=${1:-all}; shift || true

mp4frames() {  # sample count of the first track (stsz box)
  python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
i = d.find(b"stsz")
print(struct.unpack(">I", d[i + 12:i + 16])[0] if i > 0 else 0)
PY
}

decode() {
  # The clip the end-to-end runs play (1080p30) when it was carried, else base's; VIGIL_DECODE_CLIP overrides.
  # VIGIL_DECODE_MEMORY=cuda keeps the decoded frames in CUDA memory (as Vigil's engine does); default:
  # whatever fakesink negotiates.
  local clip=${VIGIL_DECODE_CLIP:-}
  [ -n "$clip" ] || { [ -s "$H/clip1080p30.mp4" ] && clip=$H/clip1080p30.mp4 || clip=$H/clip1080.mp4; }
  local out=(fakesink sync=false) mem=${VIGIL_DECODE_MEMORY:-any}
  [ "$mem" = cuda ] && out=('video/x-raw(memory:CUDAMemory)' ! fakesink sync=false)
  if [ ! -s "$clip" ]; then
    echo "[decode] no carried clip: encoding 600 frames of videotestsrc at 1080p with x264enc"
    gst-launch-1.0 -q videotestsrc num-buffers=600 pattern=ball ! video/x-raw,width=1920,height=1080,framerate=30/1 ! \
      x264enc speed-preset=veryfast bitrate=1500 key-int-max=30 ! h264parse ! mp4mux ! filesink location="$clip" \
      || { echo "[decode] cannot make the clip (x264 plugin missing?)" >&2; return 1; }
  fi
  local frames; frames=$(mp4frames "$clip")
  local counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(1 8 16 32)
  : > "$R/decode.jsonl"
  gst-launch-1.0 -q filesrc location="$clip" ! qtdemux ! h264parse ! nvh264dec ! fakesink sync=false \
    || { echo "[decode] nvh264dec pipeline failed" >&2; return 1; }  # warm-up: registry, driver, caches
  for n in "${counts[@]}"; do
    local args=()
    for _ in $(seq 1 "$n"); do
      args+=(filesrc location="$clip" ! qtdemux ! h264parse ! nvh264dec ! "${out[@]}")
    done
    local t0 t1
    t0=$(date +%s.%N)
    gst-launch-1.0 -q "${args[@]}" >/dev/null || { echo "[decode] $n streams: gst-launch failed" >&2; continue; }
    t1=$(date +%s.%N)
    python3 -c "import sys; n,f,a,b=int(sys.argv[1]),int(sys.argv[2]),float(sys.argv[3]),float(sys.argv[4]); s=b-a
print('{\"what\":\"nvdec-h264-1080p\",\"clip\":\"%s\",\"memory\":\"%s\",\"streams\":%d,\"frames\":%d,\"seconds\":%.2f,\"fps_total\":%.0f,\"fps_per_stream\":%.0f}'%(sys.argv[5],sys.argv[6],n,n*f,s,n*f/s,f/s))" \
      "$n" "$frames" "$t0" "$t1" "$(basename "$clip")" "$mem" | tee -a "$R/decode.jsonl"
  done
}

models() {
  local list=("$@")
  if [ ${#list[@]} -eq 0 ]; then
    if [ ! -s "$H/models/rtdetr_r50.onnx" ]; then
      echo "[models] exporting RT-DETR R50 (random weights) with $VIGIL_PYTHON"
      "$VIGIL_PYTHON" "$root/scripts/gpu/export_rtdetr.py" "$H/models/rtdetr_r50.onnx" 2>&1 | tail -15
    fi
    shopt -s nullglob; list=("$H"/models/*.onnx); shopt -u nullglob
  fi
  : > "$R/models.jsonl"
  for m in "${list[@]}"; do
    echo "[models] $m"
    vigil-ortbench "$m" --ep cuda --batches 1,8,16,32 --iters 20 | tee -a "$R/models.jsonl"
    vigil-ortbench "$m" --ep cuda --batches 1,8,16,32 --iters 20 --device-input | tee -a "$R/models.jsonl"
    vigil-ortbench "$m" --ep cuda --batches 1,8,16,32 --iters 20 --gpu-preprocess | tee -a "$R/models.jsonl"
    [ "${VIGIL_TRT:-0}" = 1 ] && vigil-ortbench "$m" --ep tensorrt --batches 1,8,16,32 --iters 20 --device-input | tee -a "$R/models.jsonl"
    [ "${VIGIL_CPU:-0}" = 1 ] && vigil-ortbench "$m" --ep cpu --batches 1,8 --iters 5 | tee -a "$R/models.jsonl"
  done
}

summary() {
  python3 - "$R" <<'PY' | tee "$R/summary.md"
import glob, json, os, sys
rows = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.jsonl"))):
    for line in open(f):
        line = line.strip()
        if line.startswith("{"):
            try: rows.append(json.loads(line))
            except ValueError: pass
dec = [r for r in rows if r.get("what", "").startswith("nvdec")]
if dec:
    print("| NVDEC H.264 1080p, one process | streams | fps in all | fps per stream |\n| --- | --- | --- | --- |")
    for r in dec: print(f"| nvh264dec | {r['streams']} | {r['fps_total']:,.0f} | {r['fps_per_stream']:,.0f} |")
    print()
inf = [r for r in rows if "ep" in r and r.get("model") != ".tiny.onnx"]
if inf:
    print("| model | ep | input | batch | ms / batch | images/s | preprocess ms |\n| --- | --- | --- | --- | --- | --- | --- |")
    for r in inf:
        if "error" in r:
            print(f"| {os.path.basename(r['model'])} | {r['ep']} | | {r['batch']} | error: {r['error'][:90]} | | |")
        else:
            pre = f"{r['preprocess_ms']:.2f}" if "preprocess_ms" in r else ""
            print(f"| {r['model']} | {r['ep']} | {r['input']} | {r['batch']} | {r['ms']:.2f} | {r['images_per_s']:,.0f} | {pre} |")
PY
}

case $what in
  decode) decode "$@" ;;
  models) models "$@" ;;
  summary) ;;
  all) decode; models ;;
  *) echo "usage: ceilings.sh decode [N ...] | models [MODEL ...] | summary | all" >&2; exit 2 ;;
esac
summary
if [ -n "${OUT:-}" ]; then cp "$R"/*.jsonl "$R"/summary.md "$OUT/" 2>/dev/null; fi
exit 0
