// Motion-gated inference through the whole engine (GStreamer decode, ONNX Runtime, tracker): on a
// still H.264 clip inference stops after the first frames while the tracker keeps reporting the
// still objects (a generated square; vtest's pedestrians in a frame held still); on vtest.avi
// (pedestrians walking) gated persons match the ungated ones; a bad sensitivity is refused before the
// source starts.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gst/gst.h>

#include "engine.h"
#include "engine_info.h"
#include "manifest.h"
#include "motion/motion.h"
#include "support/test_support.h"
#include "synthetic.h"

namespace fs = std::filesystem;
using namespace vigil;

namespace {

// Every delivered frame: whether it was inferred, and the boxes of one class (carried ones included).
class FrameCollector : public EngineListener {
 public:
  explicit FrameCollector(int classId) : class_(classId) {}
  struct Seen {
    bool inferred = false;
    std::vector<Box> boxes;
  };
  std::mutex mu;
  std::map<int64_t, Seen> frames;
  std::vector<std::string> errors;
  void onBatch(EngineBatch&& b) override {
    std::lock_guard l(mu);
    for (auto& f : b.frames) {
      Seen& s = frames[f.frame];
      s.inferred = f.inferred;
      for (auto& o : f.objects)
        if (o.classId == class_) s.boxes.push_back(o.box);
    }
  }
  void onSourceError(const std::string& c, const std::string& m) override {
    std::lock_guard l(mu);
    errors.push_back(c + ": " + m);
  }
  size_t count() {
    std::lock_guard l(mu);
    return frames.size();
  }

