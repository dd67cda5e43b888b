#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "tracking/assignment.h"
#include "tracking/tracker.h"

using vigil::Box;
using vigil::Detection;
using vigil::TrackedObject;
using vigil::TrackerConfig;
using vigil::TrackerKind;
using vigil::TrackEvent;
using vigil::TrackEventKind;

namespace {

const TrackerKind kAllKinds[] = {TrackerKind::Iou, TrackerKind::Sort, TrackerKind::ByteTrack};

// ---------------------------------------------------------------------------------------------
// Synthetic scenes with ground truth.

// Deterministic on every platform (std:: distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  double uniform() {  // [0, 1)
    s_ ^= s_ << 13, s_ ^= s_ >> 7, s_ ^= s_ << 17;
    return static_cast<double>(s_ >> 11) * (1.0 / 9007199254740992.0);
  }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  double normal() {
    const double u1 = std::max(uniform(), 1e-12), u2 = uniform();
    return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t s_;
};

struct SimObject {
  int first, last;  // visible frames, inclusive
  float x0, y0, vx, vy, w, h;
  int classId = 0;
  Box at(int f) const { return Box{x0 + vx * static_cast<float>(f - first), y0 + vy * static_cast<float>(f - first), w, h}; }
};

struct Scenario {
  std::string name;
  int frames;
  std::vector<SimObject> objects;
  double missRate = 0.05;     // detector misses a visible object
  double noise = 0.03;        // box jitter, fraction of the box size (std dev)
  double occludedMiss = 0.3;  // an object hidden behind another: missed, else a low score
  double clutterRate = 0.05;  // spurious low-score detections per frame
  int interval = 0;           // DeepStream interval: frames skipped between inferences
};

struct GtBox {
  int id;
  Box box;
};

struct SimFrame {
  std::vector<GtBox> truth;
  std::vector<Detection> dets;
  bool inferred = true;
};

