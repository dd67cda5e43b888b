#pragma once
// The OSD stage (DeepStream's nvdsosd + the JPEG encoder): previews and track snapshots are drawn
// and encoded on a worker thread of their own, fed through a BoundedQueue, so post-processing never
// waits for an encoder.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "bounded_queue.h"
#include "engine.h"
#include "source.h"

namespace vigil {

struct BestShot;

class Osd {
 public:
  explicit Osd(EngineListener* listener);
  ~Osd();  // finishes the queued work, then stops
  Osd(const Osd&) = delete;
  Osd& operator=(const Osd&) = delete;

  // A preview of `frame` at the given size; dropped when the encoder is behind (previews are best-effort).
  void preview(const std::string& camera, const Frame& frame, int width, int height);
  // The snapshot of an ended track: its best frame with the box drawn. Never dropped.
  void snapshot(const std::string& camera, int64_t track, BestShot&& shot);
  // True when nothing waits to be encoded.
  bool idle() const { return jobs_.empty(); }
  void stop();

 private:
  void loop();
  EngineListener* listener_;
  BoundedQueue<std::function<void()>> jobs_;
  std::thread worker_;
};

}  // namespace vigil
