#include "engine/osd.h"

#include "engine/internal.h"
#include "jpeg.h"

namespace vigil {

namespace {
// Previews waiting beyond this many are skipped; snapshots queue up to the queue's capacity.
constexpr size_t kPreviewBacklog = 8;
constexpr size_t kCapacity = 256;

// Full-size RGB with the track's box drawn, as JPEG.
std::vector<uint8_t> renderSnapshot(const BestShot& shot) {
  const Image& img = shot.image.image;
  std::vector<uint8_t> rgb(static_cast<size_t>(img.width) * static_cast<size_t>(img.height) * 3);
  std::vector<int> xmap(static_cast<size_t>(img.width));
  for (int x = 0; x < img.width; ++x) xmap[size_t(x)] = x;
  for (int y = 0; y < img.height; ++y)
    rowToRgb(img, y, xmap.data(), img.width, rgb.data() + static_cast<size_t>(y) * static_cast<size_t>(img.width) * 3);
  static const uint8_t kColor[3] = {0, 255, 0};
  drawBox(rgb.data(), img.width, img.height, shot.box, kColor, 3);
  return encodeJpeg(packedImage(PixelFormat::Rgb, rgb.data(), img.width, img.height), 0, 0, 85);
}
}  // namespace

Osd::Osd(EngineListener* listener) : listener_(listener), jobs_(kCapacity) {
  worker_ = std::thread([this] { loop(); });
}

Osd::~Osd() { stop(); }

void Osd::stop() {
  jobs_.close();
  if (worker_.joinable()) worker_.join();
}

void Osd::preview(const std::string& camera, const Frame& frame, int width, int height) {
  if (jobs_.size() >= kPreviewBacklog) return;
  auto held = std::make_shared<Frame>(frame);
  jobs_.tryPush([this, held, camera, width, height] {
    OwnedImage host;
    if (held->image.onDevice) hostCopy(*held, &host);  // GPU frames: read back to the host here
    const Image& img = held->image.onDevice ? host.image : held->image;
    EnginePreview p{camera, held->seq, width, height, encodeJpeg(img, width, height, 75)};
    if (listener_) listener_->onPreview(std::move(p));
  });
}

void Osd::snapshot(const std::string& camera, int64_t track, BestShot&& best) {
  auto shot = std::make_shared<BestShot>(std::move(best));
  jobs_.push([this, shot, camera, track] {
    EngineSnapshot snap{camera, track, shot->frame, shot->time, renderSnapshot(*shot)};
    if (listener_) listener_->onSnapshot(std::move(snap));
  });
}

void Osd::loop() {
  while (auto job = jobs_.pop()) {
    try {
      (*job)();
    } catch (...) {
      // An encoding failure loses one preview or snapshot, never the engine.
    }
  }
}

}  // namespace vigil