// Which of two overlapping objects is hidden: the one further from the camera (smaller bottom).
std::vector<SimFrame> simulate(const Scenario& sc, uint64_t seed) {
  Rng rng(seed);
  std::vector<SimFrame> out(static_cast<size_t>(sc.frames));
  for (int f = 0; f < sc.frames; ++f) {
    SimFrame& fr = out[static_cast<size_t>(f)];
    fr.inferred = sc.interval == 0 || f % (sc.interval + 1) == 0;
    for (size_t i = 0; i < sc.objects.size(); ++i) {
      const SimObject& o = sc.objects[i];
      if (f < o.first || f > o.last) continue;
      fr.truth.push_back(GtBox{static_cast<int>(i), o.at(f)});
    }
    for (const GtBox& g : fr.truth) {
      bool occluded = false;
      for (const GtBox& other : fr.truth) {
        if (other.id == g.id) continue;
        const Box& a = g.box;
        const Box& b = other.box;
        const float ix = std::min(a.right(), b.right()) - std::max(a.x, b.x);
        const float iy = std::min(a.bottom(), b.bottom()) - std::max(a.y, b.y);
        const float covered = ix > 0 && iy > 0 ? ix * iy / a.area() : 0.f;
        if (covered > 0.3f && b.bottom() >= a.bottom()) occluded = true;
      }
      float score;
      if (occluded) {
        if (rng.uniform() < sc.occludedMiss) continue;
        score = static_cast<float>(rng.uniform(0.15, 0.45));  // partly visible: the detector is unsure
      } else {
        if (rng.uniform() < sc.missRate) continue;
        score = static_cast<float>(rng.uniform(0.55, 0.95));
      }
      const Box& b = g.box;
      const float n = static_cast<float>(sc.noise);
      Box d{b.x + b.w * n * static_cast<float>(rng.normal()), b.y + b.h * n * static_cast<float>(rng.normal()),
            b.w * (1 + n * static_cast<float>(rng.normal())), b.h * (1 + n * static_cast<float>(rng.normal()))};
      fr.dets.push_back(Detection{d, sc.objects[static_cast<size_t>(g.id)].classId, score});
    }
    if (rng.uniform() < sc.clutterRate) {
      Box c{static_cast<float>(rng.uniform(0, 1200)), static_cast<float>(rng.uniform(0, 650)), 40, 70};
      fr.dets.push_back(Detection{c, 0, static_cast<float>(rng.uniform(0.1, 0.4))});
    }
    if (!fr.inferred) fr.dets.clear();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CLEAR-MOT (Bernardin & Stiefelhagen 2008) with IoU >= 0.5 as the match criterion.

struct MotResult {
  int gt = 0, fn = 0, fp = 0, idsw = 0, matches = 0;
  double mota() const { return 1.0 - static_cast<double>(fn + fp + idsw) / std::max(gt, 1); }
};

class ClearMot {
 public:
  void frame(const std::vector<GtBox>& truth, const std::vector<TrackedObject>& hyps) {
    r_.gt += static_cast<int>(truth.size());
    std::vector<char> gtUsed(truth.size(), 0), hypUsed(hyps.size(), 0);
    auto match = [&](size_t g, size_t h) {
      gtUsed[g] = hypUsed[h] = 1;
      ++r_.matches;
      auto it = last_.find(truth[g].id);
      if (it != last_.end() && it->second != hyps[h].trackId) ++r_.idsw;
      last_[truth[g].id] = hyps[h].trackId;
    };
    // Keep last frame's correspondences that still hold.
    for (size_t g = 0; g < truth.size(); ++g) {
      auto it = last_.find(truth[g].id);
      if (it == last_.end()) continue;
      for (size_t h = 0; h < hyps.size(); ++h)
        if (!hypUsed[h] && hyps[h].trackId == it->second && vigil::iou(truth[g].box, hyps[h].box) >= 0.5f) {
          match(g, h);
          break;
        }
    }
    // Then the best remaining pairs.
    struct Pair {
      float iou;
      size_t g, h;
    };
    std::vector<Pair> pairs;
    for (size_t g = 0; g < truth.size(); ++g)
      for (size_t h = 0; h < hyps.size(); ++h)
        if (!gtUsed[g] && !hypUsed[h])
          if (float x = vigil::iou(truth[g].box, hyps[h].box); x >= 0.5f) pairs.push_back({x, g, h});
    std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.iou > b.iou; });
    for (const Pair& p : pairs)
      if (!gtUsed[p.g] && !hypUsed[p.h]) match(p.g, p.h);
    for (char u : gtUsed) r_.fn += !u;
    for (char u : hypUsed) r_.fp += !u;
  }
  const MotResult& result() const { return r_; }

 private:
  MotResult r_;
  std::map<int, int64_t> last_;  // ground-truth id → last matched track id
};

// IOU and SORT see what a detector configured for them would emit (score >= 0.5); ByteTrack is fed
// the low-score detections too, which is the point of its second association stage.
MotResult runScenario(TrackerKind kind, const Scenario& sc, uint64_t seed) {
  TrackerConfig cfg;
  auto tracker = vigil::makeTracker(kind, cfg);
  ClearMot mot;
  std::vector<TrackEvent> events;
  std::vector<Detection> dets;
  int64_t frame = 0;
  for (const SimFrame& fr : simulate(sc, seed)) {
    dets.clear();
    for (const Detection& d : fr.dets)
      if (kind == TrackerKind::ByteTrack ? d.score >= cfg.lowScore : d.score >= cfg.highScore) dets.push_back(d);
    auto tracks = tracker->update(dets, frame++, fr.inferred, &events);
    mot.frame(fr.truth, tracks);
  }
  return mot.result();
}

MotResult runSeeds(TrackerKind kind, const Scenario& sc, int seeds) {
  MotResult total;
  for (int s = 1; s <= seeds; ++s) {
    MotResult r = runScenario(kind, sc, static_cast<uint64_t>(s));
    total.gt += r.gt, total.fn += r.fn, total.fp += r.fp, total.idsw += r.idsw, total.matches += r.matches;
  }
  std::cout << "[mot] scenario=" << sc.name << " tracker=" << vigil::trackerName(kind) << " MOTA=" << total.mota() << " IDSW=" << total.idsw
            << " FN=" << total.fn << " FP=" << total.fp << " GT=" << total.gt << " seeds=" << seeds << std::endl;
  return total;
}

