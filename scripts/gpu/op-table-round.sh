#!/usr/bin/env bash
# Issue 17, round 2, ON the GPU machine (bash + python3; node comes along gzipped): the provider-unsafe op
# table, the rewrites of the crashing ops and of RT-DETR R50 (random weights), and RT-DETR's throughput on
# ONNX Runtime 1.29's CUDA provider. Pieces arrive under .gpu/optable over several calls (each call:
# `bash scripts/gpu/op-table-round.sh receive`); the last call runs `bash scripts/gpu/op-table-round.sh`.
#   .gpu/optable/base     core.tgz (ORT 1.29 core), vigil-ortbench, node.gz, js/ (dist of main/models/rewrites), op-table.py
#   .gpu/optable/cN       cuda.xz.N: the xz-compressed CUDA provider library, in pieces
set -uo pipefail
repo=$(pwd)
H=${VIGIL_OPTABLE_HOME:-/tmp/vigil-optable}
mkdir -p "$H"
if [ "${1:-}" = receive ]; then
  for d in .gpu/optable/*/; do cp -a "$d". "$H/"; done
  cp -a .gpu/optable/*.sh .gpu/optable/*.py "$H/" 2>/dev/null
  du -sh "$H"/* | tr '\n' ' '; echo
  exit 0
fi
for d in .gpu/optable/*/; do cp -a "$d". "$H/"; done
cp -a .gpu/optable/*.sh .gpu/optable/*.py "$H/" 2>/dev/null
OUT=${OUT:-$H/out}
mkdir -p "$OUT"
cd "$H"
t0=$(date +%s)
step() { echo "[$(($(date +%s) - t0)) s] $*"; }
step "assembling"
mkdir -p lib && tar xzf core.tgz
[ -s lib/libonnxruntime_providers_cuda.so ] || cat cuda.xz.* | xz -dc > lib/libonnxruntime_providers_cuda.so || exit 1
[ -x node ] || { gunzip -c node.gz > node && chmod +x node; }
cp vigil-ortbench lib/
NV=$(ls -d /opt/torch/.venv/lib/python3*/site-packages/nvidia 2>/dev/null | head -1)
export LD_LIBRARY_PATH=$H/lib:$NV/cu13/lib:$NV/cudnn/lib:/usr/local/nvidia/lib64
export ORT_CUDA_EP=$H/lib/libonnxruntime_providers_cuda.so
B=$H/lib/vigil-ortbench
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
./node --version
python3 -c "import onnx, onnxruntime, torch; print('onnx', onnx.__version__, 'onnxruntime(py, cpu)', onnxruntime.__version__, 'torch', torch.__version__)"
[ "${H5_ONLY_ASSEMBLE:-0}" = 1 ] && exit 0

if [ "${H5_SKIP_OPS:-0}" != 1 ]; then
  step "op table: one-op models, each in its own process"
  rm -rf ops ops-rw && python3 op-table.py build ops || exit 1
  "$B" ops/Relu--plain.onnx --ep cuda --batches 1 --iters 2 --warmup 1 || { echo "no CUDA session: stop"; exit 1; }
  mkdir -p ops-rw
  for f in ops/Einsum--*.onnx ops/ScatterND--*.onnx ops/GridSample--*.onnx; do
    ./node js/main/models/rewrites/cli.js "$f" "ops-rw/$(basename "$f")" >> "$OUT/rewrite-ops.jsonl" 2>&1 || rm -f "ops-rw/$(basename "$f")"
  done
  python3 op-table.py run ops ops-rw --out "$OUT/provider-unsafe-ops.json" --jsonl "$OUT/op-table.jsonl" --bench "$B" --jobs 6 --timeout 90
fi

step "RT-DETR R50 (random weights), dynamic batch, TorchScript exporter"
[ -s rtdetr.onnx ] || timeout 300 python3 "$repo/scripts/gpu/export_rtdetr.py" rtdetr.onnx 2>&1 | grep -v Warning | tail -5
./node js/main/models/rewrites/cli.js rtdetr.onnx rtdetr-rw.onnx | tee "$OUT/rewrite-rtdetr.json" | cut -c1-1500
python3 - <<'PY' 2>&1 | tee -a "$OUT/rtdetr-parity.txt"
import collections, numpy as np, onnx, onnxruntime as ort
for f in ["rtdetr.onnx", "rtdetr-rw.onnx"]:
    m = onnx.load(f, load_external_data=False)
    c = collections.Counter(n.op_type for n in m.graph.node)
    print(f, len(m.graph.node), "nodes;", {k: c[k] for k in ["GridSample", "ScatterND", "Einsum", "GatherElements", "MatMul"]})
rng = np.random.default_rng(0)
for batch in (1, 2):
    x = rng.random((batch, 3, 640, 640), dtype=np.float32)
    outs = [ort.InferenceSession(f, providers=["CPUExecutionProvider"]).run(None, {"images": x}) for f in ["rtdetr.onnx", "rtdetr-rw.onnx"]]
    print(f"CPU parity batch {batch}: max abs logits {np.abs(outs[0][0]-outs[1][0]).max():.2e}, boxes {np.abs(outs[0][1]-outs[1][1]).max():.2e}")
PY
step "original RT-DETR on CUDA (expected to crash), in its own process"
timeout 120 "$B" rtdetr.onnx --ep cuda --batches 1 --iters 1 --warmup 0 2>&1 | tail -2; echo "original rc=${PIPESTATUS[0]}" | tee "$OUT/rtdetr-original-rc.txt"
step "rewritten RT-DETR on CUDA: host input, then device input"
timeout 240 "$B" rtdetr-rw.onnx --ep cuda --batches 1,8,16,32 --iters 20 --warmup 3 | tee "$OUT/rtdetr-bench.jsonl"; echo "rc=${PIPESTATUS[0]}"
timeout 240 "$B" rtdetr-rw.onnx --ep cuda --batches 1,8,16,32,64 --iters 20 --warmup 3 --device-input | tee -a "$OUT/rtdetr-bench.jsonl"; echo "rc=${PIPESTATUS[0]}"
step "done"
