// The batcher (nvstreammux + nvinfer's pre-processing): takes frames round-robin from the sources'
// queues into a batch when it is full or its oldest frame waited batched-push-timeout, picks the
// frames due for inference (interval, detectFps, then motion gating) and letterboxes them into a free
// input buffer.
#include <algorithm>
#include <utility>

#include "cuda/motion_cells.h"
#include "engine/internal.h"

namespace vigil {

void Engine::batchLoop() {
  while (true) {
    auto work = std::make_unique<Work>();
    work->batch.reserve(static_cast<size_t>(batchSize_));
    // Frames leave their queues only when an input buffer is free for them: taken earlier they would
    // only age in the batcher's hands (the CPU path has one buffer, the CUDA path two).
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
        framesReady_.wait_until(lock, waitStart + std::chrono::milliseconds(config_.batchedPushTimeoutMs),
                                [&] { return !running_ || pending() >= static_cast<size_t>(batchSize_) || !canGrow(); });
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

}  // namespace vigil