// Pedestrians walking across a 1280x720 frame in separate lanes.
Scenario linearScene() {
  Scenario sc{"linear", 200, {}};
  sc.objects = {
      {0, 199, 50, 80, 3.0f, 0.5f, 50, 110},  {10, 180, 1100, 250, -4.0f, 0.2f, 60, 130}, {0, 150, 300, 450, 2.0f, -0.8f, 70, 150},
      {30, 199, 600, 30, 0.5f, 2.0f, 40, 90}, {5, 199, 900, 500, -1.5f, -1.0f, 80, 170},
  };
  return sc;
}

// Pairs of same-class people of the same size walking into each other and past: the far one is
// hidden (missed or detected with a low score) while they overlap.
Scenario crossingScene() {
  Scenario sc{"crossing", 240, {}};
  sc.objects = {
      {0, 239, 100, 100, 4.0f, 0.0f, 50, 120},    {0, 239, 1060, 104, -4.0f, 0.0f, 50, 120}, {20, 239, 150, 400, 3.5f, 0.3f, 60, 140},
      {20, 239, 1000, 420, -3.5f, 0.1f, 60, 140}, {60, 239, 640, 10, 0.0f, 2.5f, 55, 125},   {60, 239, 300, 260, 3.0f, 0.0f, 55, 125},
  };
  sc.occludedMiss = 0.4;
  return sc;
}

// A plaza: a dozen people in random directions and sizes, entering and leaving at random times.
Scenario crowdScene() {
  Scenario sc{"crowd", 300, {}};
  Rng rng(42);
  for (int i = 0; i < 12; ++i) {
    const int first = static_cast<int>(rng.uniform(0, 150));
    const int last = std::min(299, first + static_cast<int>(rng.uniform(80, 250)));
    const float w = static_cast<float>(rng.uniform(40, 70)), h = w * static_cast<float>(rng.uniform(2.0, 2.4));
    sc.objects.push_back({first, last, static_cast<float>(rng.uniform(100, 1100)), static_cast<float>(rng.uniform(50, 500)),
                          static_cast<float>(rng.uniform(-4, 4)), static_cast<float>(rng.uniform(-2, 2)), w, h});
  }
  return sc;
}

Scenario intervalScene() {
  Scenario sc = linearScene();
  sc.name = "linear-interval2";
  sc.interval = 2;  // detector runs on every third frame
  return sc;
}

std::vector<TrackedObject> step(vigil::Tracker& t, const std::vector<Detection>& dets, int64_t frame, bool inferred,
                                std::vector<TrackEvent>* events) {
  return t.update(dets, frame, inferred, events);
}

int count(const std::vector<TrackEvent>& ev, TrackEventKind kind) {
  return static_cast<int>(std::count_if(ev.begin(), ev.end(), [&](const TrackEvent& e) { return e.kind == kind; }));
}

}  // namespace

// ---------------------------------------------------------------------------------------------

TEST(TrackerNames, RoundTripAndRejectUnknown) {
  for (TrackerKind k : kAllKinds) {
    TrackerKind back{};
    ASSERT_TRUE(vigil::parseTrackerKind(vigil::trackerName(k), &back));
    EXPECT_EQ(back, k);
  }
  TrackerKind k{};
  EXPECT_TRUE(vigil::parseTrackerKind("ByteTrack", &k));
  EXPECT_EQ(k, TrackerKind::ByteTrack);
  EXPECT_FALSE(vigil::parseTrackerKind("nvdcf", &k));
}

TEST(TrackingAccuracy, LinearMotionScene) {
  for (TrackerKind k : kAllKinds) {
    MotResult r = runSeeds(k, linearScene(), 5);
    EXPECT_GT(r.mota(), 0.9) << vigil::trackerName(k);
    EXPECT_LE(r.idsw, 15) << vigil::trackerName(k);
  }
}

TEST(TrackingAccuracy, CrossingObjectsByteTrackBeatsIou) {
  MotResult iouR = runSeeds(TrackerKind::Iou, crossingScene(), 5);
  MotResult sortR = runSeeds(TrackerKind::Sort, crossingScene(), 5);
  MotResult byteR = runSeeds(TrackerKind::ByteTrack, crossingScene(), 5);
  EXPECT_GT(iouR.mota(), 0.85);
  EXPECT_GT(sortR.mota(), 0.9);
  EXPECT_GT(byteR.mota(), 0.95);
  EXPECT_LE(sortR.idsw, iouR.idsw);  // motion prediction keeps identities through the crossing
  EXPECT_LT(byteR.idsw, iouR.idsw);
  EXPECT_GT(byteR.mota(), iouR.mota());
}

