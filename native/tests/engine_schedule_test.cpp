// The engine's scheduling (batcher, input buffers, inference threads, post-processing order) with its
// real stages and app-fed sources. The GPU is the one boundary that cannot run here: a test
// STAND-IN (DeviceStandIn) takes its place, with run times the test chooses.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "engine.h"
#include "inference.h"
#include "manifest.h"
#include "support/test_support.h"
#include "synthetic.h"

using namespace vigil;
using Clock = std::chrono::steady_clock;

namespace {

const std::string& squareModel() {
  static const std::string m = synthetic::writeSquareDetector((vigil::testing::tmpRoot("schedule") / "model").string());
  return m;
}

// STAND-IN for the GPU: runs take the time `runMs(call)` says, or wait for open() while held.
class TestGpu : public DeviceStandIn {
 public:
  std::function<int(int)> runMs = [](int) { return 1; };
  void preprocess(int) override {
    std::lock_guard lock(mu_);
    ++prepared_;
  }
  void infer(int, int) override {
    int call;
    {
      std::unique_lock lock(mu_);
      call = calls_++;
      opened_.wait(lock, [&] { return open_; });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(runMs(call)));
  }
  std::vector<Detection> detections(int64_t seq) const override { return {{{10.f + static_cast<float>(seq), 10.f, 20.f, 20.f}, 0, 0.9f}}; }
  void hold() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    opened_.notify_all();
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  int prepared() {  // batches letterboxed so far
    std::lock_guard lock(mu_);
    return prepared_;
  }

