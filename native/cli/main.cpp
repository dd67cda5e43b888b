// vigil-engine: the headless engine, Vigil's deepstream-app.
#include <dlfcn.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "cuda/gpu_preprocess.h"
#include "engine.h"
#include "engine_info.h"
#include "inference.h"
#include "motion/motion.h"
#include "schedule_bench.h"
#include "synthetic.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
std::atomic<bool> gInterrupted{false};

int usage(FILE* out) {
  const std::string trackers = [] {
    std::string s;
    for (const std::string& t : vigil::trackerNames()) s += (s.empty() ? "" : "|") + t;
    return s;
  }();
  std::fprintf(
      out,
      "usage: vigil-engine info\n"
      "       vigil-engine run URI... [--model NAME|MANIFEST] [--tracker %s] [--frames N] [--json] [--analytics ZONES.json]\n"
      "                        [--batch N] [--interval N] [--detect-fps F] [--motion[=SENS]] [--loop] [--realtime] [--perf-seconds S]\n"
      "                        [--retries N]   (--motion: skip inference while a camera is still; SENS 1..100, default 50)\n"
      "       vigil-engine bench [--streams N] [--uri URI] [--seconds S] [--model NAME|MANIFEST] [--batch N] [--realtime] [--preview-fps N] [--json]\n"
      "                          [--warm gpu|always|never]   (run each batch shape once at start; default gpu: on GPU providers)\n"
      "                          [--record DIR [--segment-seconds S]]   (each stream also records its video into DIR/N/)\n"
      "                          [--runs N] [--live-queue N] [--push-when-idle 0|1]   (scheduling: runs in flight, frames a live\n"
      "                          source may have waiting, partial batches when no run is in flight; 0: the engine's defaults)\n"
      "       vigil-engine schedule [--streams \"96 120 128\"] [--seconds S] [--batch N] [--runs N] [--live-queue N] [--push-when-idle 0|1]\n"
      "                             [--push-timeout MS] [--cost-a MS] [--cost-b MS] [--host-ms MS] [--spread F] [--jitter-ms MS] [--json]\n"
      "                             (real-time scheduling against a STAND-IN GPU cost model; the rest of the engine is real)\n"
      "       vigil-engine export JOB.json   (recorded segments into one MP4, boxes burnt in or not; JSON lines out)\n"
      "       vigil-engine fixtures DIR   (writes the generated test model and clip, prints their description)\n"
      "       vigil-engine --help\n"
      "URIs: file:///path, rtsp://[user:pass@]host/path, http(s)://..., v4l2:///dev/videoN,\n"
      "      test://PATTERN?width=W&height=H&fps=F[&live=false]\n",
      trackers.c_str());
  return out == stderr ? 2 : 0;
}

bool isHelp(const std::string& a) { return a == "-h" || a == "--help" || a == "help"; }

int info() {
  vigil::EngineInfo e = vigil::queryEngineInfo();
  std::printf("vigil-engine %s\nGStreamer: %s\nONNX Runtime: %s\nexecution providers:", e.engineVersion.c_str(), e.gstreamerVersion.c_str(),
              e.onnxRuntimeVersion.c_str());
  for (auto& p : e.executionProviders) std::printf(" %s", p.c_str());
  std::printf("\nselectable execution providers:");
  for (auto& p : vigil::selectableProviders()) std::printf(" %s", p.c_str());
  std::printf("\nNVIDIA GPU: %s", e.gpuName.empty() ? "none found (inference runs on the CPU)" : e.gpuName.c_str());
  std::printf("\nhardware decoders:");
  if (e.hardwareDecoders.empty()) std::printf(" none");
  for (auto& d : e.hardwareDecoders) std::printf(" %s", d.c_str());
  std::string why;
  // Used when a session runs on the CUDA provider; otherwise frames are letterboxed on the CPU.
  const bool gpuPre = vigil::gpu::gpuPreprocessAvailable(&why);
  std::printf("\nCUDA pre-processing: %s%s\n", gpuPre ? "available" : "unavailable: ", why.c_str());
  return 0;
}

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> opts;
  bool has(const std::string& k) const { return opts.count(k) > 0; }
  std::string get(const std::string& k, const std::string& def = "") const {
    auto it = opts.find(k);
    return it == opts.end() ? def : it->second;
  }
};