TEST(TrackingAccuracy, CrowdScene) {
  MotResult iouR = runSeeds(TrackerKind::Iou, crowdScene(), 5);
  MotResult sortR = runSeeds(TrackerKind::Sort, crowdScene(), 5);
  MotResult byteR = runSeeds(TrackerKind::ByteTrack, crowdScene(), 5);
  EXPECT_GT(iouR.mota(), 0.88);
  EXPECT_GT(sortR.mota(), 0.9);
  EXPECT_GT(byteR.mota(), 0.95);
  EXPECT_LE(sortR.idsw, iouR.idsw);
  EXPECT_LE(byteR.idsw, sortR.idsw);
}

TEST(TrackingAccuracy, DetectorIntervalCoastsBetweenInferences) {
  for (TrackerKind k : kAllKinds) {
    MotResult r = runSeeds(k, intervalScene(), 5);
    // The IOU tracker holds the last box for two frames; the Kalman trackers predict the motion.
    EXPECT_GT(r.mota(), k == TrackerKind::Iou ? 0.8 : 0.85) << vigil::trackerName(k);
  }
}

TEST(TrackLifecycle, SkippedFramesCoastWithoutAgingOrEnding) {
  for (TrackerKind k : kAllKinds) {
    TrackerConfig cfg;
    cfg.maxAge = 2;
    cfg.minHits = 1;
    auto t = vigil::makeTracker(k, cfg);
    std::vector<TrackEvent> ev;
    const Detection d{{100, 100, 40, 80}, 0, 0.9f};
    auto first = step(*t, {d}, 0, true, &ev);
    ASSERT_EQ(first.size(), 1u) << vigil::trackerName(k);
    const int64_t id = first[0].trackId;
    // Far longer than maxAge of detector-skipped frames: still reported, never ended.
    for (int64_t f = 1; f <= 20; ++f) {
      auto carried = step(*t, {}, f, false, &ev);
      ASSERT_EQ(carried.size(), 1u) << vigil::trackerName(k) << " frame " << f;
      EXPECT_EQ(carried[0].trackId, id);
      EXPECT_FALSE(carried[0].matched);
    }
    EXPECT_EQ(count(ev, TrackEventKind::End), 0) << vigil::trackerName(k);
    auto again = step(*t, {d}, 21, true, &ev);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].trackId, id) << vigil::trackerName(k);
    EXPECT_TRUE(again[0].matched);
    // Missed inferred frames do age it: ended after maxAge + 1 misses.
    for (int64_t f = 22; f <= 24; ++f) step(*t, {}, f, true, &ev);
    EXPECT_EQ(count(ev, TrackEventKind::End), 1) << vigil::trackerName(k);
    EXPECT_TRUE(step(*t, {}, 25, true, &ev).empty());
  }
}

TEST(TrackLifecycle, KalmanTrackersPredictMotionOnSkippedFramesIouKeepsLastBox) {
  for (TrackerKind k : kAllKinds) {
    auto t = vigil::makeTracker(k, TrackerConfig{});
    std::vector<TrackEvent> ev;
    Box last;
    for (int64_t f = 0; f < 15; ++f) {
      last = Box{100.f + 5.f * static_cast<float>(f), 200, 40, 80};
      step(*t, {Detection{last, 0, 0.9f}}, f, true, &ev);
    }
    auto carried = step(*t, {}, 15, false, &ev);
    carried = step(*t, {}, 16, false, &ev);
    ASSERT_EQ(carried.size(), 1u);
    if (k == TrackerKind::Iou) {
      EXPECT_FLOAT_EQ(carried[0].box.x, last.x);
    } else {
      EXPECT_NEAR(carried[0].box.x, last.x + 10.f, 1.5f) << vigil::trackerName(k);  // two frames at 5 px/frame
      EXPECT_NEAR(carried[0].box.w, 40.f, 1.f);
    }
  }
}