 private:
  std::mutex mu_;
  std::condition_variable opened_;
  bool open_ = true;
  int calls_ = 0, prepared_ = 0;
};

class Batches : public EngineListener {
 public:
  std::mutex mu;
  std::vector<std::vector<std::pair<std::string, int64_t>>> batches;  // per batch: camera, frame
  void onBatch(EngineBatch&& b) override {
    if (b.frames.empty()) return;
    std::lock_guard lock(mu);
    batches.emplace_back();
    for (auto& f : b.frames) batches.back().emplace_back(f.camera, f.frame);
  }
  size_t frames() {
    std::lock_guard lock(mu);
    size_t n = 0;
    for (auto& b : batches) n += b.size();
    return n;
  }
};

Frame frameAt(int64_t seq, Clock::time_point decodedAt) {
  Frame f;
  f.seq = seq;
  f.pts = static_cast<double>(seq) / 30;
  f.decodedAt = decodedAt;
  f.image.format = PixelFormat::Nv12;  // never read: the stand-in letterboxes nothing
  f.image.width = 640;
  f.image.height = 360;
  return f;
}

bool waitFor(const std::function<bool()>& pred, int seconds) {
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

EngineConfig config(std::shared_ptr<DeviceStandIn> gpu, int batch, int runs) {
  EngineConfig cfg;
  cfg.model = squareModel();
  cfg.batchSize = batch;
  cfg.snapshots = false;
  cfg.statsIntervalMs = 0;
  cfg.inferenceRuns = runs;
  cfg.liveQueueDepth = 64;  // nothing dropped: the tests count every frame
  cfg.deviceStandIn = std::move(gpu);
  return cfg;
}

}  // namespace

// Two runs in flight finish out of order (the first is slow); post-processing still delivers every
// camera's frames in order, each exactly once.
TEST(EngineSchedule, RunsInFlightFinishOutOfOrderButFramesArriveInOrder) {
  auto gpu = std::make_shared<TestGpu>();
  gpu->runMs = [](int call) { return call % 2 == 0 ? 30 : 1; };
  Batches out;
  Engine engine(config(gpu, 4, 2), &out);
  ASSERT_EQ(engine.inferenceRuns(), 2);
  std::vector<std::function<void(Frame &&)>> feeds;
  for (int c = 0; c < 3; ++c) feeds.push_back(engine.addFeed("cam" + std::to_string(c)));
  const int perCamera = 40;
  for (int i = 0; i < perCamera; ++i) {
    for (auto& feed : feeds) feed(frameAt(i, Clock::now()));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_TRUE(waitFor([&] { return out.frames() >= 3u * perCamera; }, 20)) << out.frames() << " frames delivered";
  engine.stop();
  std::map<std::string, std::vector<int64_t>> seen;
  {
    std::lock_guard lock(out.mu);
    for (auto& b : out.batches)
      for (auto& [camera, frame] : b) seen[camera].push_back(frame);
  }
  ASSERT_EQ(seen.size(), 3u);
  for (auto& [camera, frames] : seen) {
    ASSERT_EQ(frames.size(), static_cast<size_t>(perCamera)) << camera;
    for (int i = 0; i < perCamera; ++i) EXPECT_EQ(frames[static_cast<size_t>(i)], i) << camera;
  }
  EXPECT_GE(gpu->calls(), 3 * perCamera / 4);
}

// While inference is busy, frames wait; the next batch takes the oldest of them whichever camera
// they come from (not one camera after another).
TEST(EngineSchedule, NextBatchTakesTheOldestWaitingFrames) {
  auto gpu = std::make_shared<TestGpu>();
  Batches out;
  EngineConfig cfg = config(gpu, 2, 1);  // one run in flight, two input buffers
  cfg.pushWhenIdle = false;              // batches go full only: their contents do not depend on timing
  cfg.batchedPushTimeoutMs = 60000;
  Engine engine(cfg, &out);
  auto a = engine.addFeed("a"), b = engine.addFeed("b"), c = engine.addFeed("c");
  gpu->hold();
  const auto t0 = Clock::now();
  a(frameAt(0, t0));
  b(frameAt(0, t0));  // batch 1: held in inference
  ASSERT_TRUE(waitFor([&] { return gpu->calls() == 1; }, 10));
  a(frameAt(1, Clock::now()));
  b(frameAt(1, Clock::now()));  // batch 2: fills the second buffer and waits for inference
  ASSERT_TRUE(waitFor([&] { return gpu->prepared() == 2; }, 10));
  // Now the batcher waits for a buffer. Waiting frames, oldest first: c0, b2, a2, then c1.
  const auto ms = [&](int k) { return t0 + std::chrono::milliseconds(k); };
  a(frameAt(2, ms(30)));
  b(frameAt(2, ms(20)));
  c(frameAt(0, ms(10)));
  c(frameAt(1, ms(40)));
  gpu->open();
  ASSERT_TRUE(waitFor([&] { return out.frames() >= 8u; }, 10)) << out.frames();
  engine.stop();
  std::lock_guard lock(out.mu);
  ASSERT_GE(out.batches.size(), 4u);
  using F = std::pair<std::string, int64_t>;
  EXPECT_EQ(out.batches[2], (std::vector<F>{{"c", 0}, {"b", 2}}));
  EXPECT_EQ(out.batches[3], (std::vector<F>{{"a", 2}, {"c", 1}}));
}

// With pushWhenIdle a lone frame waits neither for a full batch nor for the push timeout when no run
// is in flight: it is inferred at once.
TEST(EngineSchedule, LoneFrameGoesAtOnceWhenNoRunIsInFlight) {
  auto gpu = std::make_shared<TestGpu>();
  Batches out;
  EngineConfig cfg = config(gpu, 8, 2);
  cfg.batchedPushTimeoutMs = 5000;
  cfg.pushWhenIdle = true;
  Engine engine(cfg, &out);
  auto feed = engine.addFeed("only");
  const auto t0 = Clock::now();
  feed(frameAt(0, t0));
  ASSERT_TRUE(waitFor([&] { return out.frames() >= 1u; }, 10));
  EXPECT_LT(Clock::now() - t0, std::chrono::milliseconds(2500)) << "the frame waited for the push timeout";
  engine.stop();
}

TEST(EngineSchedule, LiveQueueDropsTheOldestBeyondItsDepth) {
  auto gpu = std::make_shared<TestGpu>();
  Batches out;
  EngineConfig cfg = config(gpu, 1, 1);
  cfg.liveQueueDepth = 3;
  Engine engine(cfg, &out);
  EXPECT_EQ(engine.liveQueueDepth(), 3);
  auto feed = engine.addFeed("cam");
  gpu->hold();
  feed(frameAt(0, Clock::now()));
  ASSERT_TRUE(waitFor([&] { return gpu->calls() == 1; }, 10));
  feed(frameAt(1, Clock::now()));  // fills the second buffer, waits for inference
  ASSERT_TRUE(waitFor([&] { return gpu->prepared() == 2; }, 10));
  for (int i = 2; i < 8; ++i) feed(frameAt(i, Clock::now()));  // 6 frames into a queue of 3
  gpu->open();
  ASSERT_TRUE(waitFor([&] { return out.frames() >= 5u; }, 10)) << out.frames();
  int64_t dropped = 0;
  for (auto& s : engine.stats()) dropped += s.droppedFrames;
  engine.stop();
  std::vector<int64_t> frames;
  {
    std::lock_guard lock(out.mu);
    for (auto& b : out.batches)
      for (auto& f : b) frames.push_back(f.second);
  }
  EXPECT_EQ(frames, (std::vector<int64_t>{0, 1, 5, 6, 7}));
  EXPECT_EQ(dropped, 3);
}

// InferenceSession::infer from several threads at once (the engine's runs in flight): each call's
// outputs are its own and say what the input holds.
TEST(EngineSchedule, SessionInferFromSeveralThreadsKeepsEachRunsOutputs) {
  InferenceSession s(loadManifest(squareModel()), {1, 1, false, {}});
  const size_t floats = s.imageFloats();
  const int side = s.manifest().input.width;
  // Two inputs: a square at (48, 96) and at (160, 32); the network input is side × side, NCHW.
  std::vector<std::vector<float>> inputs(2, std::vector<float>(floats, 0.f));
  const int at[2][2] = {{48, 96}, {160, 32}};
  for (int k = 0; k < 2; ++k)
    for (int c = 0; c < 3; ++c)
      for (int y = at[k][1]; y < at[k][1] + 32; ++y)
        for (int x = at[k][0]; x < at[k][0] + 32; ++x) inputs[k][static_cast<size_t>((c * side + y) * side + x)] = 1.f;
  std::vector<std::thread> threads;
  std::vector<std::vector<Box>> found(8);
  for (size_t t = 0; t < found.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        InferenceOutputs out = s.infer(1, inputs[t % 2].data());
        for (auto& d : s.detections(out, 0)) found[t].push_back(d.box);
      }
    });
  for (auto& th : threads) th.join();
  for (size_t t = 0; t < found.size(); ++t) {
    ASSERT_EQ(found[t].size(), 10u) << "thread " << t;
    for (auto& b : found[t]) {
      EXPECT_NEAR(b.x, at[t % 2][0], 0.5) << "thread " << t;
      EXPECT_NEAR(b.y, at[t % 2][1], 0.5) << "thread " << t;
    }
  }
}