// `optional`: flags that may take a value with '=' (--motion or --motion=70); a bare one is "".
bool parseArgs(int argc, char** argv, int first, const std::vector<std::string>& flags, const std::vector<std::string>& valued, Args* out,
               const std::vector<std::string>& optional = {}) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      std::string k = a.substr(2), v;
      auto eq = k.find('=');
      if (eq != std::string::npos) {
        v = k.substr(eq + 1);
        k = k.substr(0, eq);
      }
      if (std::find(optional.begin(), optional.end(), k) != optional.end()) {
        out->opts[k] = v;
      } else if (std::find(flags.begin(), flags.end(), k) != flags.end()) {
        out->opts[k] = "1";
      } else if (std::find(valued.begin(), valued.end(), k) != valued.end()) {
        if (eq == std::string::npos) {
          if (i + 1 >= argc) {
            std::fprintf(stderr, "vigil-engine: --%s needs a value\n", k.c_str());
            return false;
          }
          v = argv[++i];
        }
        out->opts[k] = v;
      } else {
        std::fprintf(stderr, "vigil-engine: unknown option --%s\n", k.c_str());
        return false;
      }
    } else {
      out->positional.push_back(a);
    }
  }
  return true;
}

bool intOpt(const Args& a, const std::string& k, int def, int min, int* out) {
  if (!a.has(k)) {
    *out = def;
    return true;
  }
  try {
    size_t used = 0;
    *out = std::stoi(a.get(k), &used);
    if (used == a.get(k).size() && *out >= min) return true;
  } catch (...) {
  }
  std::fprintf(stderr, "vigil-engine: --%s must be an integer >= %d, not '%s'\n", k.c_str(), min, a.get(k).c_str());
  return false;
}

// Generated models and clips live in temporary folders removed when the command ends.
struct ScratchDirs {
  std::vector<fs::path> dirs;
  ~ScratchDirs() {
    std::error_code ec;
    for (auto& d : dirs) fs::remove_all(d, ec);
  }
} gScratch;

fs::path scratchDir(const char* what) {
  fs::path d = fs::temp_directory_path() / ("vigil-engine-" + std::string(what) + "-" + std::to_string(getpid()));
  fs::create_directories(d);
  gScratch.dirs.push_back(d);
  return d;
}

// The shipped default detector (made at set-up); without it, the generated square detector.
std::string defaultModel(int workLayers) {
  std::string shipped = vigil::shippedDefaultManifest();
  if (!shipped.empty()) {
    std::fprintf(stderr, "vigil-engine: no --model given; using the default detector %s\n", shipped.c_str());
    return shipped;
  }
  vigil::synthetic::SquareDetectorSpec spec;
  spec.workLayers = workLayers;
  std::string m = vigil::synthetic::writeSquareDetector(scratchDir("model").string(), spec);
  std::fprintf(stderr, "vigil-engine: no --model given; using the generated square detector %s\n", m.c_str());
  return m;
}

std::string boxJson(const vigil::Box& b) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "[%.1f,%.1f,%.1f,%.1f]", b.x, b.y, b.w, b.h);
  return buf;
}

// A frame's analytics as JSON members: ,"events":[{kind, zone, track, label, direction}],"counts":[...].
std::string analyticsJson(const vigil::EngineFrame& f) {
  using vigil::analytics::Crossing;
  nlohmann::json events = nlohmann::json::array(), counts = nlohmann::json::array();
  for (auto& e : f.analytics) {
    nlohmann::json o = {{"kind", vigil::analytics::eventKindName(e.kind)}, {"zone", e.zone}};
    if (e.track >= 0) o["track"] = e.track, o["label"] = e.label;
    if (e.direction != Crossing::None) o["direction"] = e.direction == Crossing::In ? "in" : "out";
    events.push_back(std::move(o));
  }
  for (auto& c : f.counts) {
    nlohmann::json o = {{"zone", c.zone}}, labels = nlohmann::json::object();
    if (c.kind == vigil::analytics::RegionKind::Line) {
      o["kind"] = "line", o["in"] = c.in, o["out"] = c.out;
      for (auto& l : c.labels) labels[l.label] = {{"in", l.in}, {"out", l.out}};
    } else {
      o["kind"] = "zone", o["inside"] = c.inside, o["crowded"] = c.crowded;
      for (auto& l : c.labels) labels[l.label] = l.inside;
    }
    o["labels"] = std::move(labels);
    counts.push_back(std::move(o));
  }
  return ",\"events\":" + events.dump() + ",\"counts\":" + counts.dump();
}