TEST(TrackLifecycle, ConfirmedOnlyAfterMinHitsThenUpdatedEachMatchedFrame) {
  for (TrackerKind k : kAllKinds) {
    TrackerConfig cfg;
    cfg.minHits = 3;
    auto t = vigil::makeTracker(k, cfg);
    std::vector<TrackEvent> ev;
    const Detection d{{300, 300, 50, 100}, 2, 0.8f};
    EXPECT_TRUE(step(*t, {d}, 0, true, &ev).empty());
    EXPECT_TRUE(step(*t, {d}, 1, true, &ev).empty());
    EXPECT_TRUE(ev.empty()) << vigil::trackerName(k);
    auto third = step(*t, {d}, 2, true, &ev);
    ASSERT_EQ(third.size(), 1u);
    EXPECT_EQ(third[0].classId, 2);
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].kind, TrackEventKind::Start);
    EXPECT_EQ(ev[0].trackId, third[0].trackId);
    step(*t, {d}, 3, true, &ev);
    step(*t, {}, 4, false, &ev);  // skipped frame: no Update
    step(*t, {d}, 5, true, &ev);
    EXPECT_EQ(count(ev, TrackEventKind::Update), 2) << vigil::trackerName(k);
    EXPECT_EQ(count(ev, TrackEventKind::Start), 1);
  }
  // minHits <= 1: confirmed by its first detection.
  TrackerConfig once;
  once.minHits = 1;
  auto t = vigil::makeTracker(TrackerKind::Sort, once);
  std::vector<TrackEvent> ev;
  EXPECT_EQ(step(*t, {Detection{{0, 0, 10, 10}, 0, 0.9f}}, 0, true, &ev).size(), 1u);
  EXPECT_EQ(count(ev, TrackEventKind::Start), 1);
}

TEST(TrackLifecycle, IdsAreStableIncreasingAndNeverReused) {
  for (TrackerKind k : kAllKinds) {
    TrackerConfig cfg;
    cfg.minHits = 1;
    cfg.maxAge = 1;
    auto t = vigil::makeTracker(k, cfg);
    std::vector<TrackEvent> ev;
    std::vector<int64_t> seen;
    int64_t frame = 0;
    // The same spot, occupied three times with gaps longer than maxAge: three distinct tracks.
    for (int round = 0; round < 3; ++round) {
      int64_t id = -1;
      for (int i = 0; i < 5; ++i) {
        auto out = step(*t, {Detection{{100, 100, 40, 80}, 0, 0.9f}, Detection{{600, 100, 40, 80}, 0, 0.9f}}, frame++, true, &ev);
        ASSERT_EQ(out.size(), 2u);
        if (id < 0) {
          id = out[0].trackId;
          for (const auto& o : out) {
            for (int64_t s : seen) EXPECT_NE(o.trackId, s) << vigil::trackerName(k) << ": id reused";
            if (!seen.empty()) {
              EXPECT_GT(o.trackId, seen.back());
            }
            seen.push_back(o.trackId);
          }
        }
        EXPECT_EQ(out[0].trackId, id) << vigil::trackerName(k) << ": id changed while matched";
      }
      for (int i = 0; i < 3; ++i) step(*t, {}, frame++, true, &ev);
    }
    EXPECT_EQ(seen.size(), 6u);
    EXPECT_EQ(count(ev, TrackEventKind::End), 6) << vigil::trackerName(k);
  }
}

