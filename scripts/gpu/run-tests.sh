#!/usr/bin/env bash
# Runs ON the GPU machine after device-setup.sh: the GPU / CUDA GoogleTest cases (CUDA kernels vs the
# CPU reference, DETR parser). Extra arguments go to vigil_tests (e.g. --gtest_filter=...).
# The log is also copied to $OUT when it names a folder (e.g. one collected after the run).
set -uo pipefail
H=${VIGIL_GPU_HOME:-/tmp/vigil-gpu}
[ -f "$H/env.sh" ] || { echo "run-tests: run scripts/gpu/device-setup.sh first" >&2; exit 1; }
# shellcheck disable=SC1091
source "$H/env.sh"
mkdir -p "$H/results" "$H/test-tmp"
export ORT_EP_PATH=${ORT_EP_PATH:-$H/ort/lib}  # CUDA execution provider for the GPU-path session tests
filter='*Gpu*:*Cuda*:*Detr*:*BatchPreprocess*:WorkerPool*:DeviceFrames.*'
[ $# -gt 0 ] || set -- --gtest_filter="$filter"
VIGIL_TEST_TMP=$H/test-tmp vigil_tests --gtest_color=no "$@" 2>&1 | tee "$H/results/gpu-tests.log"
rc=${PIPESTATUS[0]}
if grep -q "CUDA tests not run" "$H/results/gpu-tests.log"; then
  echo "run-tests: WARNING: the CUDA comparisons did not run on this machine (reason above)" >&2
  [ $rc -ne 0 ] || rc=3
fi
[ -n "${OUT:-}" ] && cp "$H/results/gpu-tests.log" "$OUT/" 2>/dev/null
echo "run-tests: exit $rc"
exit $rc