class RunListener : public vigil::EngineListener {
 public:
  std::mutex mu;
  bool json = false;
  bool analytics = false;  // --analytics: each line gets "events" and "counts"
  int64_t frameLimit = 0;
  std::map<std::string, int> index;
  std::vector<std::string> labels;
  std::map<std::string, int64_t> printed;
  std::atomic<bool> failed{false};
  void onBatch(vigil::EngineBatch&& b) override {
    std::lock_guard lock(mu);
    for (auto& f : b.frames) {
      int64_t& n = printed[f.camera];
      if (frameLimit > 0 && n >= frameLimit) continue;
      ++n;
      if (!json) continue;
      std::string line = "{\"source\":" + std::to_string(index[f.camera]) + ",\"frame\":" + std::to_string(f.frame) + ",\"pts\":";
      char pts[32];
      std::snprintf(pts, sizeof pts, "%.3f", f.pts);
      line += pts;
      line += ",\"objects\":[";
      for (size_t i = 0; i < f.objects.size(); ++i) {
        auto& o = f.objects[i];
        char score[32];
        std::snprintf(score, sizeof score, "%.3f", o.score);
        std::string label =
            o.classId >= 0 && static_cast<size_t>(o.classId) < labels.size() ? labels[size_t(o.classId)] : std::to_string(o.classId);
        if (i) line += ',';
        line += "{\"track\":";
        line += std::to_string(o.track);
        line += ",\"label\":";
        line += nlohmann::json(label).dump();
        line += ",\"score\":";
        line += score;
        line += ",\"box\":";
        line += boxJson(o.box);
        line += '}';
      }
      line += ']';
      if (analytics) line += analyticsJson(f);
      line += "}\n";
      std::fputs(line.c_str(), stdout);
    }
    if (json) std::fflush(stdout);
  }
  void onSourceError(const std::string& camera, const std::string& message) override {
    failed = true;
    std::fprintf(stderr, "error: source %d: %s\n", index.count(camera) ? index[camera] : -1, message.c_str());
  }
  bool allReached() {
    std::lock_guard lock(mu);
    if (frameLimit <= 0) return false;
    for (auto& [cam, i] : index)
      if (printed[cam] < frameLimit) return false;
    return true;
  }
};

// Motion gating's part of a **PERF entry: inferences run and saved (gated) so far, and the share saved.
std::string motionSaving(const vigil::EngineStreamStats& s) {
  const int64_t due = s.framesInferred + s.framesGated;
  char buf[128];
  std::snprintf(buf, sizeof buf, " inferred %lld gated %lld (%.1f %% saved)", static_cast<long long>(s.framesInferred),
                static_cast<long long>(s.framesGated), due > 0 ? 100.0 * s.framesGated / due : 0.0);
  return buf;
}

