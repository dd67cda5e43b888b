// The engine's lifecycle (model, session, stage threads, stop) and its statistics; the stages
// themselves are under engine/.
#include "engine.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "engine/internal.h"
#include "engine/osd.h"
#include "engine_info.h"

namespace vigil {

Engine::Engine(EngineConfig config, EngineListener* listener) : config_(std::move(config)), listener_(listener) {
  std::string err;
  if (!ensureGstreamer(&err)) throw std::runtime_error(err);
  manifest_ = loadManifest(resolveManifest(config_.model));
  InferenceOptions io;
  io.maxBatch = std::max(1, config_.batchSize);
  io.intraOpThreads = config_.intraOpThreads;
  io.providers = config_.providers;
  session_ = std::make_unique<InferenceSession>(manifest_, io);
  batchSize_ = session_->maxBatch();
  const int workers = config_.preprocessThreads > 0 ? std::min(config_.preprocessThreads, batchSize_)
                                                    : defaultPreprocessThreads(batchSize_, session_->provider() == "CPUExecutionProvider");
  preprocess_ = std::make_unique<BatchPreprocessor>(session_->manifest(), workers);
  const DeviceStandIn* standIn = config_.deviceStandIn.get();
  // Runs in flight: on the CUDA device path (or its stand-in) 2 by default; the CPU path runs one
  // (ONNX Runtime already uses every core there).
  int runs = std::max(1, config_.inferenceRuns > 0 ? config_.inferenceRuns : 2);
  if (!standIn) {
    preprocess_->enableGpu(*session_, runs + 1);  // CUDA session + CUDA build: letterbox on the GPU, IO-bound input
    if (preprocess_->buffers() == 1) runs = 1;
  }
  // The first real batches should not pay for new shapes (allocations, cuDNN autotuning, TensorRT profiles).
  const bool onGpu = session_->provider() != "CPUExecutionProvider";
  if (!standIn && (config_.warmBatchShapes == WarmShapes::Always || (config_.warmBatchShapes == WarmShapes::Gpu && onGpu)))
    warmed_ = session_->warm();
  postPool_ = std::make_unique<WorkerPool>(workers);
  // One input buffer per run in flight and one more that the batcher fills meanwhile (CPU path: 1).
  const int buffers = standIn ? runs + 1 : preprocess_->buffers();
  // Live sources: two frames may wait on the CPU path. With one, a camera whose next frame arrives
  // while the batcher still waits for the others loses a frame (seen on an H100: 16 cameras at 30 fps
  // inferred at 24.6 fps each with one, 26.8 with two). Three on the GPU path: near the GPU's capacity
  // a run that takes longer than the others otherwise costs frames although the GPU catches up
  // (`vigil-engine schedule`, 120 streams, two runs in flight: 350-1,200 frames dropped in 8 s with two,
  // 0-330 with three).
  liveDepth_ = buffers > 1 ? 3 : 2;
  if (const char* env = std::getenv("VIGIL_LIVE_QUEUE"); env && std::atoi(env) > 0) liveDepth_ = static_cast<size_t>(std::atoi(env));
  if (config_.liveQueueDepth > 0) liveDepth_ = static_cast<size_t>(config_.liveQueueDepth);
  freeBuffers_ = std::make_unique<BoundedQueue<int>>(static_cast<size_t>(buffers));
  for (int b = 0; b < buffers; ++b) freeBuffers_->push(b);
  // Batches without inference (skipped by interval/detectFps, or ending tracks) hold no buffer: a few
  // may wait beyond the buffers before the batcher waits too.
  toInfer_ = std::make_unique<BoundedQueue<std::unique_ptr<Work>>>(static_cast<size_t>(buffers) + 4);
  // At most runs + 1 batches wait for post-processing (2 with one run): beyond that inference waits
  // (back-pressure).
  toPost_ = std::make_unique<BoundedQueue<std::unique_ptr<Work>>>(static_cast<size_t>(runs) + 1);
  osd_ = std::make_unique<Osd>(listener_);
  lastStats_ = Clock::now();
  // GPU path: parsing and tracking overlap the next inference on their own thread. CPU path: they run
  // between inferences (overlapping them only takes cores from ONNX Runtime: 2 cores, ratio 0.86 → 0.9x).
  overlapPost_ = buffers > 1;
  batchThread_ = std::thread([this] { batchLoop(); });
  for (int r = 0; r < runs; ++r) inferThreads_.emplace_back([this] { inferLoop(); });
  if (overlapPost_) postThread_ = std::thread([this] { postLoop(); });
}

Engine::~Engine() { stop(); }

void Engine::stop() {
  std::vector<std::shared_ptr<Slot>> slots;
  {
    std::lock_guard lock(mu_);
    bool inferRunning = false;
    for (auto& t : inferThreads_) inferRunning = inferRunning || t.joinable();
    if (!running_ && !inferRunning && !batchThread_.joinable() && !postThread_.joinable()) return;
    running_ = false;
    for (auto& [id, s] : sources_) {
      s->removed = true;
      s->space.notify_all();
      slots.push_back(s);
    }
  }
  for (auto& s : slots)
    if (s->source) s->source->stop();
  framesReady_.notify_all();
  if (batchThread_.joinable()) batchThread_.join();  // hands over a last batch that ends every track
  for (auto& t : inferThreads_)
    if (t.joinable()) t.join();
  if (postThread_.joinable()) postThread_.join();
  osd_->stop();  // encodes what is queued, then ends
  std::lock_guard lock(mu_);
  sources_.clear();
  retired_.clear();
}

bool Engine::idle() {
  std::lock_guard lock(mu_);
  if (inFlight_ > 0) return false;
  for (auto& [id, s] : sources_) {
    if (s->state != SourceState::Ended && s->state != SourceState::Error) return false;
    if (!s->queue.empty() || (s->state == SourceState::Ended && !s->flushed)) return false;
  }
  return osd_->idle();
}

std::vector<EngineStreamStats> Engine::stats() {
  std::vector<std::shared_ptr<Slot>> slots;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, s] : sources_) slots.push_back(s);
  }
  std::vector<EngineStreamStats> out;
  const auto now = Clock::now();
  for (auto& s : slots) {
    EngineStreamStats st;
    st.camera = s->id;
    {
      std::lock_guard lock(mu_);
      st.state = sourceStateName(s->state);
      st.error = s->error;
    }
    {
      std::lock_guard sl(s->statMu);
      double secs = std::chrono::duration<double>(now - s->winStart).count();
      if (secs >= 0.5) {
        s->lastDecodeFps = s->winDecoded / secs;
        s->lastInferFps = s->winInferred / secs;
        if (!s->winLatency.empty()) {
          auto mid = s->winLatency.begin() + static_cast<long>(s->winLatency.size() / 2);
          std::nth_element(s->winLatency.begin(), mid, s->winLatency.end());
          s->lastLatency = *mid;
        }
        s->winDecoded = s->winInferred = 0;
        s->winLatency.clear();
        s->winStart = now;
      }
      st.decodeFps = s->lastDecodeFps;
      st.inferFps = s->lastInferFps;
      st.latencyMs = s->lastLatency;
    }
    st.droppedFrames = s->dropped;
    st.framesDecoded = s->decoded;
    st.framesProcessed = s->processed;
    st.framesInferred = s->inferred;
    st.framesGated = s->gated;
    out.push_back(std::move(st));
  }
  return out;
}

void Engine::emitStats() {
  if (config_.statsIntervalMs <= 0 || !listener_) return;
  const auto now = Clock::now();
  if (now - lastStats_ < std::chrono::milliseconds(config_.statsIntervalMs)) return;
  lastStats_ = now;
  listener_->onStats(stats());
}

Engine::StageTimes Engine::stageTimes() const {
  std::lock_guard lock(stageMu_);
  return stages_;
}

}  // namespace vigil
