// Per-frame cost of the pure engine algorithms: output decoding + NMS, tracker updates, analytics,
// the motion detector.
// Prints one line per case; short by design (a few hundred ms in all).
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <iostream>
#include <utility>
#include <vector>

#include "analytics/analytics.h"
#include "motion/motion.h"
#include "tracking/tracker.h"

namespace {

using Clock = std::chrono::steady_clock;

template <typename F>
void bench(const char* name, int iterations, F&& body) {
  body();  // warm the caches and scratch buffers
  const auto t0 = Clock::now();
  for (int i = 0; i < iterations; ++i) body();
  const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / iterations;
  std::cout << "[bench] " << name << ": " << us << " us/frame (" << (us > 0 ? 1e6 / us : 0) << " frames/s)" << std::endl;
}

uint32_t lcg(uint32_t& s) { return s = s * 1664525u + 1013904223u; }
float unit(uint32_t& s) { return static_cast<float>(lcg(s) >> 8) / 16777216.f; }

}  // namespace

int main() {
  // YOLOv8n-sized output: [1, 84, 8400], with a realistic sprinkle of confident anchors.
  const int C = 80, N = 8400;
  std::vector<float> v8(static_cast<size_t>((4 + C) * N));
  uint32_t seed = 7;
  for (int i = 0; i < N; ++i) {
    v8[static_cast<size_t>(i)] = unit(seed) * 640, v8[static_cast<size_t>(N + i)] = unit(seed) * 640;
    v8[static_cast<size_t>(2 * N + i)] = 20 + unit(seed) * 100, v8[static_cast<size_t>(3 * N + i)] = 20 + unit(seed) * 100;
    for (int c = 0; c < C; ++c) v8[static_cast<size_t>((4 + c) * N + i)] = unit(seed) * unit(seed) * 0.2f;
    if (i % 40 == 0) v8[static_cast<size_t>((4 + i % C) * N + i)] = 0.5f + unit(seed) * 0.5f;
  }
  vigil::ParseParams params;
  std::vector<vigil::OutputTensor> outs{{"output0", {1, 4 + C, N}, v8.data()}};
  size_t kept = 0;
  bench("yolov8 [1,84,8400] decode+nms", 200, [&] { kept = vigil::parseOutputs(vigil::ParserKind::YoloV8, outs, 0, params).size(); });
  bench("yolov8 [1,84,8400] decode only", 200, [&] { kept = vigil::decodeYoloV8(outs, 0, params).size(); });
  std::cout << "        " << kept << " candidates over the threshold, "
            << vigil::parseOutputs(vigil::ParserKind::YoloV8, outs, 0, params).size() << " kept after NMS" << std::endl;

  // NMS alone on 2000 heavily overlapping candidates of 3 classes.
  std::vector<vigil::Detection> cands;
  for (int i = 0; i < 2000; ++i)
    cands.push_back({{unit(seed) * 600, unit(seed) * 600, 40 + unit(seed) * 40, 40 + unit(seed) * 40}, i % 3, unit(seed)});
  bench("nmsPerClass 2000 candidates", 200, [&] { kept = vigil::nmsPerClass(cands, params).size(); });

  // Trackers: K objects moving linearly, detections every frame.
  for (int objects : {20, 100}) {
    for (vigil::TrackerKind kind : {vigil::TrackerKind::Iou, vigil::TrackerKind::Sort, vigil::TrackerKind::ByteTrack}) {
      auto tracker = vigil::makeTracker(kind, vigil::TrackerConfig{});
      std::vector<vigil::TrackEvent> events;
      std::vector<vigil::Detection> dets(static_cast<size_t>(objects));
      int64_t frame = 0;
      const std::string name = std::string("tracker ") + vigil::trackerName(kind) + " " + std::to_string(objects) + " objects";
      bench(name.c_str(), 500, [&] {
        for (int i = 0; i < objects; ++i) {
          const float col = static_cast<float>(i % 10), row = static_cast<float>(i / 10);
          dets[static_cast<size_t>(i)] = {{col * 120 + static_cast<float>(frame % 200) * 0.5f, row * 70, 40, 60}, 0, 0.8f};
        }
        events.clear();
        tracker->update(dets, frame++, true, &events);
      });
    }
  }

  // Analytics (issue 15's goal: <= 0.05 ms per camera frame on one core): 64 cameras, each with 5
  // zones (8-point concave polygons, dwell and crowding on) and 5 lines, 20 objects walking per frame.
  {
    const int cameras = 64, objects = 20, width = 1280, height = 720;
    std::string zones = "[";
    for (int z = 0; z < 5; ++z) {
      const double x = 0.05 + 0.18 * z;
      char buf[512];
      std::snprintf(
          buf, sizeof buf,
          R"({"id":"z%d","kind":"zone","points":[[%.2f,0.1],[%.2f,0.1],[%.2f,0.5],[%.2f,0.5],[%.2f,0.1],[%.2f,0.1],[%.2f,0.9],[%.2f,0.9]],"labels":["person"],"dwellSeconds":5,"crowdThreshold":4,"crowdSeconds":2},)",
          z, x, x + 0.05, x + 0.05, x + 0.1, x + 0.1, x + 0.15, x + 0.15, x);
      zones += buf;
      std::snprintf(buf, sizeof buf, R"({"id":"l%d","kind":"line","points":[[%.2f,0.05],[%.2f,0.95]],"labels":[]}%s)", z, x + 0.08,
                    x + 0.09, z < 4 ? "," : "");
      zones += buf;
    }
    zones += "]";
    auto config = std::make_shared<vigil::analytics::Config>(vigil::analytics::parseConfig(zones));
    std::vector<vigil::analytics::CameraAnalytics> cams;
    for (int c = 0; c < cameras; ++c) cams.emplace_back(config, std::vector<std::string>{"person", "car"});
    std::vector<vigil::analytics::Object> objs(static_cast<size_t>(objects));
    std::vector<vigil::analytics::Event> events;
    std::vector<vigil::analytics::RegionCounts> counts;
    int64_t frame = 0, total = 0;
    const int rounds = 300;
    auto round = [&] {
      for (int c = 0; c < cameras; ++c) {
        for (int i = 0; i < objects; ++i) {
          // Objects walk across the frame and back (period 400 frames), each on its own row.
          const float phase = static_cast<float>((frame + i * 37 + c * 11) % 400) / 200.f;
          const float x = (phase < 1 ? phase : 2 - phase) * (width - 40);
          objs[static_cast<size_t>(i)] = {i + 1, i % 2, 0.8f, {x, 30.f * static_cast<float>(i), 40, 80}};
        }
        events.clear();
        cams[static_cast<size_t>(c)].update(objs, static_cast<double>(frame) / 25.0, width, height, &events);
        counts = cams[static_cast<size_t>(c)].counts();  // the engine copies them into each frame
        total += static_cast<int64_t>(events.size());
      }
      ++frame;
    };
    round();
    const auto t0 = Clock::now();
    for (int r = 0; r < rounds; ++r) round();
    const double roundMs = std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / rounds;
    std::cout << "[bench] analytics 64 cameras x 20 objects x 10 zones/lines: " << roundMs << " ms per round of 64 frames, "
              << roundMs / cameras << " ms per camera frame (goal <= 0.05 ms, one core), " << total << " events" << std::endl;
  }
  {
    // Motion gating's detector on a 1080p and a 768x576 I420 luma plane (what the batcher runs per due frame).
    for (auto [w, h] : {std::pair{1920, 1080}, std::pair{768, 576}}) {
      std::vector<uint8_t> y(static_cast<size_t>(w) * h), uv(static_cast<size_t>((w + 1) / 2) * ((h + 1) / 2), 128);
      uint32_t s = 3;
      for (auto& p : y) p = static_cast<uint8_t>(lcg(s) >> 24);
      const vigil::Image frame = vigil::i420Image(y.data(), uv.data(), uv.data(), w, h);
      vigil::motion::MotionDetector det;
      const std::string name = "motion detector " + std::to_string(w) + "x" + std::to_string(h);
      bench(name.c_str(), 500, [&] { det.update(frame); });
    }
  }
  return 0;
}