int run(int argc, char** argv) {
  Args a;
  if (!parseArgs(argc, argv, 2, {"json", "loop", "realtime"},
                 {"model", "tracker", "frames", "batch", "interval", "detect-fps", "perf-seconds", "retries", "analytics"}, &a, {"motion"}))
    return usage(stderr);
  if (a.positional.empty()) {
    std::fprintf(stderr, "vigil-engine run: give at least one URI\n");
    return usage(stderr);
  }
  vigil::EngineConfig cfg;
  int frames = 0, perfSeconds = 5, batch = 0;
  if (!intOpt(a, "frames", 0, 1, &frames) || !intOpt(a, "batch", 0, 1, &batch) || !intOpt(a, "interval", 0, 0, &cfg.interval) ||
      !intOpt(a, "perf-seconds", 5, 1, &perfSeconds))
    return 2;
  cfg.batchSize = batch > 0 ? batch : static_cast<int>(std::min<size_t>(a.positional.size(), 8));
  if (a.has("tracker") && !vigil::parseTrackerKind(a.get("tracker"), &cfg.tracker)) {
    std::fprintf(stderr, "vigil-engine: unknown tracker '%s' — use %s\n", a.get("tracker").c_str(),
                 vigil::joinNames(vigil::trackerNames()).c_str());
    return 2;
  }
  std::shared_ptr<const vigil::analytics::Config> zones;
  if (a.has("analytics")) {
    std::ifstream in(a.get("analytics"));
    if (!in) {
      std::fprintf(stderr, "vigil-engine: --analytics: cannot read '%s' — give a JSON file with the camera's zones\n",
                   a.get("analytics").c_str());
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    try {
      zones = std::make_shared<vigil::analytics::Config>(vigil::analytics::parseConfig(text.str()));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "vigil-engine: --analytics %s: %s\n", a.get("analytics").c_str(), e.what());
      return 2;
    }
  }
  int motionSensitivity = 0;  // --motion: gating on (checked before the model loads)
  if (a.has("motion")) {
    motionSensitivity = vigil::motion::kDefaultSensitivity;
    if (!a.get("motion").empty() && !intOpt(a, "motion", 0, vigil::motion::kMinSensitivity, &motionSensitivity)) return 2;
    if (motionSensitivity > vigil::motion::kMaxSensitivity) {
      std::fprintf(stderr, "vigil-engine: --motion must be a sensitivity from %d to %d, not '%s'\n", vigil::motion::kMinSensitivity,
                   vigil::motion::kMaxSensitivity, a.get("motion").c_str());
      return 2;
    }
  }
  cfg.snapshots = false;
  cfg.statsIntervalMs = 0;
  RunListener listener;
  listener.analytics = zones != nullptr;
  listener.json = a.has("json");
  listener.frameLimit = frames;
  std::unique_ptr<vigil::Engine> engine;
  try {
    cfg.model = a.has("model") ? a.get("model") : defaultModel(0);
    engine = std::make_unique<vigil::Engine>(cfg, &listener);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  listener.labels = engine->manifest().labels;
  if (!engine->providerNote().empty()) std::fprintf(stderr, "warning: %s\n", engine->providerNote().c_str());
  std::fprintf(stderr, "vigil-engine: model '%s'%s on %s, batch %d, tracker %s, preprocess %s%s%s\n", engine->manifest().name.c_str(),
               engine->modelFile() == engine->manifest().modelFile ? "" : " (FP16 variant)", engine->provider().c_str(),
               engine->batchSize(), vigil::trackerName(cfg.tracker), engine->preprocessPath(),
               engine->preprocessNote().empty() ? "" : " — ", engine->preprocessNote().c_str());
  for (size_t i = 0; i < a.positional.size(); ++i) {
    std::lock_guard lock(listener.mu);
    listener.index[std::to_string(i)] = static_cast<int>(i);
  }
  vigil::SourceOptions so;
  so.loop = a.has("loop");
  so.realtime = a.has("realtime");
  so.motionSensitivity = motionSensitivity;
  if (!intOpt(a, "retries", 3, -1, &so.maxRetries)) return 2;
  if (a.has("detect-fps")) {
    char* end = nullptr;
    so.detectFps = std::strtod(a.get("detect-fps").c_str(), &end);
    if (a.get("detect-fps").empty() || *end != '\0' || so.detectFps < 0) {
      std::fprintf(stderr, "vigil-engine: --detect-fps must be a number >= 0 (0: every frame), not '%s'\n", a.get("detect-fps").c_str());
      return 2;
    }
  }
  try {
    for (size_t i = 0; i < a.positional.size(); ++i) engine->addSource(std::to_string(i), a.positional[i], so, zones);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "vigil-engine: --analytics %s: %s\n", a.get("analytics").c_str(), e.what());
    engine->stop();
    return 2;
  }
  std::signal(SIGINT, [](int) { gInterrupted = true; });
  std::signal(SIGTERM, [](int) { gInterrupted = true; });
  FILE* perf = listener.json ? stderr : stdout;
  auto lastPerf = Clock::now();
  std::map<std::string, int64_t> lastCount;
  const auto start = Clock::now();
  while (!gInterrupted && !listener.allReached() && !engine->idle()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (Clock::now() - lastPerf >= std::chrono::seconds(perfSeconds)) {
      double secs = std::chrono::duration<double>(Clock::now() - lastPerf).count();
      double total = std::chrono::duration<double>(Clock::now() - start).count();
      lastPerf = Clock::now();
      std::string line = "**PERF:";
      for (auto& s : engine->stats()) {
        char buf[128];
        std::snprintf(buf, sizeof buf, "  src%s %.2f (%.2f) decoded %.1f dropped %lld", s.camera.c_str(),
                      (s.framesProcessed - lastCount[s.camera]) / secs, s.framesProcessed / total, s.decodeFps,
                      static_cast<long long>(s.droppedFrames));
        line += buf;
        if (so.motionSensitivity > 0) line += motionSaving(s);
        lastCount[s.camera] = s.framesProcessed;
      }
      std::fprintf(perf, "%s\n", line.c_str());
      std::fflush(perf);
    }
  }
  if (so.motionSensitivity > 0) {  // the run's total, for benchmarks and scripts
    std::string line = "**MOTION:";
    for (auto& s : engine->stats()) line += "  src" + s.camera + motionSaving(s);
    std::fprintf(perf, "%s\n", line.c_str());
  }
  engine->stop();
  return listener.failed ? 1 : 0;
}

