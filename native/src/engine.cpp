#include "engine.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "engine_info.h"
#include "jpeg.h"

namespace vigil {

using Clock = std::chrono::steady_clock;

namespace {
int64_t wallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

// The best (highest-score) sighting of a track, kept as a copy of the frame for its snapshot.
struct BestShot {
  OwnedImage image;
  int64_t frame = 0, time = 0;
  Box box;
};

namespace {
// The OSD for snapshots: full-size RGB with the track's box drawn, as JPEG.
std::vector<uint8_t> renderSnapshot(const BestShot& shot) {
  const Image& img = shot.image.image;
  std::vector<uint8_t> rgb(static_cast<size_t>(img.width) * img.height * 3);
  std::vector<int> xmap(static_cast<size_t>(img.width));
  for (int x = 0; x < img.width; ++x) xmap[size_t(x)] = x;
  for (int y = 0; y < img.height; ++y) rowToRgb(img, y, xmap.data(), img.width, rgb.data() + static_cast<size_t>(y) * img.width * 3);
  static const uint8_t kColor[3] = {0, 255, 0};
  drawBox(rgb.data(), img.width, img.height, shot.box, kColor, 3);
  return encodeJpeg(packedImage(PixelFormat::Rgb, rgb.data(), img.width, img.height), 0, 0, 85);
}
}  // namespace

struct Engine::Slot {
  std::string id, uri;
  std::unique_ptr<Source> source;
  bool live = false;
  // Guarded by Engine::mu_.
  std::deque<Frame> queue;
  size_t capacity = 2;
  bool removed = false;
  std::condition_variable space;
  SourceState state = SourceState::Connecting;
  std::string error;
  // Inference thread only.
  std::unique_ptr<Tracker> tracker;
  int64_t framesSeen = 0;
  double detectPeriod = 0;     // 1 / detectFps in stream seconds (0: no limit)
  double nextDetectPts = -1;   // stream time at which the next frame may go to the detector
  std::atomic<bool> flushed{false};
  bool finishQueued = false;  // guarded by Engine::mu_: handed to the inference thread to end its tracks
  std::map<int64_t, BestShot> best;
  Clock::time_point lastPreview{};
  // Counters (atomics: read by stats()).
  std::atomic<int64_t> decoded{0}, processed{0}, inferred{0}, dropped{0};
  // Window for rates and latency.
  std::mutex statMu;
  int64_t winDecoded = 0, winInferred = 0;
  Clock::time_point winStart = Clock::now();
  std::vector<double> winLatency;
  double lastDecodeFps = 0, lastInferFps = 0, lastLatency = 0;
};

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
  const int workers = config_.preprocessThreads > 0
                          ? std::min(config_.preprocessThreads, batchSize_)
                          : defaultPreprocessThreads(batchSize_, session_->provider() == "CPUExecutionProvider");
  preprocess_ = std::make_unique<BatchPreprocessor>(session_->manifest(), workers);
  preprocess_->enableGpu(*session_);  // CUDA session + CUDA build: letterbox on the GPU, IO-bound input
  postPool_ = std::make_unique<WorkerPool>(workers);
  lastStats_ = Clock::now();
  batchThread_ = std::thread([this] { batchLoop(); });
  inferThread_ = std::thread([this] { inferLoop(); });
  // GPU path: parsing and tracking overlap the next inference on their own thread. CPU path: they run
  // between inferences (overlapping them only takes cores from ONNX Runtime: 2 cores, ratio 0.86 → 0.9x).
  overlapPost_ = preprocess_->buffers() > 1;
  if (overlapPost_) postThread_ = std::thread([this] { postLoop(); });
  worker_ = std::thread([this] { workerLoop(); });
}

Engine::~Engine() { stop(); }

void Engine::addSource(const std::string& id, const std::string& uri, const SourceOptions& options) {
  auto slot = std::make_shared<Slot>();
  slot->id = id;
  slot->uri = uri;
  slot->tracker = makeTracker(config_.tracker, config_.trackerConfig);
  slot->detectPeriod = options.detectFps > 0 ? 1.0 / options.detectFps : 0;
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

void Engine::stop() {
  std::vector<std::shared_ptr<Slot>> slots;
  {
    std::lock_guard lock(mu_);
    if (!running_ && !inferThread_.joinable() && !batchThread_.joinable() && !postThread_.joinable()) return;
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
  if (inferThread_.joinable()) inferThread_.join();
  if (postThread_.joinable()) postThread_.join();
  {
    std::lock_guard lock(jobMu_);
    workerStop_ = true;
  }
  jobCv_.notify_all();
  if (worker_.joinable()) worker_.join();
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
  std::lock_guard jl(jobMu_);
  return jobs_.empty();
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

// A tracker event as delivered: the camera, when it happened, and when the best sighting was.
EngineTrackEvent Engine::deliverable(const Slot& slot, const TrackEvent& e, int64_t time) const {
  EngineTrackEvent te;
  te.kind = e.kind;
  te.camera = slot.id;
  te.track = e.trackId;
  te.classId = e.classId;
  te.time = time;
  te.box = e.box;
  te.score = e.score;
  te.bestFrame = e.bestFrame;
  te.bestScore = e.bestScore;
  te.bestBox = e.bestBox;
  auto it = slot.best.find(e.trackId);
  te.bestTime = it != slot.best.end() ? it->second.time : time;
  return te;
}

// An ended track's best frame becomes its snapshot (boxes drawn), encoded off the inference thread.
void Engine::sendSnapshot(Slot& slot, int64_t track) {
  auto it = slot.best.find(track);
  if (it == slot.best.end()) return;
  if (config_.snapshots) {
    auto shot = std::make_shared<BestShot>(std::move(it->second));
    std::string camera = slot.id;
    enqueueJob([this, shot, camera, track] {
      EngineSnapshot snap{camera, track, shot->frame, shot->time, renderSnapshot(*shot)};
      if (listener_) listener_->onSnapshot(std::move(snap));
    }, false);
  }
  slot.best.erase(it);
}

void Engine::finishSlot(Slot& slot, EngineBatch* out) {
  std::vector<TrackEvent> events;
  slot.tracker->flush(&events);
  const int64_t now = wallNowMs();
  for (auto& e : events) {
    out->events.push_back(deliverable(slot, e, now));
    sendSnapshot(slot, e.trackId);
  }
  slot.best.clear();
  slot.flushed = true;
}

struct Engine::Work {
  Batch batch;
  std::vector<std::shared_ptr<Slot>> toFinish;
  std::vector<int> inferIndex;  // per frame: its image in the input, or -1 (not inferred)
  int count = 0;                // frames to infer
  int buffer = -1;              // input buffer holding them (-1: none)
  std::vector<LetterboxTransform> transforms;
  std::string failure;          // pre-processing or inference failed: no detections for this batch
  InferenceOutputs outputs;     // the inference thread's results, parsed by the post-processing thread
  bool last = false;            // the engine stops after this one
};

int Engine::acquireBuffer() {
  std::unique_lock lock(handMu_);
  const int buffers = preprocess_->buffers();
  auto freeBuffer = [&] {
    for (int b = 0; b < buffers; ++b)
      if (!bufferBusy_[b]) return b;
    return -1;
  };
  handCv_.wait(lock, [&] { return freeBuffer() >= 0; });
  const int b = freeBuffer();
  bufferBusy_[b] = true;
  return b;
}

void Engine::releaseBuffer(int buffer) {
  if (buffer < 0) return;
  {
    std::lock_guard lock(handMu_);
    bufferBusy_[buffer] = false;
  }
  handCv_.notify_all();
}

void Engine::batchLoop() {
  while (true) {
    auto work = std::make_unique<Work>();
    work->batch.reserve(static_cast<size_t>(batchSize_));
    // Frames leave their queues only when an input buffer is free for them: taken earlier they would
    // only age in the batcher's hands (the CPU path has one buffer, the CUDA path two).
    work->buffer = acquireBuffer();
    {
      std::unique_lock lock(mu_);
      auto pending = [&] {
        size_t n = 0;
        for (auto& [id, s] : sources_) n += s->queue.size();
        return n;
      };
      auto finishable = [&](const Slot& s) {
        return (s.state == SourceState::Ended || s.state == SourceState::Error) && s.queue.empty() && !s.finishQueued;
      };
      auto needsFinish = [&] {
        if (!retired_.empty()) return true;
        for (auto& [id, s] : sources_)
          if (finishable(*s)) return true;
        return false;
      };
      // nvstreammux: push when the batch is full, or when the oldest frame waited batched-push-timeout.
      const auto waitStart = Clock::now();
      framesReady_.wait_for(lock, std::chrono::milliseconds(100), [&] { return !running_ || pending() > 0 || needsFinish(); });
      if (pending() > 0 && pending() < static_cast<size_t>(batchSize_)) {
        // Wait for a full batch only while some live-or-file source may still deliver.
        // No point waiting when no source can add a frame (all queues full, or ended).
        auto canGrow = [&] {
          for (auto& [id, s] : sources_)
            if ((s->state == SourceState::Connecting || s->state == SourceState::Live) && s->queue.size() < s->capacity) return true;
          return false;
        };
        framesReady_.wait_until(lock, waitStart + std::chrono::milliseconds(config_.batchedPushTimeoutMs), [&] {
          return !running_ || pending() >= static_cast<size_t>(batchSize_) || !canGrow();
        });
      }
      if (!running_) {
        for (auto& [id, s] : sources_) work->toFinish.push_back(s);
        for (auto& s : retired_) work->toFinish.push_back(s);
        retired_.clear();
        work->last = true;
      } else {
        work->toFinish.swap(retired_);
        for (auto& [id, s] : sources_)
          if (finishable(*s)) work->toFinish.push_back(s);
      }
      for (auto& s : work->toFinish) s->finishQueued = true;
      if (running_) {
        std::vector<std::shared_ptr<Slot>> order;
        for (auto& [id, s] : sources_) order.push_back(s);
        if (!order.empty()) {
          size_t start = roundRobin_++ % order.size();
          bool took = true;
          while (work->batch.size() < static_cast<size_t>(batchSize_) && took) {
            took = false;
            for (size_t k = 0; k < order.size() && work->batch.size() < static_cast<size_t>(batchSize_); ++k) {
              auto& s = order[(start + k) % order.size()];
              if (s->queue.empty()) continue;
              work->batch.emplace_back(s, std::move(s->queue.front()));
              s->queue.pop_front();
              s->space.notify_one();
              took = true;
            }
          }
        }
      }
      if (!work->batch.empty() || !work->toFinish.empty() || work->last) ++inFlight_;
    }
    const bool last = work->last;
    if (!work->batch.empty()) prepareBatch(*work);  // gives the buffer back when nothing is inferred
    else releaseBuffer(std::exchange(work->buffer, -1));
    if (!work->batch.empty() || !work->toFinish.empty() || last) {
      {
        std::lock_guard lock(handMu_);
        ready_.push_back(std::move(work));
      }
      handCv_.notify_all();
    }
    if (last) break;
  }
}

void Engine::inferLoop() {
  while (true) {
    std::unique_ptr<Work> work;
    {
      std::unique_lock lock(handMu_);
      handCv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return !ready_.empty(); });
      if (!ready_.empty()) {
        work = std::move(ready_.front());
        ready_.pop_front();
      }
    }
    if (!work) {
      if (!overlapPost_) emitStats();  // stats keep flowing while no frame arrives
      continue;
    }
    if (!work->batch.empty()) inferBatch(*work);
    const bool last = work->last;
    if (!overlapPost_) {
      // CPU provider: ONNX Runtime wants every core while it runs; parse and track in between.
      finishWork(std::move(work));
    } else {
      // At most two batches wait for post-processing: beyond that inference waits (back-pressure).
      {
        std::unique_lock lock(postMu_);
        postCv_.wait(lock, [&] { return postReady_.size() < 2; });
        postReady_.push_back(std::move(work));
      }
      postCv_.notify_all();
    }
    if (last) break;
  }
}

void Engine::postLoop() {
  while (true) {
    std::unique_ptr<Work> work;
    {
      std::unique_lock lock(postMu_);
      postCv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return !postReady_.empty(); });
      if (!postReady_.empty()) {
        work = std::move(postReady_.front());
        postReady_.pop_front();
      }
    }
    if (!work) {
      emitStats();  // stats keep flowing while no frame arrives
      continue;
    }
    postCv_.notify_all();
    const bool last = work->last;
    finishWork(std::move(work));
    if (last) break;
  }
}

