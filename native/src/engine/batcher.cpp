// The batcher (nvstreammux + nvinfer's pre-processing): takes the oldest waiting frames of all the
// sources' queues into a batch when it is full, when its oldest frame waited batched-push-timeout or
// (GPU path, pushWhenIdle) when inference would otherwise wait; picks the frames due for inference
// (interval, detectFps, then motion gating) and letterboxes them into a free input buffer.
#include <algorithm>
#include <utility>

#include "cuda/motion_cells.h"
#include "engine/internal.h"

namespace vigil {

void Engine::batchLoop() {
  const size_t full = static_cast<size_t>(batchSize_);
  while (true) {
    auto work = std::make_unique<Work>();
    work->batch.reserve(full);
    // Frames leave their queues only when an input buffer is free for them: taken earlier they would
    // only age in the batcher's hands (the CPU path has one buffer, the CUDA path one per run in flight
    // and one more).
    work->buffer = *freeBuffers_->pop();
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
      framesReady_.wait_for(lock, std::chrono::milliseconds(100), [&] { return !running_ || pending() > 0 || needsFinish(); });
      if (pending() > 0 && pending() < full) {
        // Wait for a full batch only while some live-or-file source may still deliver.
        // No point waiting when no source can add a frame (all queues full, or ended).
        auto canGrow = [&] {
          for (auto& [id, s] : sources_)
            if ((s->state == SourceState::Connecting || s->state == SourceState::Live) && s->queue.size() < s->capacity) return true;
          return false;
        };
        // nvstreammux: a partial batch goes once its oldest frame waited batched-push-timeout.
        Clock::time_point oldest = Clock::time_point::max();
        for (auto& [id, s] : sources_)
          if (!s->queue.empty()) oldest = std::min(oldest, s->queue.front().decodedAt);
        // GPU path: also as soon as no run is in flight, so the GPU never idles while frames wait.
        // While a run is in flight the batch waits to fill up: on the device path every run costs the
        // full batch shape, so a partial one would only take GPU time from the full ones behind it.
        const bool whenIdle = config_.pushWhenIdle && overlapPost_;
        framesReady_.wait_until(lock, oldest + std::chrono::milliseconds(config_.batchedPushTimeoutMs),
                                [&] { return !running_ || pending() >= full || !canGrow() || (whenIdle && inferencePending_ == 0); });
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
      if (running_) takeOldest(*work);
      if (!work->batch.empty() || !work->toFinish.empty() || work->last) {
        ++inFlight_;
        work->seq = nextSeq_++;
      }
      if (!work->batch.empty()) ++inferencePending_;
    }
    const bool last = work->last;
    if (!work->batch.empty())
      prepareBatch(*work);  // gives the buffer back when nothing is inferred
    else
      releaseBuffer(std::exchange(work->buffer, -1));
    if (!work->batch.empty() || !work->toFinish.empty() || last) {
      toInfer_->push(std::move(work));
    }
    if (last) break;
  }
}

// The batch: the oldest frames waiting in any queue (earliest deadline first), so that no source waits
// longer than the others and the frames nearest to being dropped as stale go first. A source's frames
// stay in their order (its queue is in decode order).
void Engine::takeOldest(Work& work) {
  struct Waiting {
    Clock::time_point at;
    size_t pos;
    const std::shared_ptr<Slot>* slot;
  };
  std::vector<Waiting> waiting;
  for (auto& [id, s] : sources_)
    for (size_t i = 0; i < s->queue.size(); ++i) waiting.push_back({s->queue[i].decodedAt, i, &s});
  auto earlier = [](const Waiting& a, const Waiting& b) { return a.at != b.at ? a.at < b.at : a.pos < b.pos; };
  const size_t take = std::min(waiting.size(), static_cast<size_t>(batchSize_));
  if (take < waiting.size()) std::nth_element(waiting.begin(), waiting.begin() + static_cast<long>(take), waiting.end(), earlier);
  waiting.resize(take);
  std::sort(waiting.begin(), waiting.end(), earlier);
  for (auto& w : waiting) {
    const std::shared_ptr<Slot>& s = *w.slot;
    work.batch.emplace_back(s, std::move(s->queue.front()));
    s->queue.pop_front();
    s->space.notify_one();
  }
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

// Motion gating (Frigate's idea) on the frames due for inference: a still camera is not inferred.
// Frames in GPU memory get their cell means from a CUDA kernel; where that cannot run they are
// inferred (gating never drops a frame it cannot judge).
bool Engine::stillFrame(Slot& slot, const Image& image) {
  try {
    const motion::Grid grid = motion::gridFor(image.width, image.height);
    if (image.onDevice) {
      if (!gpu::motionCellMeans(image, grid, &slot.motionCells)) return false;
    } else {
      motion::cellMeans(image, grid, &slot.motionCells);
    }
    return !slot.motion->update(slot.motionCells, grid, image.width, image.height).moving;
  } catch (const std::exception&) {
    return false;  // a frame the detector cannot read is inferred
  }
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
    if (slot->motion && stillFrame(*slot, frame.image)) {
      slot->gated++;  // the tracker carries the camera's objects, as on frames the interval skips
      continue;
    }
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
    std::vector<LetterboxTransform> done;
    if (config_.deviceStandIn) {
      // STAND-IN for the CUDA letterbox (benchmarks only): the same geometry, a modelled duration.
      const TensorFormat& f = session_->manifest().input;
      for (const Image* img : images) done.push_back(letterboxGeometry(img->width, img->height, f.width, f.height, f.keepAspect));
      config_.deviceStandIn->preprocess(n);
    } else {
      done = preprocess_->run(images, *session_, work.buffer);
    }
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

}  // namespace vigil
