// `vigil-engine schedule`: the engine's real-time scheduling without a GPU. N synthetic cameras push
// frames at their frame rate (real timers, random phases) into the engine's own live queues; the
// engine's own batcher, input buffers, inference threads, post-processing and trackers run as in the
// app. Only the GPU boundary is a STAND-IN (vigil::DeviceStandIn): the CUDA letterbox and the session
// run become waits of a cost model measured on the GPU machine, and the detections are made up.
#include "schedule_bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <queue>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "device_stand_in.h"
#include "engine.h"
#include "manifest.h"
#include "synthetic.h"

namespace vigil::cli {
namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::duration<double, std::milli>;

struct CostModel {
  // One session run alone: t(B) = a + b·B ms, B the shape run (the engine's batch on the CUDA device
  // path, which always runs the full batch). Of that, hostMs keeps the GPU idle (kernel launches,
  // the output copy, synchronisation): two runs in flight overlap it; the rest holds the GPU.
  // Defaults: NanoDet FP16 on the H200 (README, d224ebc): bare ONNX Runtime batch 1 2.39 ms and batch
  // 32 8.19 ms give a = 2.2; the engine's own batch of 32 as fast as 32 streams decode (3,707 fps:
  // 8.63 ms, NVDEC and the letterbox sharing the GPU) gives b = 0.201; NVML's 82-84 % busy at that
  // saturation gives hostMs = 1.4; runs vary by ±10 %.
  double a = 2.2, b = 0.201, hostMs = 1.4;
  double preA = 0.05, preB = 0.002;  // the CUDA letterbox kernel + stream synchronisation, ms
  double spread = 0.1;               // each run's GPU time × (1 + spread·u), u uniform in [-1, 1]
  int boxes = 6;                     // detections per frame (NanoDet on vtest: 5.65 persons per frame)
};

// STAND-IN for the GPU (see device_stand_in.h): one device that runs one session run's kernels at a time.
class ModelledGpu : public DeviceStandIn {
 public:
  ModelledGpu(CostModel m, int netW, int netH) : m_(m), netW_(netW), netH_(netH) {}
  void preprocess(int count) override { sleepUntil(Clock::now() + dur(m_.preA + m_.preB * count)); }
  // The device as a timeline: a run's kernels start once it has launched and the previous run's
  // kernels are done, so the modelled GPU time is exact even when this machine wakes a thread late;
  // the thread returns after the output copy that follows its kernels.
  void infer(int count, int batch) override {
    (void)count;  // the full shape runs whatever the frame count
    const auto called = Clock::now();
    const double total = m_.a + m_.b * batch;
    const double host = std::min(m_.hostMs, total);
    double gpu = total - host;
    Clock::time_point end;
    {
      std::lock_guard lock(mu_);
      if (m_.spread > 0) gpu *= 1 + m_.spread * std::uniform_real_distribution<double>(-1, 1)(rng_);
      const auto start = std::max(called + dur(host / 2), gpuFreeAt_);  // launches, then the kernels in turn
      end = start + dur(gpu);
      gpuFreeAt_ = end;
      busy_ += gpu;
      ++runs_;
    }
    sleepUntil(end + dur(host / 2));  // output copy, synchronisation
  }
  std::vector<Detection> detections(int64_t seq) const override {
    std::vector<Detection> out;
    for (int k = 0; k < m_.boxes; ++k) {
      const float x = static_cast<float>(std::fmod(20.0 + 60.0 * k + 1.5 * static_cast<double>(seq), netW_ - 40.0));
      const float y = static_cast<float>(std::fmod(30.0 + 50.0 * k, std::max(1.0, netH_ - 60.0)));
      out.push_back({{x, y, 30.f, 60.f}, 0, 0.8f});
    }
    return out;
  }
  // GPU time given to runs so far (ms; the last run may still be under way), and runs started.
  double busyMs() const {
    std::lock_guard lock(mu_);
    return busy_;
  }
  int64_t runs() const {
    std::lock_guard lock(mu_);
    return runs_;
  }

