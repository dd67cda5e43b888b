// The motion detector: cell means of the luma, a running background, changed cells against the
// minimum area, and the hold after motion stops.
#include "motion/motion.h"

#include "motion/cell_math.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace vigil::motion {

MotionConfig configForSensitivity(int sensitivity) {
  if (sensitivity < kMinSensitivity || sensitivity > kMaxSensitivity)
    throw std::invalid_argument("motion sensitivity " + std::to_string(sensitivity) + " is out of range — use " +
                                std::to_string(kMinSensitivity) + " (least sensitive) to " + std::to_string(kMaxSensitivity) +
                                " (most sensitive)");
  MotionConfig c;
  const double t = (sensitivity - kMinSensitivity) / double(kMaxSensitivity - kMinSensitivity);  // 0..1
  // 1: a 45-level change over 2 % of the frame; 50: 25 levels over 0.2 %; 100: 5 levels over 0.02 %.
  c.threshold = static_cast<int>(std::lround(45.0 - 40.0 * t));
  c.minArea = 0.02 * std::pow(10.0, -2.0 * t);
  return c;
}

Grid gridFor(int width, int height) {
  Grid g;
  g.cell = std::max(1, width / kGridWidth);
  g.cols = (width + g.cell - 1) / g.cell;
  g.rows = (height + g.cell - 1) / g.cell;
  g.step = std::max(1, g.cell / 4);
  return g;
}

void cellMeans(const Image& image, const Grid& grid, std::vector<uint8_t>* out) {
  if (image.onDevice) throw std::invalid_argument("motion: the frame is in GPU memory — use the CUDA cell means for it");
  validateImage(image, "motion frame");
  out->resize(static_cast<size_t>(grid.cols) * grid.rows);
  auto fill = [&](const auto& read) {
    for (int cy = 0; cy < grid.rows; ++cy)
      for (int cx = 0; cx < grid.cols; ++cx)
        (*out)[static_cast<size_t>(cy) * grid.cols + cx] = cellMean(read, image.width, image.height, grid.cell, grid.step, cx, cy);
  };
  switch (image.format) {
    case PixelFormat::Nv12:
    case PixelFormat::I420:
      fill(LumaPlane{image.planes[0], image.strides[0]});
      break;
    case PixelFormat::Rgb:
      fill(PackedLuma{image.planes[0], image.strides[0], 3, false});
      break;
    case PixelFormat::Bgr:
      fill(PackedLuma{image.planes[0], image.strides[0], 3, true});
      break;
    case PixelFormat::Rgba:
      fill(PackedLuma{image.planes[0], image.strides[0], 4, false});
      break;
    case PixelFormat::Bgra:
      fill(PackedLuma{image.planes[0], image.strides[0], 4, true});
      break;
  }
}

MotionDetector::MotionDetector(MotionConfig config) : config_(config) {}

MotionResult MotionDetector::update(const Image& image) {
  const Grid g = gridFor(image.width, image.height);
  cellMeans(image, g, &scratch_);
  return update(scratch_, g, image.width, image.height);
}

MotionResult MotionDetector::update(const std::vector<uint8_t>& means, const Grid& grid, int width, int height) {
  MotionResult r;
  const size_t cells = static_cast<size_t>(grid.cols) * grid.rows;
  if (means.size() != cells) throw std::invalid_argument("motion: cell means do not match the grid");
  if (width != width_ || height != height_ || background_.size() != cells) {
    // First frame or a new size: this frame is the background; nothing is known to be still yet.
    width_ = width, height_ = height, grid_ = grid;
    background_.assign(means.begin(), means.end());
    hold_ = config_.holdFrames;
    r.moving = true;
    r.changed = 1;
    r.region = Box{0, 0, float(width), float(height)};
    return r;
  }
  int changed = 0, minX = grid.cols, minY = grid.rows, maxX = -1, maxY = -1;
  const float a = static_cast<float>(config_.alpha);
  for (int cy = 0; cy < grid.rows; ++cy) {
    for (int cx = 0; cx < grid.cols; ++cx) {
      const size_t i = static_cast<size_t>(cy) * grid.cols + cx;
      float& bg = background_[i];
      const float v = means[i];
      if (std::fabs(v - bg) > config_.threshold) {
        ++changed;
        minX = std::min(minX, cx), maxX = std::max(maxX, cx);
        minY = std::min(minY, cy), maxY = std::max(maxY, cy);
      }
      bg += a * (v - bg);
    }
  }
  r.changed = double(changed) / double(cells);
  if (changed > 0) {
    const float c = float(grid.cell);
    const float x = minX * c, y = minY * c;
    r.region = Box{x, y, std::min(float(width), (maxX + 1) * c) - x, std::min(float(height), (maxY + 1) * c) - y};
  }
  if (changed > 0 && r.changed >= config_.minArea) {
    hold_ = config_.holdFrames;
    r.moving = true;
  } else if (hold_ > 0) {
    --hold_;
    r.moving = true;
  }
  return r;
}

}  // namespace vigil::motion
