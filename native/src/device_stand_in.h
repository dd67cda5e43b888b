#pragma once
// A STAND-IN for the GPU boundary, for scheduling benchmarks on machines without a GPU
// (`vigil-engine schedule`). It replaces exactly the two steps that need the device — the CUDA
// letterbox of a batch and the session run on it — with waits of a modelled length and made-up
// detections; the engine's sources queues, batcher, buffers, inference threads, post-processing and
// trackers stay the real ones. Never used by the app (EngineConfig::deviceStandIn is empty there).
#include <cstdint>
#include <vector>

#include "parsers/parser.h"

namespace vigil {

class DeviceStandIn {
 public:
  virtual ~DeviceStandIn() = default;
  // Letterboxes `count` frames into an input buffer: returns after the time the GPU would take.
  virtual void preprocess(int count) = 0;
  // One session run of a batch holding `count` frames (`batch`: the shape run, the engine's batch on
  // the CUDA device path): returns after the time the run would take. Called from several threads
  // at once when EngineConfig::inferenceRuns > 1.
  virtual void infer(int count, int batch) = 0;
  // The detections of a stream's frame number `seq`, in network coordinates (thread-safe).
  virtual std::vector<Detection> detections(int64_t seq) const = 0;
};

}  // namespace vigil
