// Box geometry and the frame ↔ network-input mapping (nvstreammux / nvinfer scaling).
#include <algorithm>
#include <cmath>

#include "vision.h"

namespace vigil {

float iou(const Box& a, const Box& b) {
  const float ix = std::min(a.right(), b.right()) - std::max(a.x, b.x);
  const float iy = std::min(a.bottom(), b.bottom()) - std::max(a.y, b.y);
  if (ix <= 0 || iy <= 0) return 0.f;
  const float inter = ix * iy;
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.f;
}

size_t OutputTensor::size() const {
  if (dims.empty()) return 0;
  size_t n = 1;
  for (int64_t d : dims) n *= d > 0 ? static_cast<size_t>(d) : 0;
  return n;
}

LetterboxTransform makeLetterbox(int srcW, int srcH, int netW, int netH, bool keepAspect) {
  LetterboxTransform t;
  t.srcWidth = srcW;
  t.srcHeight = srcH;
  t.netWidth = netW;
  t.netHeight = netH;
  if (srcW <= 0 || srcH <= 0 || netW <= 0 || netH <= 0) return t;  // identity for degenerate sizes
  const float sx = static_cast<float>(netW) / static_cast<float>(srcW);
  const float sy = static_cast<float>(netH) / static_cast<float>(srcH);
  if (keepAspect) {
    const float s = std::min(sx, sy);
    t.scaleX = t.scaleY = s;
    t.padX = (static_cast<float>(netW) - static_cast<float>(srcW) * s) * 0.5f;
    t.padY = (static_cast<float>(netH) - static_cast<float>(srcH) * s) * 0.5f;
  } else {
    t.scaleX = sx;
    t.scaleY = sy;
  }
  return t;
}

Box toSource(const LetterboxTransform& t, const Box& netBox) {
  float x1 = (netBox.x - t.padX) / t.scaleX;
  float y1 = (netBox.y - t.padY) / t.scaleY;
  float x2 = (netBox.right() - t.padX) / t.scaleX;
  float y2 = (netBox.bottom() - t.padY) / t.scaleY;
  if (t.srcWidth > 0 && t.srcHeight > 0) {
    const float fw = static_cast<float>(t.srcWidth), fh = static_cast<float>(t.srcHeight);
    x1 = std::clamp(x1, 0.f, fw);
    x2 = std::clamp(x2, 0.f, fw);
    y1 = std::clamp(y1, 0.f, fh);
    y2 = std::clamp(y2, 0.f, fh);
  }
  return Box{x1, y1, std::max(0.f, x2 - x1), std::max(0.f, y2 - y1)};
}

Box toNetwork(const LetterboxTransform& t, const Box& srcBox) {
  return Box{srcBox.x * t.scaleX + t.padX, srcBox.y * t.scaleY + t.padY, srcBox.w * t.scaleX, srcBox.h * t.scaleY};
}

}  // namespace vigil
