// Per-frame cost of the pure engine algorithms: output decoding + NMS and tracker updates.
// Prints one line per case; short by design (a few hundred ms in all).
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <vector>

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
  return 0;
}