// ---- bench ----
class BenchListener : public vigil::EngineListener {
 public:
  std::mutex mu;
  bool measuring = false;
  int64_t inferred = 0, processed = 0;
  std::vector<double> latency;
  int width = 0, height = 0;  // of the streams' frames
  std::atomic<bool> failed{false};
  int64_t segments = 0, segmentBytes = 0;  // recording (--record): segments closed while measuring
  double segmentSeconds = 0;
  void onSegment(vigil::SegmentInfo&& s) override {
    std::lock_guard lock(mu);
    if (!measuring) return;
    segments++;
    segmentBytes += s.bytes;
    segmentSeconds += s.durationSeconds;
  }
  void onBatch(vigil::EngineBatch&& b) override {
    std::lock_guard lock(mu);
    if (!b.frames.empty()) {
      width = b.frames[0].width;
      height = b.frames[0].height;
    }
    if (!measuring) return;
    for (auto& f : b.frames) {
      processed++;
      if (f.inferred) inferred++;
      latency.push_back(f.latencyMs);
    }
  }
  void onSourceError(const std::string& camera, const std::string& message) override {
    failed = true;
    std::fprintf(stderr, "error: source %s: %s\n", camera.c_str(), message.c_str());
  }
};

// GPU utilisation through NVML (libnvidia-ml from the driver), sampled while the bench measures;
// unreadable (no driver, no GPU) → mean() < 0.
class GpuUtilisation {
 public:
  GpuUtilisation() {
    lib_ = dlopen("libnvidia-ml.so.1", RTLD_NOW);
    if (!lib_) return;
    auto init = reinterpret_cast<int (*)()>(dlsym(lib_, "nvmlInit_v2"));
    auto byIndex = reinterpret_cast<int (*)(unsigned, void**)>(dlsym(lib_, "nvmlDeviceGetHandleByIndex_v2"));
    rates_ = reinterpret_cast<int (*)(void*, unsigned*)>(dlsym(lib_, "nvmlDeviceGetUtilizationRates"));
    if (!init || !byIndex || !rates_ || init() != 0 || byIndex(0, &device_) != 0) device_ = nullptr;
  }
  void start() {
    if (!device_) return;
    thread_ = std::thread([this] {
      while (!stop_) {
        unsigned r[2] = {0, 0};  // nvmlUtilization_t: gpu, memory (percent)
        if (rates_(device_, r) == 0) {
          sum_ += r[0];
          ++n_;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
      }
    });
  }
  double stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return n_ > 0 ? sum_ / n_ : -1;
  }
  ~GpuUtilisation() { stop(); }

 private:
  void* lib_ = nullptr;
  void* device_ = nullptr;
  int (*rates_)(void*, unsigned*) = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  double sum_ = 0;
  int n_ = 0;
};

double cpuSeconds() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

