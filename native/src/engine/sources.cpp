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
  cbs.onFrame = [this, s](Frame&& f) { enqueue(*s, std::move(f)); };
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

void Engine::enqueue(Slot& slot, Frame&& frame) {
  slot.decoded++;
  {
    std::lock_guard sl(slot.statMu);
    slot.winDecoded++;
  }
  std::unique_lock lock(mu_);
  if (slot.live) {
    // Live: never queue behind inference; the newest frame replaces stale ones.
    while (slot.queue.size() >= slot.capacity) {
      slot.queue.pop_front();
      slot.dropped++;
    }
  } else {
    slot.space.wait(lock, [&] { return slot.queue.size() < slot.capacity || slot.removed || !running_; });
    if (slot.removed || !running_) return;
  }
  slot.queue.push_back(std::move(frame));
  lock.unlock();
  framesReady_.notify_one();
}

std::function<void(Frame&&)> Engine::addFeed(const std::string& id) {
  auto slot = std::make_shared<Slot>();
  slot->id = id;
  slot->uri = "feed:" + id;
  slot->tracker = makeTracker(config_.tracker, config_.trackerConfig);
  slot->live = true;
  slot->state = SourceState::Live;
  {
    std::lock_guard lock(mu_);
    if (!running_) throw std::runtime_error("the engine is stopped");
    if (sources_.count(id)) throw std::invalid_argument("camera '" + id + "' is already added — remove it first or pick another id");
    sources_[id] = slot;
    resizeQueues();
  }
  return [this, slot](Frame&& f) { enqueue(*slot, std::move(f)); };
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
  // Live: the newest liveDepth_ frames only (older ones are dropped; EngineConfig::liveQueueDepth).
  for (auto& [id, s] : sources_) {
    s->capacity = s->live ? liveDepth_ : perSource;
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
