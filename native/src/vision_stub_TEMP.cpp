// ============================================================================================
// TEMPORARY STUB — delete when merging the real geometry/parsers/tracking implementations.
// Minimal versions of vision.h so the pipeline branch links and runs end to end:
// geometry, yolov8 decode only, greedy class-wise NMS, and a greedy-IoU tracker for every kind.
// ============================================================================================
#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "vision.h"

namespace vigil {

float iou(const Box& a, const Box& b) {
  float x1 = std::max(a.x, b.x), y1 = std::max(a.y, b.y);
  float x2 = std::min(a.right(), b.right()), y2 = std::min(a.bottom(), b.bottom());
  float inter = std::max(0.f, x2 - x1) * std::max(0.f, y2 - y1);
  float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.f;
}

size_t OutputTensor::size() const {
  size_t n = 1;
  for (auto d : dims) n *= static_cast<size_t>(d);
  return n;
}

LetterboxTransform makeLetterbox(int srcW, int srcH, int netW, int netH, bool keepAspect) {
  LetterboxTransform t;
  t.srcWidth = srcW; t.srcHeight = srcH; t.netWidth = netW; t.netHeight = netH;
  float sx = float(netW) / float(srcW), sy = float(netH) / float(srcH);
  if (keepAspect) {
    float s = std::min(sx, sy);
    t.scaleX = t.scaleY = s;
    t.padX = (netW - srcW * s) / 2.f;
    t.padY = (netH - srcH * s) / 2.f;
  } else {
    t.scaleX = sx; t.scaleY = sy;
  }
  return t;
}

Box toSource(const LetterboxTransform& t, const Box& b) {
  float x1 = std::clamp((b.x - t.padX) / t.scaleX, 0.f, float(t.srcWidth));
  float y1 = std::clamp((b.y - t.padY) / t.scaleY, 0.f, float(t.srcHeight));
  float x2 = std::clamp((b.right() - t.padX) / t.scaleX, 0.f, float(t.srcWidth));
  float y2 = std::clamp((b.bottom() - t.padY) / t.scaleY, 0.f, float(t.srcHeight));
  return {x1, y1, x2 - x1, y2 - y1};
}

Box toNetwork(const LetterboxTransform& t, const Box& b) {
  return {b.x * t.scaleX + t.padX, b.y * t.scaleY + t.padY, b.w * t.scaleX, b.h * t.scaleY};
}

static const char* kParserNames[] = {"yolov5", "yolov8", "nanodet", "centernet", "ssd"};
bool parseParserKind(const std::string& name, ParserKind* out) {
  for (int i = 0; i < 5; ++i)
    if (name == kParserNames[i]) { *out = static_cast<ParserKind>(i); return true; }
  if (name == "yolov11" || name == "yolo11") { *out = ParserKind::YoloV8; return true; }
  return false;
}
const char* parserName(ParserKind kind) { return kParserNames[static_cast<int>(kind)]; }

static const char* kTrackerNames[] = {"iou", "sort", "bytetrack"};
bool parseTrackerKind(const std::string& name, TrackerKind* out) {
  for (int i = 0; i < 3; ++i)
    if (name == kTrackerNames[i]) { *out = static_cast<TrackerKind>(i); return true; }
  return false;
}
const char* trackerName(TrackerKind kind) { return kTrackerNames[static_cast<int>(kind)]; }

std::vector<Detection> decodeYoloV8(const std::vector<OutputTensor>& outputs, int b, const ParseParams& p) {
  if (outputs.empty() || outputs[0].dims.size() != 3 || outputs[0].dims[1] != 4 + p.numClasses)
    throw std::runtime_error("output '" + (outputs.empty() ? std::string("?") : outputs[0].name) +
                             "' does not have the shape [B, 4+C, N] that parser yolov8 expects (C=" +
                             std::to_string(p.numClasses) + ") — check the manifest's parser and labels");
  const OutputTensor& o = outputs[0];
  int64_t rows = o.dims[1], n = o.dims[2];
  const float* base = o.data + b * rows * n;
  std::vector<Detection> out;
  for (int64_t i = 0; i < n; ++i) {
    int best = 0; float bs = -1;
    for (int c = 0; c < p.numClasses; ++c) {
      float s = base[(4 + c) * n + i];
      if (s > bs) { bs = s; best = c; }
    }
    if (bs < p.forClass(best).preClusterThreshold) continue;
    float cx = base[i], cy = base[n + i], w = base[2 * n + i], h = base[3 * n + i];
    out.push_back({{cx - w / 2, cy - h / 2, w, h}, best, bs});
  }
  return out;
}

std::vector<Detection> nmsPerClass(std::vector<Detection> dets, const ParseParams& p) {
  std::sort(dets.begin(), dets.end(), [](auto& a, auto& b) { return a.score > b.score; });
  std::vector<Detection> keep;
  std::map<int, int> perClass;
  for (auto& d : dets) {
    bool ok = true;
    for (auto& k : keep)
      if (k.classId == d.classId && iou(k.box, d.box) > p.forClass(d.classId).nmsIou) { ok = false; break; }
    if (ok && perClass[d.classId] < p.forClass(d.classId).topK) { keep.push_back(d); perClass[d.classId]++; }
  }
  return keep;
}

std::vector<Detection> parseOutputs(ParserKind kind, const std::vector<OutputTensor>& outputs, int b, const ParseParams& p) {
  if (kind != ParserKind::YoloV8 && kind != ParserKind::YoloV5)
    throw std::runtime_error(std::string("parser ") + parserName(kind) + " is not in this build yet (stub)");
  if (kind == ParserKind::YoloV5) throw std::runtime_error("parser yolov5 is not in this build yet (stub)");
  auto d = nmsPerClass(decodeYoloV8(outputs, b, p), p);
  if (d.size() > static_cast<size_t>(p.maxDetections)) d.resize(static_cast<size_t>(p.maxDetections));
  return d;
}

namespace {
class GreedyIouTracker : public Tracker {
 public:
  explicit GreedyIouTracker(TrackerConfig c) : cfg_(c) {}
  std::vector<TrackedObject> update(const std::vector<Detection>& dets, int64_t frame, bool inferred,
                                    std::vector<TrackEvent>* events) override {
    std::vector<bool> used(dets.size(), false);
    for (auto& t : tracks_) t.matched = false;
    if (inferred) {
      for (auto& t : tracks_) {
        int best = -1; float bi = cfg_.iouThreshold;
        for (size_t i = 0; i < dets.size(); ++i) {
          if (used[i] || dets[i].classId != t.classId) continue;
          float v = iou(t.box, dets[i].box);
          if (v >= bi) { bi = v; best = int(i); }
        }
        if (best >= 0) {
          used[size_t(best)] = true;
          t.box = dets[size_t(best)].box; t.score = dets[size_t(best)].score; t.matched = true; t.hits++; t.age = 0;
          if (t.score > t.bestScore) { t.bestScore = t.score; t.bestFrame = frame; t.bestBox = t.box; }
          if (!t.confirmed && t.hits >= cfg_.minHits) { t.confirmed = true; emit(t, TrackEventKind::Start, events); }
          else if (t.confirmed) emit(t, TrackEventKind::Update, events);
        } else {
          t.age++;
        }
      }
      for (size_t i = 0; i < dets.size(); ++i) {
        if (used[i]) continue;
        T t; t.id = ++nextId_; t.box = dets[i].box; t.classId = dets[i].classId; t.score = dets[i].score;
        t.matched = true; t.hits = 1; t.bestScore = t.score; t.bestFrame = frame; t.bestBox = t.box;
        if (cfg_.minHits <= 1) { t.confirmed = true; emit(t, TrackEventKind::Start, events); }
        tracks_.push_back(t);
      }
      std::vector<T> alive;
      for (auto& t : tracks_) {
        if (t.age > cfg_.maxAge) { if (t.confirmed) emit(t, TrackEventKind::End, events); }
        else alive.push_back(t);
      }
      tracks_.swap(alive);
    }
    std::vector<TrackedObject> out;
    for (auto& t : tracks_)
      if (t.confirmed) out.push_back({t.id, t.box, t.classId, t.score, t.matched});
    return out;
  }
  void flush(std::vector<TrackEvent>* events) override {
    for (auto& t : tracks_) if (t.confirmed) emit(t, TrackEventKind::End, events);
    tracks_.clear();
  }

 private:
  struct T {
    int64_t id = 0; Box box; int classId = 0; float score = 0; bool matched = false; int hits = 0; int age = 0;
    bool confirmed = false; int64_t bestFrame = -1; float bestScore = 0; Box bestBox;
  };
  void emit(const T& t, TrackEventKind k, std::vector<TrackEvent>* ev) {
    if (!ev) return;
    ev->push_back({k, t.id, t.classId, t.box, t.score, t.bestFrame, t.bestScore, t.bestBox});
  }
  TrackerConfig cfg_;
  std::vector<T> tracks_;
  int64_t nextId_ = 0;
};
}  // namespace

std::unique_ptr<Tracker> makeTracker(TrackerKind, const TrackerConfig& config) {
  return std::make_unique<GreedyIouTracker>(config);
}

}  // namespace vigil
