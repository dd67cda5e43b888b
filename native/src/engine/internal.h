#pragma once
// What the engine's stages share: the per-source slot and the unit of work that travels from the
// batcher through inference to post-processing. Not part of the engine's API (engine.h).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine.h"
#include "motion/motion.h"

namespace vigil {

using Clock = std::chrono::steady_clock;

inline int64_t wallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The best (highest-score) sighting of a track, kept as a copy of the frame for its snapshot.
struct BestShot {
  OwnedImage image;
  int64_t frame = 0, time = 0;
  Box box;
};

// One source as the engine sees it: its pipeline, its frame queue (the muxer's input), its tracker
// and its counters.
struct Engine::Slot {
  std::string id, uri;
  std::unique_ptr<Source> source;
  bool live = false;
  // Guarded by Engine::mu_.
  std::deque<Frame> queue;
  size_t capacity = 2;
  // Set under Engine::mu_; also read by the post-processing thread without it (frames still in flight
  // when a source is removed are not delivered).
  std::atomic<bool> removed{false};
  std::condition_variable space;
  SourceState state = SourceState::Connecting;
  std::string error;
  bool finishQueued = false;  // handed to post-processing to end its tracks
  // Batcher only.
  int64_t framesSeen = 0;
  double detectPeriod = 0;    // 1 / detectFps in stream seconds (0: no limit)
  double nextDetectPts = -1;  // stream time at which the next frame may go to the detector
  // Motion gating (null: off) and its scratch: the frame's cell means.
  std::unique_ptr<motion::MotionDetector> motion;
  std::vector<uint8_t> motionCells;
  // Analytics handed over by setAnalytics, taken by post-processing before the next frame.
  std::mutex analyticsMu;
  std::unique_ptr<analytics::CameraAnalytics> nextAnalytics;
  std::atomic<bool> analyticsChanged{false};
  // Post-processing only.
  std::unique_ptr<Tracker> tracker;
  std::unique_ptr<analytics::CameraAnalytics> analytics;
  std::atomic<bool> flushed{false};
  std::map<int64_t, BestShot> best;
  Clock::time_point lastPreview{};
  // Counters (atomics: read by stats()).
  std::atomic<int64_t> decoded{0}, processed{0}, inferred{0}, dropped{0};
  std::atomic<int64_t> gated{0};  // frames due for inference that motion gating skipped (still)
  // Window for rates and latency.
  std::mutex statMu;
  int64_t winDecoded = 0, winInferred = 0;
  Clock::time_point winStart = Clock::now();
  std::vector<double> winLatency;
  double lastDecodeFps = 0, lastInferFps = 0, lastLatency = 0;
};

// One batch on its way: formed by the batcher, run by inference, parsed and tracked by post-processing.
struct Engine::Work {
  std::vector<std::pair<std::shared_ptr<Slot>, Frame>> batch;
  std::vector<std::shared_ptr<Slot>> toFinish;  // sources whose tracks end with this batch
  std::vector<int> inferIndex;                  // per frame: its image in the input, or -1 (not inferred)
  int count = 0;                                // frames to infer
  int buffer = -1;                              // input buffer holding them (-1: none)
  std::vector<LetterboxTransform> transforms;
  std::string failure;       // pre-processing or inference failed: no detections for this batch
  InferenceOutputs outputs;  // the inference results, parsed by post-processing
  bool last = false;         // the engine stops after this one
  uint64_t seq = 0;          // the order the batcher formed it in (post-processing keeps it)
};

}  // namespace vigil