void Engine::finishWork(std::unique_ptr<Work> work) {
  if (!work->batch.empty()) processBatch(*work);
  if (!work->toFinish.empty()) {
    EngineBatch out;
    for (auto& s : work->toFinish)
      if (!s->flushed) finishSlot(*s, &out);
    if (listener_ && !out.events.empty()) listener_->onBatch(std::move(out));
  }
  work.reset();  // frames (and their decoder buffers) go back now
  --inFlight_;
  emitStats();
}

Engine::StageTimes Engine::stageTimes() const {
  std::lock_guard lock(stageMu_);
  return stages_;
}

// detectFps: a frame goes to the detector when its stream time reaches the next due time; stream
// time (not the wall clock) so files played as fast as possible are sampled like live cameras.
bool Engine::detectDue(Slot& slot, double pts) {
  const double tolerance = 1e-3;
  // First frame, a loop back to the start, or a jump ahead: start the schedule again here.
  if (slot.nextDetectPts < 0 || pts + tolerance < slot.nextDetectPts - slot.detectPeriod || pts > slot.nextDetectPts + slot.detectPeriod) {
    slot.nextDetectPts = pts + slot.detectPeriod;
    return true;
  }
  if (pts + tolerance < slot.nextDetectPts) return false;
  slot.nextDetectPts += slot.detectPeriod;
  return true;
}

