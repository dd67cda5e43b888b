// Multi-object trackers (nvtracker): IOU (last box, greedy), SORT (Kalman + Hungarian) and
// ByteTrack (Kalman + two-stage association of high then low score detections).
// All three share one track lifecycle: tentative → confirmed (Start) → matched (Update) → End.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "assignment.h"
#include "box_kalman.h"
#include "tracking/tracker.h"

namespace vigil {

bool parseTrackerKind(const std::string& name, TrackerKind* out) {
  std::string n;
  for (char c : name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  TrackerKind k;
  if (n == "iou")
    k = TrackerKind::Iou;
  else if (n == "sort")
    k = TrackerKind::Sort;
  else if (n == "bytetrack")
    k = TrackerKind::ByteTrack;
  else
    return false;
  if (out) *out = k;
  return true;
}

const char* trackerName(TrackerKind kind) {
  switch (kind) {
    case TrackerKind::Iou:
      return "iou";
    case TrackerKind::Sort:
      return "sort";
    case TrackerKind::ByteTrack:
      return "bytetrack";
  }
  return "unknown";
}

std::vector<std::string> trackerNames() {
  std::vector<std::string> names;
  for (int i = 0;; ++i) {  // the enum is dense from 0; trackerName() says "unknown" past its end
    const std::string n = trackerName(static_cast<TrackerKind>(i));
    if (n == "unknown") break;
    names.push_back(n);
  }
  return names;
}

namespace {

struct Track {
  int64_t id = 0;  // 0 until confirmed: ids are only spent on reported tracks
  Box box;         // current estimate (Kalman) or last detection (IOU)
  Box lastDetection;
  tracking::BoxKalman kalman;
  int classId = 0;
  float score = 0;
  int hits = 0;
  int missed = 0;  // consecutive inferred frames without a match
  bool confirmed = false;
  bool matched = false;
  int64_t bestFrame = -1;
  float bestScore = -1;
  Box bestBox;
};

class MultiTracker final : public Tracker {
 public:
  MultiTracker(TrackerKind kind, const TrackerConfig& config) : kind_(kind), cfg_(config) {}

  std::vector<TrackedObject> update(const std::vector<Detection>& dets, int64_t frame, bool inferred,
                                    std::vector<TrackEvent>* events) override {
    const bool kalman = kind_ != TrackerKind::Iou;
    for (Track& t : tracks_) {
      t.matched = false;
      if (kalman) {
        t.kalman.predict();
        t.box = t.kalman.box();
      }
    }
    if (!inferred) return report();  // detector skipped this frame: coast, never age

    // Which detections take part in each association stage.
    first_.clear();
    second_.clear();
    for (int i = 0; i < static_cast<int>(dets.size()); ++i) {
      const float s = dets[static_cast<size_t>(i)].score;
      if (kind_ != TrackerKind::ByteTrack || s >= cfg_.highScore)
        first_.push_back(i);
      else if (s >= cfg_.lowScore)
        second_.push_back(i);
    }
    allTracks_.clear();
    for (int i = 0; i < static_cast<int>(tracks_.size()); ++i) allTracks_.push_back(i);

    detUsed_.assign(dets.size(), 0);
    associate(dets, allTracks_, first_, frame, events);
    if (kind_ == TrackerKind::ByteTrack && !second_.empty()) {
      remaining_.clear();
      for (int i : allTracks_)
        if (!tracks_[static_cast<size_t>(i)].matched) remaining_.push_back(i);
      associate(dets, remaining_, second_, frame, events);
    }

    // Age unmatched tracks; tentative ones die at their first miss, confirmed ones after maxAge.
    size_t keep = 0;
    for (size_t i = 0; i < tracks_.size(); ++i) {
      Track& t = tracks_[i];
      if (!t.matched) {
        ++t.missed;
        if (!t.confirmed) continue;
        if (t.missed > cfg_.maxAge) {
          emit(events, TrackEventKind::End, t, t.lastDetection);
          continue;
        }
      }
      if (keep != i) tracks_[keep] = std::move(t);
      ++keep;
    }
    tracks_.resize(keep);

    // New tracks from unmatched detections of the first stage (ByteTrack: high score only).
    for (int d : first_) {
      if (detUsed_[static_cast<size_t>(d)]) continue;
      const Detection& det = dets[static_cast<size_t>(d)];
      Track& t = tracks_.emplace_back();
      t.classId = det.classId;
      if (kalman) {
        t.kalman.init(det.box);
        t.box = t.kalman.box();
      } else {
        t.box = det.box;
      }
      recordHit(t, det, frame, events);
    }
    return report();
  }

  void flush(std::vector<TrackEvent>* events) override {
    for (const Track& t : tracks_)
      if (t.confirmed) emit(events, TrackEventKind::End, t, t.lastDetection);
    tracks_.clear();
  }

 private:
  void associate(const std::vector<Detection>& dets, const std::vector<int>& trackIdx, const std::vector<int>& detIdx, int64_t frame,
                 std::vector<TrackEvent>* events) {
    const int rows = static_cast<int>(trackIdx.size()), cols = static_cast<int>(detIdx.size());
    if (rows == 0 || cols == 0) return;
    iou_.resize(static_cast<size_t>(rows) * static_cast<size_t>(cols));
    for (int r = 0; r < rows; ++r) {
      const Track& t = tracks_[static_cast<size_t>(trackIdx[static_cast<size_t>(r)])];
      for (int c = 0; c < cols; ++c) {
        const Detection& d = dets[static_cast<size_t>(detIdx[static_cast<size_t>(c)])];
        iou_[static_cast<size_t>(r * cols + c)] = d.classId == t.classId ? iou(t.box, d.box) : 0.f;  // same class only
      }
    }
    if (kind_ == TrackerKind::Iou)
      assigner_.greedy(iou_, rows, cols, cfg_.iouThreshold, &rowToCol_);
    else
      assigner_.optimal(iou_, rows, cols, cfg_.iouThreshold, &rowToCol_);
    for (int r = 0; r < rows; ++r) {
      const int c = rowToCol_[static_cast<size_t>(r)];
      if (c < 0) continue;
      const int d = detIdx[static_cast<size_t>(c)];
      detUsed_[static_cast<size_t>(d)] = 1;
      Track& t = tracks_[static_cast<size_t>(trackIdx[static_cast<size_t>(r)])];
      const Detection& det = dets[static_cast<size_t>(d)];
      if (kind_ == TrackerKind::Iou) {
        t.box = det.box;
      } else {
        t.kalman.update(det.box);
        t.box = t.kalman.box();
      }
      recordHit(t, det, frame, events);
    }
  }

  void recordHit(Track& t, const Detection& det, int64_t frame, std::vector<TrackEvent>* events) {
    t.matched = true;
    t.missed = 0;
    ++t.hits;
    t.score = det.score;
    t.lastDetection = det.box;
    if (det.score > t.bestScore) {
      t.bestScore = det.score;
      t.bestFrame = frame;
      t.bestBox = det.box;
    }
    if (t.confirmed) {
      emit(events, TrackEventKind::Update, t, t.box);
    } else if (t.hits >= cfg_.minHits) {
      t.confirmed = true;
      t.id = nextId_++;
      emit(events, TrackEventKind::Start, t, t.box);
    }
  }

  static void emit(std::vector<TrackEvent>* events, TrackEventKind kind, const Track& t, const Box& box) {
    if (!events) return;
    TrackEvent& e = events->emplace_back();
    e.kind = kind;
    e.trackId = t.id;
    e.classId = t.classId;
    e.box = box;
    e.score = t.score;
    e.bestFrame = t.bestFrame;
    e.bestScore = t.bestScore;
    e.bestBox = t.bestBox;
  }

  std::vector<TrackedObject> report() const {
    std::vector<TrackedObject> out;
    out.reserve(tracks_.size());
    for (const Track& t : tracks_) {
      if (!t.confirmed || t.missed > cfg_.coastFrames) continue;
      out.push_back(TrackedObject{t.id, t.box, t.classId, t.score, t.matched});
    }
    return out;
  }

  TrackerKind kind_;
  TrackerConfig cfg_;
  int64_t nextId_ = 1;
  std::vector<Track> tracks_;
  // Per-frame scratch, kept to avoid allocating every frame.
  std::vector<int> first_, second_, allTracks_, remaining_, rowToCol_;
  std::vector<char> detUsed_;
  std::vector<float> iou_;
  tracking::Assigner assigner_;
};

}  // namespace

std::unique_ptr<Tracker> makeTracker(TrackerKind kind, const TrackerConfig& config) { return std::make_unique<MultiTracker>(kind, config); }

}  // namespace vigil