TEST(TrackLifecycle, EventsCarryTheBestScoringFrameSoFar) {
  for (TrackerKind k : kAllKinds) {
    TrackerConfig cfg;
    cfg.minHits = 2;
    auto t = vigil::makeTracker(k, cfg);
    std::vector<TrackEvent> ev;
    const float scores[] = {0.6f, 0.7f, 0.95f, 0.8f, 0.65f};
    for (int f = 0; f < 5; ++f) {
      step(*t, {Detection{{100.f + 2.f * static_cast<float>(f), 100, 40, 80}, 0, scores[f]}}, 100 + f, true, &ev);
    }
    t->flush(&ev);
    ASSERT_EQ(ev.size(), 5u) << vigil::trackerName(k);  // Start (frame 101), 3 Updates, End
    EXPECT_EQ(ev[0].kind, TrackEventKind::Start);
    EXPECT_EQ(ev[0].bestFrame, 101);
    EXPECT_FLOAT_EQ(ev[0].bestScore, 0.7f);
    for (size_t i = 1; i < ev.size(); ++i) {
      EXPECT_EQ(ev[i].bestFrame, 102) << vigil::trackerName(k) << " event " << i;
      EXPECT_FLOAT_EQ(ev[i].bestScore, 0.95f);
      EXPECT_FLOAT_EQ(ev[i].bestBox.x, 104.f);  // the detection's own box, for the snapshot crop
    }
    EXPECT_FLOAT_EQ(ev[3].score, 0.65f);
    EXPECT_EQ(ev.back().kind, TrackEventKind::End);
  }
}

TEST(TrackLifecycle, FlushEndsEveryConfirmedTrackAndIdsContinue) {
  for (TrackerKind k : kAllKinds) {
    TrackerConfig cfg;
    cfg.minHits = 2;
    auto t = vigil::makeTracker(k, cfg);
    std::vector<TrackEvent> ev;
    const std::vector<Detection> three{{{0, 0, 30, 30}, 0, 0.9f}, {{200, 0, 30, 30}, 1, 0.9f}, {{400, 0, 30, 30}, 0, 0.9f}};
    step(*t, three, 0, true, &ev);
    auto out = step(*t, three, 1, true, &ev);
    ASSERT_EQ(out.size(), 3u);
    step(*t, {Detection{{800, 0, 30, 30}, 0, 0.9f}}, 2, true, &ev);  // tentative only: no End for it
    ev.clear();
    t->flush(&ev);
    EXPECT_EQ(count(ev, TrackEventKind::End), 3) << vigil::trackerName(k);
    EXPECT_EQ(ev.size(), 3u);
    EXPECT_TRUE(step(*t, {}, 3, true, &ev).empty());
    step(*t, three, 4, true, &ev);
    auto after = step(*t, three, 5, true, &ev);
    ASSERT_EQ(after.size(), 3u);
    for (const auto& o : after) EXPECT_GT(o.trackId, 3) << vigil::trackerName(k);
  }
}

TEST(TrackLifecycle, TracksKeepTheirClassAndMatchOnlyTheSameClass) {
  for (TrackerKind k : kAllKinds) {
    TrackerConfig cfg;
    cfg.minHits = 1;
    auto t = vigil::makeTracker(k, cfg);
    std::vector<TrackEvent> ev;
    auto a = step(*t, {Detection{{100, 100, 40, 80}, 0, 0.9f}}, 0, true, &ev);
    ASSERT_EQ(a.size(), 1u);
    // Same place, other class: a second track, the first one unmatched.
    auto b = step(*t, {Detection{{101, 100, 40, 80}, 5, 0.9f}}, 1, true, &ev);
    ASSERT_EQ(b.size(), 2u) << vigil::trackerName(k);
    for (const auto& o : b) {
      if (o.trackId == a[0].trackId) {
        EXPECT_EQ(o.classId, 0);
        EXPECT_FALSE(o.matched);
      } else {
        EXPECT_EQ(o.classId, 5);
        EXPECT_TRUE(o.matched);
      }
    }
  }
}

TEST(ByteTrack, LowScoreDetectionsKeepTracksAliveButNeverStartOne) {
  TrackerConfig cfg;
  cfg.minHits = 1;
  cfg.maxAge = 1;
  auto bt = vigil::makeTracker(TrackerKind::ByteTrack, cfg);
  std::vector<TrackEvent> ev;
  // Low-score detections alone never make a track.
  for (int f = 0; f < 5; ++f) EXPECT_TRUE(step(*bt, {Detection{{500, 500, 40, 80}, 0, 0.3f}}, f, true, &ev).empty());
  EXPECT_TRUE(ev.empty());
  // A high-score start, then an occlusion with only low scores: the same track, matched, no End.
  auto start = step(*bt, {Detection{{100, 100, 40, 80}, 0, 0.9f}}, 5, true, &ev);
  ASSERT_EQ(start.size(), 1u);
  for (int f = 6; f < 12; ++f) {
    auto out = step(*bt, {Detection{{100.f + static_cast<float>(f), 100, 40, 80}, 0, 0.2f}}, f, true, &ev);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].trackId, start[0].trackId);
    EXPECT_TRUE(out[0].matched);
  }
  EXPECT_EQ(count(ev, TrackEventKind::End), 0);
  // Below lowScore: ignored, so the track ages out.
  for (int f = 12; f < 15; ++f) step(*bt, {Detection{{112, 100, 40, 80}, 0, 0.05f}}, f, true, &ev);
  EXPECT_EQ(count(ev, TrackEventKind::End), 1);
}

