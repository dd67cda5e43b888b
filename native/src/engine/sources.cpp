// The source stage: each source's decoded frames into its queue (the muxer's inputs; live sources
// drop their oldest frame, files wait for room), and sources coming and going.
#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "engine/internal.h"

namespace vigil {

void Engine::addSource(const std::string& id, const std::string& uri, const SourceOptions& options,
                       std::shared_ptr<const analytics::Config> zones) {
  auto slot = std::make_shared<Slot>();
  if (zones) slot->analytics = std::make_unique<analytics::CameraAnalytics>(std::move(zones), manifest_.labels);
  slot->id = id;
  slot->uri = uri;
  slot->tracker = makeTracker(config_.tracker, config_.trackerConfig);
  slot->detectPeriod = options.detectFps > 0 ? 1.0 / options.detectFps : 0;
  if (options.motionSensitivity != 0)  // throws std::invalid_argument outside 1..100, before the source starts
    slot->motion = std::make_unique<motion::MotionDetector>(motion::configForSensitivity(options.motionSensitivity));
  {
    std::lock_guard lock(mu_);
    if (!running_) throw std::runtime_error("the engine is stopped");
    if (sources_.count(id)) throw std::invalid_argument("camera '" + id + "' is already added — remove it first or pick another id");
    sources_[id] = slot;
  }
  Slot* s = slot.get();
  SourceCallbacks cbs;
  cbs.onFrame = [this, s](Frame&& f) {
    s->decoded++;
    {
      std::lock_guard sl(s->statMu);
      s->winDecoded++;
    }
    std::unique_lock lock(mu_);
    if (s->live) {
      // Live: never queue behind inference; the newest frame replaces stale ones.
      while (s->queue.size() >= s->capacity) {
        s->queue.pop_front();
        s->dropped++;
      }
    } else {
      s->space.wait(lock, [&] { return s->queue.size() < s->capacity || s->removed || !running_; });
      if (s->removed || !running_) return;
    }
    s->queue.push_back(std::move(f));
    lock.unlock();
    framesReady_.notify_one();
  };
  cbs.onState = [this, s](SourceState st) {
    std::lock_guard lock(mu_);
    s->state = st;
    if (st == SourceState::Live) s->error.clear();
    framesReady_.notify_one();
  };
  cbs.onError = [this, s](const std::string& msg) {
    {
      std::lock_guard lock(mu_);
      s->error = msg;
    }
    if (listener_) listener_->onSourceError(s->id, msg);
  };
  cbs.onSegment = [this](SegmentInfo&& segment) {
    if (listener_) listener_->onSegment(std::move(segment));
  };
  try {
    SourceOptions o = options;
    o.deviceFrames = preprocess_->readsDeviceFrames();  // NVDEC frames stay on the GPU for the CUDA letterbox
    slot->source = std::make_unique<Source>(id, uri, o, std::move(cbs));
    slot->live = slot->source->live() || o.realtime;
    {
      std::lock_guard lock(mu_);
      resizeQueues();
    }
    slot->source->start();
  } catch (const std::exception& e) {
    std::string msg = std::string(e.what());
    if (msg.rfind("camera '", 0) != 0) msg = "camera '" + id + "': " + msg;
    {
      std::lock_guard lock(mu_);
      slot->state = SourceState::Error;
      slot->error = msg;
      slot->source.reset();
    }
    if (listener_) listener_->onSourceError(id, msg);
  }
}

bool Engine::removeSource(const std::string& id) {
  std::shared_ptr<Slot> slot;
  {
    std::lock_guard lock(mu_);
    auto it = sources_.find(id);
    if (it == sources_.end()) return false;
    slot = it->second;
    sources_.erase(it);
    slot->removed = true;
    slot->space.notify_all();
  }
  if (slot->source) slot->source->stop();
  {
    std::lock_guard lock(mu_);
    resizeQueues();
    slot->queue.clear();
    retired_.push_back(slot);  // the inference thread ends its tracks
  }
  framesReady_.notify_one();
  return true;
}

// Files queue just enough frames to fill a batch together: more would only add latency.
void Engine::resizeQueues() {
  const size_t n = std::max<size_t>(1, sources_.size());
  const size_t perSource = std::max<size_t>(2, (static_cast<size_t>(batchSize_) + n - 1) / n);
  // Live: the newest frames only (older ones are dropped). Two may wait: with one, a camera whose next
  // frame arrives while the batcher still waits for the others loses a frame (seen on an H100: 16
  // cameras at 30 fps inferred at 24.6 fps each with one, 26.8 with two). VIGIL_LIVE_QUEUE overrides.
  static const size_t liveDepth = [] {
    const char* env = std::getenv("VIGIL_LIVE_QUEUE");
    return env && std::atoi(env) > 0 ? static_cast<size_t>(std::atoi(env)) : size_t{2};
  }();
  for (auto& [id, s] : sources_) {
    s->capacity = s->live ? liveDepth : perSource;
    s->space.notify_all();
  }
}

bool Engine::setAnalytics(const std::string& id, std::shared_ptr<const analytics::Config> zones) {
  std::unique_ptr<analytics::CameraAnalytics> next;
  if (zones) next = std::make_unique<analytics::CameraAnalytics>(std::move(zones), manifest_.labels);  // throws on a bad label
  std::shared_ptr<Slot> slot;
  {
    std::lock_guard lock(mu_);
    auto it = sources_.find(id);
    if (it == sources_.end()) return false;
    slot = it->second;
  }
  std::lock_guard lock(slot->analyticsMu);
  slot->nextAnalytics = std::move(next);
  slot->analyticsChanged = true;
  return true;
}

}  // namespace vigil