 private:
  static Clock::duration dur(double ms) { return std::chrono::duration_cast<Clock::duration>(Ms(ms)); }
  static void sleepUntil(Clock::time_point t) { std::this_thread::sleep_until(t); }
  CostModel m_;
  int netW_, netH_;
  mutable std::mutex mu_;
  std::mt19937 rng_{7};
  Clock::time_point gpuFreeAt_{};
  double busy_ = 0;
  int64_t runs_ = 0;
};

class Listener : public EngineListener {
 public:
  std::mutex mu;
  bool measuring = false;
  std::vector<double> latency;
  void onBatch(EngineBatch&& b) override {
    std::lock_guard lock(mu);
    if (!measuring) return;
    for (auto& f : b.frames) latency.push_back(f.latencyMs);
  }
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// N cameras at `fps`: frame k of camera i is due at phase_i + k/fps; a decoder's delivery comes late by
// an exponential delay of mean jitterMs (never before the camera's previous frame).
class Cameras {
 public:
  Cameras(std::vector<std::function<void(Frame&&)>> feeds, double fps, double jitterMs)
      : feeds_(std::move(feeds)), fps_(fps), jitterMs_(jitterMs), thread_([this] { loop(); }) {}
  ~Cameras() {
    stop_ = true;
    thread_.join();
  }

