#!/usr/bin/env bash
# Builds on the build machine (Debian, no GPU needed) everything the GPU machine needs, in git-ignored
# pieces of < 60 MB under .gpu/, and prints the order in which to transfer them and the commands to run
# on the GPU machine.
#   .gpu/base    gst.tgz (GStreamer 1.22 + nvcodec), vigil-bin.tgz (vigil_tests, vigil-engine,
#                vigil-ortbench + the shared libraries Ubuntu 24.04 lacks), clip1080.mp4, models/,
#                ort-core.tgz (ONNX Runtime 1.29 core + TensorRT provider)
#   .gpu/ort/pN  the xz-split ONNX Runtime CUDA provider (ort-cuda-parts.sh)
# Needs VIGIL_GPU_SHARED: a folder with the two packaging helpers this repository does not hold,
#   gst-bundle.sh DEST PLUGIN...  (a relocatable GStreamer 1.22 with those plugins, in DEST/lib) and
#   ort-cuda-parts.sh DEST        (ONNX Runtime's CUDA provider in parts DEST/pN with assemble.py).
# Usage: scripts/gpu/pack.sh [--force] [MODEL.onnx ...]   (default: .vigil/models/*.onnx, else the generated
#   nanodet-coco.onnx; a MODEL.json and a MODEL.fp16.onnx beside a model go along)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
shared=${VIGIL_GPU_SHARED:?set VIGIL_GPU_SHARED to the folder holding gst-bundle.sh and ort-cuda-parts.sh (see the head of this script)}
force=0
models=()
for a in "$@"; do
  case $a in --force) force=1 ;; *) models+=("$a") ;; esac
done
[ ${#models[@]} -gt 0 ] || { shopt -s nullglob; models=(.vigil/models/*.onnx); shopt -u nullglob; }
# the default detector as set-up generates it (dynamic batch), with its manifest
[ ${#models[@]} -gt 0 ] || models=(resources/models/generated/nanodet-coco.onnx)
limit=$((60 * 1000 * 1000))
out=.gpu
base=$out/base
if [ $force = 1 ]; then rm -rf "$out"; fi
mkdir -p "$out"

echo "[pack] building the native engine (CUDA on when nvcc is found)"
if [ ! -f native/build/CMakeCache.txt ]; then node scripts/setup.mjs; fi
cmake --build native/build --parallel 2 >/dev/null
grep -q 'VIGIL_CUDA:BOOL=ON' native/build/CMakeCache.txt || echo "[pack] WARNING: native/build has VIGIL_CUDA off: the GPU tests will only check the CPU path" >&2

rm -rf "$base" && mkdir -p "$base/models"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "[pack] GStreamer bundle"
# The bundle's default list minus libav (200 MB of codecs; H.264 goes to nvh264dec there).
gst_plugins=(coreelements app typefindfunctions playback isomp4 videoparsersbad nvcodec videoconvertscale videotestsrc
  rtsp rtp rtpmanager udp tcp matroska jpeg x264 pbtypes multifile)  # multifile: splitmuxsink (recording)
bash "$shared/gst-bundle.sh" "$work/gst" "${gst_plugins[@]}" >/dev/null
tar czf "$base/gst.tgz" -C "$work" gst

echo "[pack] Vigil binaries + libraries missing on the GPU machine"
mkdir -p "$work/bin/lib"
bins=(native/build/vigil_tests native/build/vigil-engine native/build/vigil-ortbench)
cp "${bins[@]}" "$work/bin/"
# glibc / libstdc++ come from the target (newer there); GStreamer and ONNX Runtime come from their bundles.
skip='^(linux-vdso|libc\.so|libm\.so|libstdc\+\+|libgcc_s|ld-linux|libpthread|libdl\.so|librt\.so|libonnxruntime)'
for b in "${bins[@]}"; do
  ldd "$b" | awk '/=> \//{print $1" "$3}' | while read -r name path; do
    [[ $name =~ $skip ]] && continue
    [ -e "$work/gst/lib/$name" ] && continue
    [ -e "$work/bin/lib/$name" ] || cp -L "$path" "$work/bin/lib/$name"
  done
done
tar czf "$base/vigil-bin.tgz" -C "$work" bin

clip=$out/clip1080.mp4
if [ ! -s "$clip" ]; then
  echo "[pack] 1080p H.264 clip from vtest.avi (x264enc veryfast 1500 kbit/s, GOP 30; about a minute)"
  gst-launch-1.0 -q filesrc location=/usr/share/doc/opencv-doc/examples/data/vtest.avi ! decodebin ! videoconvert ! \
    videoscale ! video/x-raw,width=1920,height=1080 ! x264enc speed-preset=veryfast bitrate=1500 key-int-max=30 threads=2 ! \
    h264parse ! mp4mux ! filesink location="$clip.tmp" && mv "$clip.tmp" "$clip"
fi
cp "$clip" "$base/clip1080.mp4"
# each model with its manifest beside it (e2e.sh runs the engine on MODEL.json)
for m in "${models[@]}"; do
  cp "$m" "$base/models/"; [ ! -f "${m%.onnx}.json" ] || cp "${m%.onnx}.json" "$base/models/"
  [ ! -f "${m%.onnx}.fp16.onnx" ] || cp "${m%.onnx}.fp16.onnx" "$base/models/"  # the manifest's fp16File (set-up writes it)
done

echo "[pack] ONNX Runtime CUDA parts (npm pack + xz; several minutes the first time)"
if [ ! -s "$out/ort/p1/assemble.py" ]; then
  rm -rf "$out/ort" "$out/ort-core.tgz"
  bash "$shared/ort-cuda-parts.sh" "$out/ort" >/dev/null
fi
# The core library rides in base, so that p1 (core + 50 MB part) stays well under 60 MB.
if [ -f "$out/ort/p1/core.tgz" ]; then mv "$out/ort/p1/core.tgz" "$out/ort-core.tgz"; fi
cp "$out/ort-core.tgz" "$base/ort-core.tgz"
parts=$(ls -d "$out"/ort/p* | wc -l)
echo "$parts" > "$base/ort-parts"

pieces=("$base")
for i in $(seq 1 "$parts"); do pieces+=("$out/ort/p$i"); done
echo
echo "[pack] pieces (each under 60 MB; transfer them one at a time, in this order):"
n=0
for p in "${pieces[@]}"; do
  bytes=$(du -sb "$p" | cut -f1)
  n=$((n + 1))
  flag=""
  [ "$bytes" -lt $limit ] || flag="  <-- TOO LARGE: move models out or pass fewer"
  printf '  %d. %s  %s MB%s\n' "$n" "$p" "$((bytes / 1000000))" "$flag"
done
cat <<EOT

On the GPU machine, in a checkout of the same commit (every command runs in its root):
  for each piece above, in order:   copy it to the same path there, then: bash scripts/gpu/device-setup.sh receive
  then:                             bash scripts/gpu/device-setup.sh && bash scripts/gpu/run-tests.sh
  then:                             bash scripts/gpu/ceilings.sh decode
  then:                             bash scripts/gpu/ceilings.sh models
  then:                             VIGIL_E2E_MODELS=nanodet-coco VIGIL_E2E_PREPROCESS="auto cpu" bash scripts/gpu/e2e.sh 16 32 50
Results (JSON lines, test log, summary) land in \$VIGIL_GPU_HOME/results, and in \$OUT when it names a folder.
EOT
