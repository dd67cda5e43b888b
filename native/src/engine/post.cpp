// Post-processing (nvinfer's parsing + nvtracker): parses each image's outputs (in parallel), maps
// boxes back to the frame, runs each source's tracker in frame order, keeps best shots for snapshots,
// schedules previews and delivers one EngineBatch per batch.
#include <algorithm>
#include <utility>

#include "engine/internal.h"
#include "engine/osd.h"

namespace vigil {

void Engine::postLoop() {
  // Runs in flight may finish out of order: batches wait here until their turn (trackers need each
  // source's frames in order). At most inferenceRuns of them.
  std::map<uint64_t, std::unique_ptr<Work>> early;
  uint64_t next = 0;
  while (true) {
    std::unique_ptr<Work> work = toPost_->popFor(std::chrono::milliseconds(100)).value_or(nullptr);
    if (!work) {
      emitStats();  // stats keep flowing while no frame arrives
      continue;
    }
    const uint64_t seq = work->seq;
    early.emplace(seq, std::move(work));
    bool last = false;
    for (auto it = early.find(next); it != early.end() && !last; it = early.find(next)) {
      std::unique_ptr<Work> w = std::move(it->second);
      early.erase(it);
      ++next;
      last = w->last;
      finishWork(std::move(w));
    }
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
        if (config_.deviceStandIn)
          parsed[k] = config_.deviceStandIn->detections(batch[k].second.seq);  // STAND-IN for parsing the GPU run's outputs
        else
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
  std::vector<analytics::Object> zoneObjects;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& [slot, frame] = batch[i];
    if (slot->removed) continue;  // removed while this batch was in flight: nothing more of it is delivered
    const bool inferred = inferIndex[i] >= 0 && failure.empty();
    dets.clear();
    if (inferred) {
      if (parseErrors[i].empty())
        dets = std::move(parsed[i]);
      else
        failure = parseErrors[i];
      for (auto& d : dets) d.box = toSource(transforms[i], d.box);
    }
    if (slot->analyticsChanged.exchange(false)) {
      std::unique_ptr<analytics::CameraAnalytics> next;
      {
        std::lock_guard al(slot->analyticsMu);
        next = std::move(slot->nextAnalytics);
      }
      // Unchanged zones keep their counts and their tracks' state; changed and new ones start fresh.
      if (next && slot->analytics) next->carryOver(std::move(*slot->analytics));
      slot->analytics = std::move(next);
    }
    analytics::CameraAnalytics* zones = slot->analytics.get();
    if (zones) zones->applyMasks(&dets, frame.image.width, frame.image.height);  // masks act before tracking
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
    if (zones) {
      zoneObjects.clear();
      for (auto& o : objects) zoneObjects.push_back({o.trackId, o.classId, o.score, o.box});
      zones->update(zoneObjects, frame.pts, frame.image.width, frame.image.height, &ef.analytics);
      ef.counts = zones->counts();
    }
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
        int ph = config_.previewHeight > 0
                     ? config_.previewHeight
                     : std::max(2, static_cast<int>(static_cast<int64_t>(pw) * frame.image.height / frame.image.width));
        osd_->preview(slot->id, frame, pw, ph);
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
  if (config_.snapshots) osd_->snapshot(slot.id, track, std::move(it->second));
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

}  // namespace vigil