 private:
  void loop() {
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> phase(0, 1000.0 / fps_);
    std::exponential_distribution<double> late(jitterMs_ > 0 ? 1.0 / jitterMs_ : 1.0);
    const auto start = Clock::now();
    const size_t n = feeds_.size();
    std::vector<double> phaseMs(n), lastMs(n, 0);
    std::vector<int64_t> seq(n, 0);
    using Due = std::pair<double, size_t>;  // delivery time (ms since start), camera
    std::priority_queue<Due, std::vector<Due>, std::greater<>> due;
    for (size_t i = 0; i < n; ++i) {
      phaseMs[i] = phase(rng);
      due.push({phaseMs[i], i});
    }
    while (!stop_) {
      auto [at, i] = due.top();
      due.pop();
      std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(Ms(at)));
      Frame f;
      f.seq = seq[i];
      f.pts = static_cast<double>(seq[i]) / fps_;
      f.decodedAt = Clock::now();
      f.wallMs = wallNowMs();
      f.image.format = PixelFormat::Nv12;  // 1080p NVDEC frames; the stand-in never reads the pixels
      f.image.width = 1920;
      f.image.height = 1080;
      f.image.onDevice = true;
      feeds_[i](std::move(f));
      ++seq[i];
      lastMs[i] = at;
      double next = phaseMs[i] + static_cast<double>(seq[i]) * 1000.0 / fps_;
      if (jitterMs_ > 0) next += late(rng);
      due.push({std::max(next, lastMs[i]), i});
    }
  }
  static int64_t wallNowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  std::vector<std::function<void(Frame&&)>> feeds_;
  double fps_, jitterMs_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct Options {
  std::vector<int> streams{96, 120, 128};
  int seconds = 10, batch = 32, runs = 0, liveQueue = 0, pushTimeout = 40;
  int pushWhenIdle = 0;
  double fps = 30, jitterMs = 0;
  bool json = false;
  std::string model;
  CostModel cost;
};

bool parse(int argc, char** argv, Options* o) {
  for (int i = 2; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--json") {
      o->json = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "vigil-engine schedule: %s needs a value\n", k.c_str());
      return false;
    }
    const std::string v = argv[++i];
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    const bool number = end && *end == '\0' && !v.empty() && std::isfinite(d) && d >= 0;
    auto need = [&](bool ok) {
      if (!ok) std::fprintf(stderr, "vigil-engine schedule: %s takes a number >= 0, not '%s'\n", k.c_str(), v.c_str());
      return ok;
    };
    if (k == "--streams") {
      o->streams.clear();
      std::istringstream in(v);
      for (std::string w; in >> w;) {
        const int n = std::atoi(w.c_str());
        if (n < 1 || n > 4096) {
          std::fprintf(stderr, "vigil-engine schedule: --streams takes counts 1..4096 (\"96 120 128\"), not '%s'\n", w.c_str());
          return false;
        }
        o->streams.push_back(n);
      }
      if (o->streams.empty()) return need(false);
    } else if (k == "--model") {
      o->model = v;
    } else if (!need(number)) {
      return false;
    } else if (k == "--seconds") {
      o->seconds = std::max(1, static_cast<int>(d));
    } else if (k == "--batch") {
      o->batch = std::max(1, static_cast<int>(d));
    } else if (k == "--fps") {
      o->fps = std::max(1.0, d);
    } else if (k == "--runs") {
      o->runs = static_cast<int>(d);
    } else if (k == "--live-queue") {
      o->liveQueue = static_cast<int>(d);
    } else if (k == "--push-timeout") {
      o->pushTimeout = std::max(1, static_cast<int>(d));
    } else if (k == "--push-when-idle") {
      o->pushWhenIdle = d != 0;
    } else if (k == "--jitter-ms") {
      o->jitterMs = d;
    } else if (k == "--cost-a") {
      o->cost.a = d;
    } else if (k == "--cost-b") {
      o->cost.b = d;
    } else if (k == "--host-ms") {
      o->cost.hostMs = d;
    } else if (k == "--spread") {
      o->cost.spread = std::min(1.0, d);
    } else if (k == "--boxes") {
      o->cost.boxes = static_cast<int>(d);
    } else {
      std::fprintf(stderr, "vigil-engine schedule: unknown option '%s'\n", k.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int scheduleBench(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, &o)) return 2;
  std::string model = o.model;
  try {
    if (model.empty()) model = shippedDefaultManifest();
    if (model.empty()) {
      const auto dir = std::filesystem::temp_directory_path() / "vigil-schedule-model";
      std::filesystem::create_directories(dir);
      model = synthetic::writeSquareDetector(dir.string());
    }
    model = resolveManifest(model);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  const CostModel& c = o.cost;
  std::printf(
      "STAND-IN GPU (the boundary that cannot run here): a session run of shape B takes %.3f + %.3f·B ms (%.1f ms at B=%d; %.2f ms "
      "of it host-side, GPU idle), letterbox %.3f + %.4f·n ms, run-time spread ±%.0f%%; cameras %.0f fps, decode jitter %.1f ms (mean). "
      "Real: the engine's live queues, batcher, buffers, inference threads, post-processing, trackers.\n",
      c.a, c.b, c.a + c.b * o.batch, o.batch, c.hostMs, c.preA, c.preB, c.spread * 100, o.fps, o.jitterMs);
  for (int n : o.streams) {
    Listener listener;
    EngineConfig cfg;
    cfg.model = model;
    cfg.batchSize = o.batch;
    cfg.batchedPushTimeoutMs = o.pushTimeout;
    cfg.snapshots = false;
    cfg.statsIntervalMs = 0;
    cfg.inferenceRuns = o.runs;
    cfg.liveQueueDepth = o.liveQueue;
    cfg.pushWhenIdle = o.pushWhenIdle != 0;
    cfg.warmBatchShapes = WarmShapes::Never;
    std::shared_ptr<ModelledGpu> gpu;
    std::unique_ptr<Engine> engine;
    try {
      const ModelManifest m = loadManifest(model);
      gpu = std::make_shared<ModelledGpu>(c, m.input.width, m.input.height);
      cfg.deviceStandIn = gpu;
      engine = std::make_unique<Engine>(cfg, &listener);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      return 1;
    }
    std::vector<std::function<void(Frame &&)>> feeds;
    for (int i = 0; i < n; ++i) feeds.push_back(engine->addFeed(std::to_string(i)));
    std::unique_ptr<Cameras> cams = std::make_unique<Cameras>(std::move(feeds), o.fps, o.jitterMs);
    std::this_thread::sleep_for(std::chrono::seconds(2));  // queues and trackers settle
    auto counters = [&] {
      std::map<std::string, std::pair<int64_t, int64_t>> m;  // inferred, dropped
      for (auto& s : engine->stats()) m[s.camera] = {s.framesInferred, s.droppedFrames};
      return m;
    };
    const auto before = counters();
    const double busy0 = gpu->busyMs();
    const int64_t runs0 = gpu->runs();
    {
      std::lock_guard lock(listener.mu);
      listener.measuring = true;
    }
    const auto t0 = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(o.seconds));
    std::vector<double> lat;
    {
      std::lock_guard lock(listener.mu);
      listener.measuring = false;
      lat = listener.latency;
    }
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    const auto after = counters();
    const double busy = (gpu->busyMs() - busy0) / (wall * 1000.0);
    const int64_t runs = gpu->runs() - runs0;
    cams.reset();
    const auto st = engine->stageTimes();
    const double nb = std::max<double>(1, static_cast<double>(st.batches));
    std::printf(
        "  per batch (mean of %lld, whole run): letterbox %.2f ms | inference %.2f ms | post: parse+track %.2f ms, deliver %.2f ms\n",
        static_cast<long long>(st.batches), st.preprocess / nb, st.infer / nb, st.post / nb, st.deliver / nb);
    const int inferenceRuns = engine->inferenceRuns(), liveDepth = engine->liveQueueDepth();
    engine->stop();
    double slowest = 1e9, total = 0;
    int64_t dropped = 0;
    for (auto& [id, v] : after) {
      const auto& b = before.count(id) ? before.at(id) : std::pair<int64_t, int64_t>{0, 0};
      const double fps = static_cast<double>(v.first - b.first) / wall;
      slowest = std::min(slowest, fps);
      total += fps;
      dropped += v.second - b.second;
    }
    const double p50 = percentile(lat, 0.5), p95 = percentile(lat, 0.95), p99 = percentile(lat, 0.99);
    const double perRun = runs > 0 ? total * wall / static_cast<double>(runs) : 0;
    const bool held = slowest >= o.fps * 0.99;
    std::printf(
        "streams %d (stand-in GPU): inferred %.0f fps in all, slowest stream %.2f fps%s, dropped %lld in %.1f s, latency p50 %.1f p95 %.1f p99 "
        "%.1f ms, GPU busy %.0f%% (modelled), %.1f runs/s of %.1f frames (batch %d, %d in flight, live queue %d, push when idle %s)\n",
        n, total, slowest, held ? " (held)" : " (NOT held)", static_cast<long long>(dropped), wall, p50, p95, p99, busy * 100,
        static_cast<double>(runs) / wall, perRun, o.batch, inferenceRuns, liveDepth, o.pushWhenIdle ? "on" : "off");
    if (o.json)
      std::printf(
          "{\"stand_in\":\"gpu\",\"streams\":%d,\"e2e_fps\":%.2f,\"min_stream_fps\":%.2f,\"dropped\":%lld,\"seconds\":%.2f,\"p50_ms\":%.2f,"
          "\"p95_ms\":%.2f,\"p99_ms\":%.2f,\"gpu_busy_percent\":%.1f,\"runs_per_s\":%.2f,\"frames_per_run\":%.2f,\"batch\":%d,"
          "\"inference_runs\":%d,\"live_queue\":%d,\"push_when_idle\":%s,\"cost\":{\"a\":%.3f,\"b\":%.4f,\"host_ms\":%.3f,\"spread\":%.3f},"
          "\"jitter_ms\":%.2f}\n",
          n, total, slowest, static_cast<long long>(dropped), wall, p50, p95, p99, busy * 100, static_cast<double>(runs) / wall, perRun,
          o.batch, inferenceRuns, liveDepth, o.pushWhenIdle ? "true" : "false", c.a, c.b, c.hostMs, c.spread, o.jitterMs);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace vigil::cli