int bench(int argc, char** argv) {
  Args a;
  if (!parseArgs(argc, argv, 2, {"json", "realtime"},
                 {"streams", "uri", "seconds", "model", "batch", "work-layers", "preview-fps", "warm", "runs", "live-queue",
                  "push-when-idle", "record", "segment-seconds"},
                 &a))
    return usage(stderr);
  int streams = 1, seconds = 10, batch = 0, work = 3, previewFps = 0, runs = 0, liveQueue = 0, pushWhenIdle = 0, segmentSeconds = 10;
  if (!intOpt(a, "segment-seconds", 10, 1, &segmentSeconds)) return 2;
  if (!intOpt(a, "preview-fps", 0, 0, &previewFps) || !intOpt(a, "streams", 1, 1, &streams) || !intOpt(a, "seconds", 10, 1, &seconds) ||
      !intOpt(a, "batch", 0, 1, &batch) || !intOpt(a, "work-layers", 3, 0, &work) || !intOpt(a, "runs", 0, 0, &runs) ||
      !intOpt(a, "live-queue", 0, 0, &liveQueue) || !intOpt(a, "push-when-idle", 0, 0, &pushWhenIdle))
    return 2;
  if (batch == 0) batch = streams;
  std::string model, uri = a.get("uri");
  try {
    model = a.has("model") ? vigil::resolveManifest(a.get("model")) : defaultModel(work);
    if (uri.empty()) {
      fs::path clip = scratchDir("clip") / "bench-720p.mp4";
      std::fprintf(stderr, "vigil-engine bench: encoding a 720p x264 clip (300 frames) at %s\n", clip.c_str());
      vigil::synthetic::writeSquaresClip(clip.string(), 1280, 720, 300, 30, {{100, 100, 4, 0, 128}, {900, 400, -4, 1, 128}});
      uri = "file://" + clip.string();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  // Bare ONNX Runtime: the same model and batch on the same cores, input already in place.
  // Measured before and after the end-to-end run (averaged) so that drifting machine load is shared.
  std::string provider;
  // Per CPU-second figures too: on a shared machine wall-clock rates swing with other load.
  double bareCpuImages = 0, bareCpuSeconds = 0;
  std::string bareInput = "host";
  auto bareRun = [&](double secs) -> double {
    vigil::InferenceOptions io;
    io.maxBatch = batch;
    vigil::InferenceSession s(vigil::loadManifest(model), io);
    provider = s.provider();
    // On a GPU the engine feeds the session from device memory (IO binding): so does the baseline.
    std::unique_ptr<vigil::gpu::DeviceTensor> deviceInput;
    if (s.acceptsDeviceInput() && vigil::gpu::gpuPreprocessAvailable()) {
      try {
        deviceInput = std::make_unique<vigil::gpu::DeviceTensor>(s.imageFloats() * static_cast<size_t>(s.maxBatch()));
        s.setDeviceInput(deviceInput->data());
        bareInput = "device";
      } catch (const std::exception&) {
        deviceInput.reset();
      }
    }
    for (int i = 0; i < 3; ++i) s.run(s.maxBatch());
    auto t0 = Clock::now();
    double c0 = cpuSeconds();
    int64_t images = 0;
    while (std::chrono::duration<double>(Clock::now() - t0).count() < secs) {
      s.run(s.maxBatch());
      images += s.maxBatch();
    }
    bareCpuImages += images;
    bareCpuSeconds += cpuSeconds() - c0;
    return images / std::chrono::duration<double>(Clock::now() - t0).count();
  };
  const double bareSeconds = std::max(1.0, seconds / 4.0);
  double bareBefore = 0;
  try {
    bareBefore = bareRun(bareSeconds);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  BenchListener listener;
  vigil::EngineConfig cfg;
  cfg.model = model;
  cfg.batchSize = batch;
  cfg.snapshots = false;
  cfg.statsIntervalMs = 0;
  cfg.previewFps = previewFps;  // previews are encoded as in the app (640 wide JPEG) and dropped
  cfg.inferenceRuns = runs;
  cfg.liveQueueDepth = liveQueue;
  cfg.pushWhenIdle = pushWhenIdle != 0;
  const std::string warm = a.get("warm", "gpu");
  if (warm != "gpu" && warm != "always" && warm != "never") {
    std::fprintf(stderr, "vigil-engine bench: --warm takes gpu, always or never, not '%s'\n", warm.c_str());
    return 2;
  }
  cfg.warmBatchShapes = warm == "never" ? vigil::WarmShapes::Never : warm == "always" ? vigil::WarmShapes::Always : vigil::WarmShapes::Gpu;
  std::unique_ptr<vigil::Engine> engine;
  try {
    engine = std::make_unique<vigil::Engine>(cfg, &listener);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  if (engine->batchSize() != batch)
    std::fprintf(stderr, "vigil-engine bench: model '%s' has a fixed batch of %d; running batches of %d (not %d)\n",
                 engine->manifest().name.c_str(), engine->batchSize(), engine->batchSize(), batch);
  batch = engine->batchSize();
  vigil::SourceOptions so;
  so.loop = true;
  // --realtime: every stream plays at its own rate (like cameras) and stale frames are dropped.
  so.realtime = a.has("realtime");
  // --record DIR: every stream also records its compressed video (DIR/N/), as a recording camera does.
  const std::string recordDir = a.get("record");
  so.record.segmentSeconds = segmentSeconds;
  for (int i = 0; i < streams; ++i) {
    if (!recordDir.empty()) so.record.dir = (fs::path(recordDir) / std::to_string(i)).string();
    engine->addSource(std::to_string(i), uri, so);
  }
  // Warm-up: every stream delivers (decoders open one after another, seconds for many), then 1.5 s
  // more for caches and the first batches; only then the measured window starts.
  for (auto waitStart = Clock::now(); Clock::now() - waitStart < std::chrono::seconds(60);) {
    bool allDelivered = true;
    for (auto& s : engine->stats()) allDelivered = allDelivered && (s.framesDecoded > 0 || s.state == "error");
    if (allDelivered) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  double cpu0 = cpuSeconds();
  auto decodedSoFar = [&] {
    int64_t n = 0;
    for (auto& s : engine->stats()) n += s.framesDecoded;
    return n;
  };
  const int64_t decoded0 = decodedSoFar();
  auto droppedSoFar = [&] {
    int64_t n = 0;
    for (auto& s : engine->stats()) n += s.droppedFrames;
    return n;
  };
  const int64_t dropped0 = droppedSoFar();
  GpuUtilisation gpuUtil;
  gpuUtil.start();
  auto t0 = Clock::now();
  {
    std::lock_guard lock(listener.mu);
    listener.measuring = true;
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const double gpuPercent = gpuUtil.stop();
  double wall;
  int64_t inferred;
  std::vector<double> lat;
  {
    std::lock_guard lock(listener.mu);
    listener.measuring = false;
    wall = std::chrono::duration<double>(Clock::now() - t0).count();
    inferred = listener.inferred;
    lat = listener.latency;
  }
  double cpu = (cpuSeconds() - cpu0) / wall * 100.0;
  const double decodedFps = static_cast<double>(decodedSoFar() - decoded0) / wall;
  auto st = engine->stats();
  const auto stages = engine->stageTimes();
  const std::string preprocess = engine->preprocessPath(), preprocessNote = engine->preprocessNote(), modelFile = engine->modelFile();
  const int engineBatch = engine->batchSize(), preprocessThreads = engine->preprocessThreads();
  int64_t dropped = 0;
  for (auto& s : st) dropped += s.droppedFrames;
  const int64_t droppedInWindow = dropped - dropped0;  // `dropped` counts from the start (warm-up too)
  const int engineRuns = engine->inferenceRuns(), engineLiveQueue = engine->liveQueueDepth();
  engine->stop();
  double bareAfter = bareRun(bareSeconds);
  double bareFps = (bareBefore + bareAfter) / 2;
  double e2e = inferred / wall;
  double ratio = bareFps > 0 ? e2e / bareFps : 0;
  const double e2ePerCpu = inferred / std::max(1e-9, cpu / 100.0 * wall);
  const double barePerCpu = bareCpuImages / std::max(1e-9, bareCpuSeconds);
  const double cpuRatio = barePerCpu > 0 ? e2ePerCpu / barePerCpu : 0;
  double p50 = percentile(lat, 0.5), p95 = percentile(lat, 0.95), p99 = percentile(lat, 0.99);
  double minStreamFps = 1e9;
  for (auto& s : st) minStreamFps = std::min(minStreamFps, s.inferFps);
  if (st.empty()) minStreamFps = 0;
  std::printf("streams %d  uri %s  model %s  provider %s  batch %d (engine %d)  preprocess %s (%d threads)%s%s  cores %u\n", streams,
              vigil::redactUri(uri).c_str(), model.c_str(), provider.c_str(), batch, engineBatch, preprocess.c_str(), preprocessThreads,
              preprocessNote.empty() ? "" : ": ", preprocessNote.c_str(), std::thread::hardware_concurrency());
  std::printf(
      "end-to-end %.1f inferred frames/s (decoded %.1f/s, %dx%d)  bare ONNX Runtime (%s input) %.1f images/s  ratio %.2f  latency p50 %.1f ms p99 %.1f ms  CPU %.0f%%  GPU %s  dropped %lld\n",
      e2e, decodedFps, listener.width, listener.height, bareInput.c_str(), bareFps, ratio, p50, p99, cpu,
      gpuPercent < 0 ? "n/a" : (std::to_string(static_cast<int>(gpuPercent + 0.5)) + "%").c_str(), static_cast<long long>(dropped));
  const double devicePct = stages.frames > 0 ? 100.0 * static_cast<double>(stages.deviceFrames) / static_cast<double>(stages.frames) : 0;
  if (stages.batches > 0)
    std::printf(
        "per batch (mean of %lld, %.1f frames, %.0f%% of them in GPU memory): batcher: preprocess %.2f ms | inference: %.2f ms | post: parse+track %.2f ms  deliver %.2f ms (three threads, overlapped)\n",
        static_cast<long long>(stages.batches), static_cast<double>(stages.frames) / stages.batches, devicePct,
        stages.preprocess / stages.batches, stages.infer / stages.batches, stages.post / stages.batches, stages.deliver / stages.batches);
  std::printf("per CPU-second: end-to-end %.1f frames, bare %.1f images, ratio %.2f\n", e2ePerCpu, barePerCpu, cpuRatio);
  std::printf("scheduling: %d session run(s) in flight, live queue %d, push when idle %s; dropped %lld in the measured window\n",
              engineRuns, engineLiveQueue, pushWhenIdle ? "on" : "off", static_cast<long long>(droppedInWindow));
  std::string warmed = "[";
  for (auto& [b, ms] : engine->warmedShapes())
    warmed += (warmed.size() > 1 ? "," : "") + std::string("{\"batch\":") + std::to_string(b) + ",\"ms\":" + std::to_string(ms) + "}";
  warmed += "]";
  std::printf("first full batch: inference %.2f ms; batch shapes warmed at start: %s\n", stages.firstFullInfer,
              engine->warmedShapes().empty() ? "none" : warmed.c_str());
  if (a.has("json"))
    std::printf(
        "{\"streams\":%d,\"e2e_fps\":%.2f,\"bare_fps\":%.2f,\"ratio\":%.3f,\"p50_ms\":%.2f,\"p95_ms\":%.2f,\"p99_ms\":%.2f,\"cpu_percent\":%.1f,\"dropped\":%lld,\"cpu_ratio\":%.3f,\"provider\":\"%s\",\"batch\":%d,\"realtime\":%s,\"min_stream_fps\":%.2f,\"engine_batch\":%d,\"preprocess\":\"%s\",\"preprocess_threads\":%d,\"decoded_fps\":%.2f,\"width\":%d,\"height\":%d,\"gpu_util_percent\":%.1f,\"device_frames_percent\":%.1f,\"stage_ms\":{\"preprocess\":%.3f,\"infer\":%.3f,\"post\":%.3f,\"deliver\":%.3f},\"bare_input\":\"%s\",\"first_full_batch_infer_ms\":%.3f,\"warmed\":%s,\"model_file\":%s,\"dropped_in_window\":%lld,\"inference_runs\":%d,\"live_queue\":%d,\"push_when_idle\":%s}\n",
        streams, e2e, bareFps, ratio, p50, p95, p99, cpu, static_cast<long long>(dropped), cpuRatio, provider.c_str(), batch,
        so.realtime ? "true" : "false", minStreamFps, engineBatch, preprocess.c_str(), preprocessThreads, decodedFps, listener.width,
        listener.height, gpuPercent, devicePct, stages.batches ? stages.preprocess / stages.batches : 0.0,
        stages.batches ? stages.infer / stages.batches : 0.0, stages.batches ? stages.post / stages.batches : 0.0,
        stages.batches ? stages.deliver / stages.batches : 0.0, bareInput.c_str(), stages.firstFullInfer, warmed.c_str(),
        nlohmann::json(modelFile).dump().c_str(), static_cast<long long>(droppedInWindow), engineRuns, engineLiveQueue,
        pushWhenIdle ? "true" : "false");
  if (!recordDir.empty()) {
    std::lock_guard lock(listener.mu);
    std::printf("recording: %lld segments closed while measuring, %.1f MB, %.1f s of video, into %s\n",
                static_cast<long long>(listener.segments), listener.segmentBytes / 1e6, listener.segmentSeconds, recordDir.c_str());
    if (a.has("json"))
      std::printf("{\"recorded_segments\":%lld,\"recorded_bytes\":%lld,\"recorded_seconds\":%.2f}\n",
                  static_cast<long long>(listener.segments), static_cast<long long>(listener.segmentBytes), listener.segmentSeconds);
  }
  return listener.failed ? 1 : 0;
}

int fixtures(int argc, char** argv) {
  if (argc < 3) return usage(stderr);
  fs::path dir = argv[2];
  try {
    fs::create_directories(dir);
    std::string manifest = vigil::synthetic::writeSquareDetector((dir / "model").string());
    fs::path clip = dir / "squares.mp4";
    auto scene = vigil::synthetic::testScene();
    const int frames = 60;
    vigil::synthetic::writeSquaresClip(clip.string(), 640, 360, frames, 30, scene);
    nlohmann::json sq = nlohmann::json::array();
    for (auto& s : scene) sq.push_back({{"x0", s.x0}, {"y0", s.y0}, {"vx", s.vx}, {"vy", s.vy}, {"size", s.size}});
    nlohmann::json out = {{"manifest", manifest}, {"clip", clip.string()}, {"width", 640}, {"height", 360}, {"frames", frames}, {"fps", 30},
                          {"squares", sq}};
    std::printf("%s\n", out.dump().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(stderr);
  std::string cmd = argv[1];
  if (isHelp(cmd)) return usage(stdout);
  // `vigil-engine run --help` and the like: usage on stdout, exit 0, before any option is parsed.
  for (int i = 2; i < argc; ++i)
    if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") return usage(stdout);
  if (cmd == "info") {
    if (argc > 2) {
      std::fprintf(stderr, "vigil-engine: info takes no arguments, not '%s'\n", argv[2]);
      return usage(stderr);
    }
    return info();
  }
  if (cmd == "run") return run(argc, argv);
  if (cmd == "bench") return bench(argc, argv);
  if (cmd == "schedule") return vigil::cli::scheduleBench(argc, argv);
  if (cmd == "fixtures") return fixtures(argc, argv);
  if (cmd == "export") return exportCommand(argc, argv);
  std::fprintf(stderr, "vigil-engine: unknown command '%s'\n", cmd.c_str());
  return usage(stderr);
}