 private:
  int class_;
};

struct RunResult {
  std::map<int64_t, FrameCollector::Seen> frames;
  EngineStreamStats stats;
};

// Plays `uri` through a fresh engine until `frames` frames are delivered (or the clip ends).
RunResult play(const std::string& model, const std::string& uri, int classId, int sensitivity, size_t frames) {
  FrameCollector c(classId);
  EngineConfig cfg;
  cfg.model = model;
  cfg.batchSize = 1;
  cfg.snapshots = false;
  cfg.statsIntervalMs = 0;
  cfg.tracker = TrackerKind::Iou;
  RunResult r;
  Engine engine(cfg, &c);
  SourceOptions o;
  o.motionSensitivity = sensitivity;
  engine.addSource("cam", uri, o);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  while (c.count() < frames && !engine.idle() && std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard l(c.mu);
      if (!c.errors.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto stats = engine.stats();
  if (!stats.empty()) r.stats = stats.front();
  engine.stop();
  std::lock_guard l(c.mu);
  EXPECT_TRUE(c.errors.empty()) << c.errors.front();
  r.frames = c.frames;
  return r;
}

// Recall: how many of the reference run's boxes a box of `run` matches with IoU >= 0.5 in the same
// frame (inferred or carried by the tracker), each of its boxes used once; and how many there were.
std::pair<int64_t, int64_t> personRecall(const RunResult& reference, const RunResult& run) {
  int64_t total = 0, matched = 0;
  for (auto& [seq, s] : reference.frames) {
    auto g = run.frames.find(seq);
    if (g == run.frames.end()) continue;
    std::vector<char> used(g->second.boxes.size(), 0);
    for (const Box& b : s.boxes) {
      ++total;
      int best = -1;
      float bestIou = 0.5f;
      for (size_t j = 0; j < g->second.boxes.size(); ++j) {
        const float v = iou(b, g->second.boxes[j]);
        if (!used[j] && v >= bestIou) best = static_cast<int>(j), bestIou = v;
      }
      if (best >= 0) ++matched, used[static_cast<size_t>(best)] = 1;
    }
  }
  return {matched, total};
}

std::string vtestUri() {
  const char* avi = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
  return fs::is_regular_file(avi) ? std::string("file://") + avi : "";
}

// vtest's first frame held still for `frames` frames at 10 fps and encoded with x264: a real H.264 clip of
// pedestrians who never move. Empty when the pipeline fails (the message says why).
std::string stillVtestClip(const std::string& avi, const fs::path& out, int frames, std::string* why) {
  const std::string desc = "uridecodebin uri=file://" + avi + " ! videoconvert ! imagefreeze num-buffers=" + std::to_string(frames) +
                           " ! video/x-raw,framerate=10/1 ! x264enc speed-preset=veryfast ! mp4mux ! filesink location=" + out.string();
  if (!ensureGstreamer(why)) return "";
  GError* err = nullptr;
  GstElement* pipeline = gst_parse_launch(desc.c_str(), &err);
  if (!pipeline) {
    *why = err ? err->message : "gst_parse_launch failed";
    if (err) g_error_free(err);
    return "";
  }
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg = gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  const bool ok = msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
  if (!ok) *why = msg ? "the pipeline failed" : "no end of stream within 60 s";
  if (msg) gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  return ok ? out.string() : "";
}

}  // namespace

TEST(MotionGating, StillClipStopsInferenceAndTheTrackerCarriesTheObject) {
  const fs::path dir = vigil::testing::tmpRoot("motion-gating");
  const std::string model = synthetic::writeSquareDetector((dir / "model").string());
  const std::string clip = (dir / "still.mp4").string();
  // A real H.264 clip of a still scene (x264's noise included): one square that never moves.
  synthetic::writeSquaresClip(clip, 640, 360, 150, 30, {synthetic::MovingSquare{200, 150, 0, 0, 64}});
  const RunResult gated = play(model, "file://" + clip, 0, motion::kDefaultSensitivity, 150);
  ASSERT_EQ(gated.frames.size(), 150u);
  int64_t inferredAfterFirst = 0, withSquare = 0;
  for (auto& [seq, s] : gated.frames) {
    if (seq > gated.frames.begin()->first && s.inferred) ++inferredAfterFirst;
    if (!s.boxes.empty()) ++withSquare;
  }
  std::printf(
      "[motion] still clip: %lld of 149 frames after the first inferred; stats: inferred %lld, gated %lld; square reported in %lld/150\n",
      static_cast<long long>(inferredAfterFirst), static_cast<long long>(gated.stats.framesInferred),
      static_cast<long long>(gated.stats.framesGated), static_cast<long long>(withSquare));
  EXPECT_LT(inferredAfterFirst * 100, 149 * 5) << "a still camera should be inferred in under 5 % of its frames";
  EXPECT_EQ(gated.stats.framesInferred + gated.stats.framesGated, gated.stats.framesProcessed) << "every frame is inferred or gated";
  EXPECT_GT(gated.stats.framesGated, 130);
  // The tracker carries the still square between inferences (it needs two detections to confirm it).
  EXPECT_GE(withSquare, 148);
}

TEST(MotionGating, VtestPersonsMatchUngatedWithinOnePercent) {
  const std::string manifestPath = shippedDefaultManifest();
  ASSERT_FALSE(manifestPath.empty()) << "the default detector is missing — it is generated by `node scripts/setup.mjs`; run that first";
  const std::string uri = vtestUri();
  ASSERT_FALSE(uri.empty()) << "vtest.avi is missing — install the opencv-doc Debian package";
  const ModelManifest m = loadManifest(manifestPath);
  const auto it = std::find(m.labels.begin(), m.labels.end(), "person");
  ASSERT_NE(it, m.labels.end());
  const int person = static_cast<int>(it - m.labels.begin());
  constexpr size_t kFrames = 200;
  const RunResult plain = play(manifestPath, uri, person, 0, kFrames);
  const RunResult gated = play(manifestPath, uri, person, motion::kDefaultSensitivity, kFrames);
  const auto [matched, total] = personRecall(plain, gated);
  const int64_t due = gated.stats.framesInferred + gated.stats.framesGated;
  std::printf("[motion] vtest %zu frames: recall of ungated persons %lld/%lld = %.2f %%; inferences saved %lld/%lld = %.1f %%\n", kFrames,
              static_cast<long long>(matched), static_cast<long long>(total), total ? 100.0 * matched / total : 0.0,
              static_cast<long long>(gated.stats.framesGated), static_cast<long long>(due),
              due ? 100.0 * gated.stats.framesGated / due : 0.0);
  ASSERT_GE(plain.frames.size(), kFrames);
  ASSERT_GE(gated.frames.size(), kFrames);
  ASSERT_GT(total, 500) << "vtest shows several pedestrians in most frames";
  EXPECT_GE(matched * 100, total * 99) << "gated recall of persons more than 1 % below ungated";
}

TEST(MotionGating, BadSensitivityIsRefusedBeforeTheSourceStarts) {
  const std::string model = synthetic::writeSquareDetector((vigil::testing::tmpRoot("motion-gating") / "model-bad").string());
  FrameCollector c(0);
  EngineConfig cfg;
  cfg.model = model;
  cfg.statsIntervalMs = 0;
  Engine engine(cfg, &c);
  SourceOptions o;
  o.motionSensitivity = 101;
  try {
    engine.addSource("cam", "test://smpte?live=false", o);
    ADD_FAILURE() << "sensitivity 101 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("motion sensitivity 101"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(engine.stats().empty()) << "no source was added";
  o.motionSensitivity = 1;
  engine.addSource("cam", "test://smpte?live=false", o);  // the id is still free
  EXPECT_EQ(engine.stats().size(), 1u);
  engine.stop();
}

TEST(MotionGating, StillPedestriansAreCarriedWhileInferenceStops) {
  const std::string manifestPath = shippedDefaultManifest();
  ASSERT_FALSE(manifestPath.empty()) << "the default detector is missing — it is generated by `node scripts/setup.mjs`; run that first";
  const std::string uri = vtestUri();
  ASSERT_FALSE(uri.empty()) << "vtest.avi is missing — install the opencv-doc Debian package";
  std::string why;
  const std::string clip = stillVtestClip(uri.substr(7), vigil::testing::tmpRoot("motion-gating") / "still-vtest.mp4", 100, &why);
  ASSERT_FALSE(clip.empty()) << "could not encode the still vtest clip: " << why;
  const ModelManifest m = loadManifest(manifestPath);
  const int person = static_cast<int>(std::find(m.labels.begin(), m.labels.end(), "person") - m.labels.begin());
  const RunResult plain = play(manifestPath, "file://" + clip, person, 0, 100);
  const RunResult gated = play(manifestPath, "file://" + clip, person, motion::kDefaultSensitivity, 100);
  const auto [matched, total] = personRecall(plain, gated);
  std::printf("[motion] still vtest frame, 100 frames: inferred %lld, gated %lld; recall of ungated persons %lld/%lld = %.2f %%\n",
              static_cast<long long>(gated.stats.framesInferred), static_cast<long long>(gated.stats.framesGated),
              static_cast<long long>(matched), static_cast<long long>(total), total ? 100.0 * matched / total : 0.0);
  ASSERT_GE(plain.frames.size(), 100u);
  ASSERT_GE(gated.frames.size(), 100u);
  ASSERT_GT(total, 100) << "the frame shows several pedestrians";
  EXPECT_LE(gated.stats.framesInferred, 6) << "the first frame and the hold";
  EXPECT_GE(matched * 100, total * 99) << "the tracker should carry the still pedestrians between inferences";
}