void Engine::prepareBatch(Work& work) {
  auto& batch = work.batch;
  const int interval = std::max(0, config_.interval);
  work.inferIndex.assign(batch.size(), -1);
  work.transforms.assign(batch.size(), LetterboxTransform{});
  int n = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& [slot, frame] = batch[i];
    if (slot->framesSeen++ % (interval + 1) != 0) continue;
    if (slot->detectPeriod > 0 && !detectDue(*slot, frame.pts)) continue;
    work.inferIndex[i] = n++;
  }
  work.count = n;
  if (n == 0) {
    releaseBuffer(std::exchange(work.buffer, -1));
    return;
  }
  // Letterbox straight into the batch tensor (CPU worker pool, or one CUDA kernel on the device input).
  std::vector<const Image*> images;
  images.reserve(static_cast<size_t>(n));
  for (size_t i = 0; i < batch.size(); ++i)
    if (work.inferIndex[i] >= 0) images.push_back(&batch[i].second.image);
  const auto t0 = Clock::now();
  try {
    auto done = preprocess_->run(images, *session_, work.buffer);
    for (size_t i = 0; i < batch.size(); ++i)
      if (work.inferIndex[i] >= 0) work.transforms[i] = done[static_cast<size_t>(work.inferIndex[i])];
  } catch (const std::exception& e) {
    work.failure = std::string("pre-processing failed: ") + e.what();
  }
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  int64_t onDevice = 0;
  for (const Image* img : images) onDevice += img->onDevice ? 1 : 0;
  std::lock_guard lock(stageMu_);
  stages_.preprocess += ms;
  stages_.deviceFrames += onDevice;
}

