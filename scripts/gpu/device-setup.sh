#!/usr/bin/env bash
# Runs ON the GPU machine (bash + python3 only; no Node, no network).
#   device-setup.sh receive   stash the .gpu/* pieces copied into this checkout (outside the repository),
#                             so that the next piece may replace them
#   device-setup.sh           assemble ONNX Runtime, unpack GStreamer + Vigil binaries, write env.sh,
#                             verify nvh264dec and a CUDA execution-provider session
# Everything lands in $VIGIL_GPU_HOME (default /tmp/vigil-gpu); `source $VIGIL_GPU_HOME/env.sh` afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
H=${VIGIL_GPU_HOME:-/tmp/vigil-gpu}
mkdir -p "$H/stash"

if [ "${1:-}" = receive ]; then
  shopt -s nullglob
  got=0
  for d in "$root"/.gpu/base "$root"/.gpu/ort/p*; do
    [ -d "$d" ] || continue
    name=$(basename "$d"); [ "$name" = base ] || name=ort-$name
    mkdir -p "$H/stash/$name" && cp -a "$d"/. "$H/stash/$name/"
    got=1
  done
  for c in "$root"/.gpu/clip30/*.mp4; do cp "$c" "$H/" && echo "clip: $H/$(basename "$c")" && got=1; done
  [ $got = 1 ] || echo "device-setup receive: no .gpu/base or .gpu/ort/pN in this checkout (copy the next piece from the build machine's .gpu/ first)" >&2
  echo "stash in $H/stash:"; du -sh "$H"/stash/* 2>/dev/null || true
  exit 0
fi

fail() { echo "device-setup: $*" >&2; exit 1; }
[ -f "$H/stash/base/gst.tgz" ] || fail "piece .gpu/base not received — copy it to .gpu/base and run 'device-setup.sh receive' first"
parts=$(cat "$H/stash/base/ort-parts")
for i in $(seq 1 "$parts"); do
  [ -d "$H/stash/ort-p$i" ] || fail "ONNX Runtime part p$i of $parts not received — copy .gpu/ort/p$i here and run 'device-setup.sh receive'"
done

echo "[setup] ONNX Runtime"
if [ ! -s "$H/ort/lib/libonnxruntime_providers_cuda.so" ]; then
  rm -rf "$H/ort" && mkdir -p "$H/ort"
  for i in $(seq 1 "$parts"); do cp -a "$H/stash/ort-p$i"/. "$H/ort/"; done
  cp "$H/stash/base/ort-core.tgz" "$H/ort/core.tgz"
  python3 "$H/ort/assemble.py" "$H/ort"
  rm -f "$H"/ort/part.*
fi
echo "[setup] GStreamer bundle + Vigil binaries"
rm -rf "$H/gst" "$H/bin"
tar xzf "$H/stash/base/gst.tgz" -C "$H"
tar xzf "$H/stash/base/vigil-bin.tgz" -C "$H"
ln -sf "$H/ort/lib/libonnxruntime.so.1" "$H/bin/libonnxruntime.so.1"  # binaries look beside themselves ($ORIGIN)
mkdir -p "$H/models" "$H/results"
cp -a "$H/stash/base/models"/. "$H/models/" 2>/dev/null || true
cp -a "$H/stash/base/clip1080.mp4" "$H/clip1080.mp4" 2>/dev/null || true

NV=${NV:-$(ls -d /opt/torch/.venv/lib/python3*/site-packages/nvidia 2>/dev/null | head -1 || true)}
[ -n "$NV" ] || echo "[setup] WARNING: no /opt/torch/.venv/.../nvidia: CUDA 13 / cuDNN libraries must be on LD_LIBRARY_PATH already" >&2
PY=/opt/torch/.venv/bin/python3; [ -x $PY ] || PY=python3
cat > "$H/env.sh" <<EOT
export VIGIL_GPU_HOME=$H
export LD_LIBRARY_PATH=$H/bin/lib:$H/gst/lib:$H/ort/lib:$NV/cu13/lib:$NV/cudnn/lib:/usr/local/nvidia/lib64\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
export GST_PLUGIN_SYSTEM_PATH=$H/gst/plugins GST_PLUGIN_SCANNER=$H/gst/bin/gst-plugin-scanner
export GST_REGISTRY=/tmp/gst-registry.bin PATH=$H/bin:$H/gst/bin:\$PATH
export ORT_CUDA_EP=$H/ort/lib/libonnxruntime_providers_cuda.so ORT_TENSORRT_EP=$H/ort/lib/libonnxruntime_providers_tensorrt.so
export VIGIL_PYTHON=$PY
EOT
# shellcheck disable=SC1091
source "$H/env.sh"

echo "[setup] checks"
nvidia-smi -L 2>/dev/null || echo "(nvidia-smi not available)"
missing=$(for b in "$H"/bin/vigil_tests "$H"/bin/vigil-engine "$H"/bin/vigil-ortbench; do ldd "$b" | grep "not found" || true; done | sort -u)
[ -z "$missing" ] || fail "libraries missing for the Vigil binaries:
$missing"
gst-inspect-1.0 nvh264dec | sed -n '1,12p' | grep -E "Factory Details|Long-name|Description" \
  || fail "gst-inspect-1.0 nvh264dec failed — the nvcodec plugin did not load (driver libnvcuvid.so missing?): $(gst-inspect-1.0 nvh264dec 2>&1 | tail -3)"
python3 "$root/scripts/gpu/tiny_onnx.py" "$H/models/.tiny.onnx" 64 64 >/dev/null
vigil-ortbench "$H/models/.tiny.onnx" --ep cuda --batches 1 --iters 3 --warmup 1 | tee "$H/results/setup-check.jsonl"
grep -q '"ms"' "$H/results/setup-check.jsonl" || fail "no CUDA execution-provider session (see the line above)"
vigil-engine info || true
echo "[setup] ready: source $H/env.sh"
