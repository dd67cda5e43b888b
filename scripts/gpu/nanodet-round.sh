#!/usr/bin/env bash
# NanoDet end to end on the GPU machine (after the pieces were received): real time (every stream at
# 30 fps) and throughput (as fast as the streams decode) at the stream counts given, one JSON summary
# line each; then the NVDEC decode ceiling at the throughput stream counts.
# Usage: nanodet-round.sh "RT_STREAMS" "FF_STREAMS"   e.g. nanodet-round.sh "16 32 50" "32 48"
# Scheduling knobs (unset: the engine's defaults): RUNS (session runs in flight), LIVE_QUEUE (frames a
# live source may have waiting), PUSH_WHEN_IDLE (0|1). Each JSON line says which were used, and a
# "held" line per real-time run: slowest stream fps, frames dropped in the measured window, p95, GPU busy.
# Env: SECS (measured seconds, 10), BATCH (engine batch), RECORD=1 (every stream also recorded), NO_DECODE=1
set -u
bash scripts/gpu/device-setup.sh >/dev/null 2>&1 || { echo "setup failed"; exit 1; }
source /tmp/vigil-gpu/env.sh
H=$VIGIL_GPU_HOME; export ORT_EP_PATH=$H/ort/lib VIGIL_EP=cuda
C=file://$H/clip1080p30.mp4; M=$H/models/nanodet-coco.json
b() {
  # RECORD=1: every stream also records its video (stream copy) into $H/rec, cleared per run.
  local rec=()
  if [ -n "${RECORD:-}" ]; then rm -rf "$H/rec"; rec=(--record "$H/rec"); fi
  vigil-engine bench --model "$M" --uri "$C" --seconds "${SECS:-10}" --json ${RUNS:+--runs "$RUNS"} ${LIVE_QUEUE:+--live-queue "$LIVE_QUEUE"} \
    ${PUSH_WHEN_IDLE:+--push-when-idle "$PUSH_WHEN_IDLE"} "${rec[@]}" "$@" 2>/dev/null | python3 -c "import json,sys
d={}
for line in sys.stdin:
    if line.startswith('{'): d.update(json.loads(line))
keys=['streams','realtime','e2e_fps','decoded_fps','min_stream_fps','p50_ms','p95_ms','p99_ms','dropped','dropped_in_window','gpu_util_percent','cpu_percent','device_frames_percent','stage_ms','bare_fps','bare_input','ratio','engine_batch','inference_runs','live_queue','push_when_idle','recorded_segments','recorded_bytes','recorded_seconds']
print(json.dumps({k:d[k] for k in keys if k in d}))
if d.get('realtime'): need = 30 * d['streams']; print('%s: %d streams: slowest stream %.2f fps, dropped %d in the window, p95 %.0f ms, GPU busy %.0f %% (%d runs in flight, live queue %d)%s' % ('HELD' if d['min_stream_fps'] >= 29.7 else 'not held', d['streams'], d['min_stream_fps'], d.get('dropped_in_window', -1), d['p95_ms'], d['gpu_util_percent'], d.get('inference_runs', 1), d.get('live_queue', 2), '; decode is the limit: %.0f fps decoded < %d needed' % (d['decoded_fps'], need) if d['decoded_fps'] < 0.99 * need else ''))"
}
for n in $1; do b --streams "$n" --batch "${BATCH:-$((n < 32 ? n : 32))}" --realtime; done
for n in $2; do b --streams "$n" --batch "${BATCH:-32}"; done
[ -n "${NO_DECODE:-}" ] || bash scripts/gpu/ceilings.sh decode $2 2>&1 | grep "^| nvh264dec"