TEST(ByteTrack, HighScoreDetectionsAreAssociatedBeforeLowOnes) {
  TrackerConfig cfg;
  cfg.minHits = 1;
  auto bt = vigil::makeTracker(TrackerKind::ByteTrack, cfg);
  std::vector<TrackEvent> ev;
  auto start = step(*bt, {Detection{{100, 100, 40, 80}, 0, 0.9f}}, 0, true, &ev);
  ASSERT_EQ(start.size(), 1u);
  // A low-score box overlapping better and a high-score box overlapping less: the high one wins.
  auto out = step(*bt, {Detection{{100, 100, 40, 80}, 0, 0.3f}, Detection{{110, 100, 40, 80}, 0, 0.8f}}, 1, true, &ev);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].trackId, start[0].trackId);
  EXPECT_FLOAT_EQ(out[0].score, 0.8f);
}

TEST(ClearMotEvaluator, CountsMissesFalsePositivesAndIdentitySwitches) {
  ClearMot mot;
  const Box a{0, 0, 40, 80}, b{200, 0, 40, 80};
  mot.frame({{1, a}, {2, b}}, {TrackedObject{10, a, 0, 1, true}, TrackedObject{20, b, 0, 1, true}});
  mot.frame({{1, a}, {2, b}}, {TrackedObject{20, a, 0, 1, true}, TrackedObject{10, b, 0, 1, true}});  // swap: 2 IDSW
  mot.frame({{1, a}, {2, b}}, {TrackedObject{20, a, 0, 1, true}, TrackedObject{30, Box{600, 0, 40, 80}, 0, 1, true}});
  const MotResult& r = mot.result();
  EXPECT_EQ(r.gt, 6);
  EXPECT_EQ(r.idsw, 2);
  EXPECT_EQ(r.fn, 1);  // b unmatched in the last frame
  EXPECT_EQ(r.fp, 1);  // the far-away hypothesis
  EXPECT_NEAR(r.mota(), 1.0 - 4.0 / 6.0, 1e-9);
}

TEST(Assignment, OptimalMaximisesTotalIouWhereGreedyDoesNot) {
  vigil::tracking::Assigner a;
  std::vector<int> rowToCol;
  // Greedy takes the single best pair (0,0) and strands row 1; the optimum pairs (0,1) and (1,0).
  const std::vector<float> m{0.9f, 0.6f, 0.8f, 0.0f};
  a.greedy(m, 2, 2, 0.3f, &rowToCol);
  EXPECT_EQ(rowToCol, (std::vector<int>{0, -1}));
  a.optimal(m, 2, 2, 0.3f, &rowToCol);
  EXPECT_EQ(rowToCol, (std::vector<int>{1, 0}));
  // Gating: pairs under the threshold are never matched; independent groups are solved apart.
  const std::vector<float> g{0.2f, 0.0f, 0.0f,  //
                             0.0f, 0.0f, 0.7f,  //
                             0.0f, 0.5f, 0.6f};
  a.optimal(g, 3, 3, 0.3f, &rowToCol);
  EXPECT_EQ(rowToCol, (std::vector<int>{-1, 2, 1}));
  // Rectangular both ways.
  a.optimal({0.5f, 0.9f, 0.4f}, 1, 3, 0.3f, &rowToCol);
  EXPECT_EQ(rowToCol, (std::vector<int>{1}));
  a.optimal({0.5f, 0.9f, 0.4f}, 3, 1, 0.3f, &rowToCol);
  EXPECT_EQ(rowToCol, (std::vector<int>{-1, 0, -1}));
}