void Engine::inferBatch(Work& work) {
  const auto t1 = Clock::now();
  if (work.count > 0 && work.failure.empty()) {
    try {
      session_->run(work.count, preprocess_->input(work.buffer));
      work.outputs = session_->takeOutputs();
    } catch (const std::exception& e) {
      work.failure = e.what();
    }
  }
  releaseBuffer(std::exchange(work.buffer, -1));  // the run has read its input: the batcher may fill it again
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t1).count();
  std::lock_guard lock(stageMu_);
  stages_.infer += ms;
}

void Engine::processBatch(Work& work) {
  auto& batch = work.batch;
  const auto& inferIndex = work.inferIndex;
  const auto& transforms = work.transforms;
  const int n = work.count;
  std::string failure = work.failure;
  const auto t2 = Clock::now();
  // Parse every image's outputs in parallel (independent per image); tracking below stays in frame order.
  std::vector<std::vector<Detection>> parsed(batch.size());
  std::vector<std::string> parseErrors(batch.size());
  if (n > 0 && failure.empty()) {
    postPool_->parallelFor(batch.size(), [&](size_t k) {
      if (inferIndex[k] < 0) return;
      try {
        parsed[k] = session_->detections(work.outputs, inferIndex[k]);
      } catch (const std::exception& e) {
        parseErrors[k] = e.what();
      }
    });
  }
  EngineBatch out;
  out.frames.reserve(batch.size());
  std::vector<Detection> dets;
  std::vector<TrackEvent> events;
  const int64_t now = wallNowMs();
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& [slot, frame] = batch[i];
    const bool inferred = inferIndex[i] >= 0 && failure.empty();
    dets.clear();
    if (inferred) {
      if (parseErrors[i].empty()) dets = std::move(parsed[i]);
      else failure = parseErrors[i];
      for (auto& d : dets) d.box = toSource(transforms[i], d.box);
    }
    events.clear();
    auto objects = slot->tracker->update(dets, frame.seq, inferred, &events);
    EngineFrame ef;
    ef.camera = slot->id;
    ef.frame = frame.seq;
    ef.pts = frame.pts;
    ef.time = frame.wallMs;
    ef.width = frame.image.width;
    ef.height = frame.image.height;
    ef.inferred = inferred;
    ef.objects.reserve(objects.size());
    for (auto& o : objects) ef.objects.push_back({o.trackId, o.classId, o.score, o.box, o.matched && inferred});
    for (auto& e : events) {
      // A new best sighting: keep this frame for the track's snapshot.
      if (config_.snapshots && e.bestFrame == frame.seq && e.kind != TrackEventKind::End) {
        BestShot& shot = slot->best[e.trackId];  // reuses the track's pixel buffer
        try {
          hostCopy(frame, &shot.image);  // GPU frames: read back to the host here
          shot.frame = frame.seq;
          shot.time = frame.wallMs;
          shot.box = e.bestBox;
        } catch (const std::exception&) {
          slot->best.erase(e.trackId);  // no snapshot for this sighting; the track goes on
        }
      }
      out.events.push_back(deliverable(*slot, e, frame.wallMs));
      if (e.kind == TrackEventKind::End) sendSnapshot(*slot, e.trackId);
    }
    // Preview at the configured rate, encoded off this thread.
    if (config_.previewFps > 0) {
      const auto t = Clock::now();
      if (t - slot->lastPreview >= std::chrono::microseconds(1000000 / config_.previewFps)) {
        slot->lastPreview = t;
        int pw = config_.previewWidth > 0 ? config_.previewWidth : frame.image.width;
        int ph = config_.previewHeight > 0 ? config_.previewHeight
                                           : std::max(2, static_cast<int>(static_cast<int64_t>(pw) * frame.image.height / frame.image.width));
        auto held = std::make_shared<Frame>(frame);
        std::string camera = slot->id;
        enqueueJob([this, held, camera, pw, ph] {
          OwnedImage host;
          if (held->image.onDevice) hostCopy(*held, &host);  // GPU frames: read back to the host here
          const Image& img = held->image.onDevice ? host.image : held->image;
          EnginePreview p{camera, held->seq, pw, ph, encodeJpeg(img, pw, ph, 75)};
          if (listener_) listener_->onPreview(std::move(p));
        }, true);
      }
    }
    ef.latencyMs = std::chrono::duration<double, std::milli>(Clock::now() - frame.decodedAt).count();
    slot->processed++;
    if (inferred) slot->inferred++;
    {
      std::lock_guard sl(slot->statMu);
      if (inferred) slot->winInferred++;
      slot->winLatency.push_back(ef.latencyMs);
    }
    out.frames.push_back(std::move(ef));
  }
  (void)now;
  if (!failure.empty() && listener_) {
    for (auto& [slot, frame] : batch) listener_->onSourceError(slot->id, failure);
  }
  const auto t3 = Clock::now();
  if (listener_) listener_->onBatch(std::move(out));
  {
    const auto t4 = Clock::now();
    auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    std::lock_guard lock(stageMu_);
    stages_.post += ms(t2, t3);
    stages_.deliver += ms(t3, t4);
    stages_.batches += 1;
    stages_.frames += static_cast<int64_t>(batch.size());
  }
}

void Engine::enqueueJob(std::function<void()> job, bool droppable) {
  {
    std::lock_guard lock(jobMu_);
    if (droppable && jobs_.size() >= 8) return;  // previews are best-effort: skip when the encoder is behind
    jobs_.push_back(std::move(job));
  }
  jobCv_.notify_one();
}

void Engine::workerLoop() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock lock(jobMu_);
      jobCv_.wait(lock, [&] { return workerStop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      job();
    } catch (...) {
      // An encoding failure loses one preview or snapshot, never the engine.
    }
  }
}

}  // namespace vigil
