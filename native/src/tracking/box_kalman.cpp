#include "box_kalman.h"

#include <algorithm>

namespace vigil::tracking {

namespace {
// Noise proportional to the box size, as DeepSORT / ByteTrack do: large boxes move more pixels.
constexpr float kPosWeight = 1.f / 20.f;
constexpr float kVelWeight = 1.f / 160.f;
float sq(float x) { return x * x; }
}  // namespace

void BoxKalman::Axis::predict(float qPos, float qVel) {
  p += v;
  p00 += 2 * p01 + p11 + qPos;
  p01 += p11;
  p11 += qVel;
}

void BoxKalman::Axis::update(float z, float r) {
  const float s = p00 + r;
  const float k0 = p00 / s, k1 = p01 / s;
  const float y = z - p;
  p += k0 * y;
  v += k1 * y;
  p11 -= k1 * p01;
  p01 *= 1 - k0;
  p00 *= 1 - k0;
}

void BoxKalman::init(const Box& m) {
  const float z[4] = {m.x + m.w * 0.5f, m.y + m.h * 0.5f, m.w, m.h};
  const float scale[4] = {std::max(m.w, 1.f), std::max(m.h, 1.f), std::max(m.w, 1.f), std::max(m.h, 1.f)};
  for (int i = 0; i < 4; ++i) {
    axes_[i] = Axis{z[i], 0.f, sq(2 * kPosWeight * scale[i]), 0.f, sq(10 * kVelWeight * scale[i])};
  }
}

void BoxKalman::predict() {
  const float w = std::max(axes_[2].p, 1.f), h = std::max(axes_[3].p, 1.f);
  const float scale[4] = {w, h, w, h};
  for (int i = 0; i < 4; ++i) axes_[i].predict(sq(kPosWeight * scale[i]), sq(kVelWeight * scale[i]));
  if (axes_[2].p < 1.f) axes_[2].p = 1.f, axes_[2].v = 0.f;  // a shrinking prediction never inverts
  if (axes_[3].p < 1.f) axes_[3].p = 1.f, axes_[3].v = 0.f;
}

void BoxKalman::update(const Box& m) {
  const float z[4] = {m.x + m.w * 0.5f, m.y + m.h * 0.5f, m.w, m.h};
  const float w = std::max(axes_[2].p, 1.f), h = std::max(axes_[3].p, 1.f);
  const float scale[4] = {w, h, w, h};
  for (int i = 0; i < 4; ++i) axes_[i].update(z[i], sq(kPosWeight * scale[i]));
}

Box BoxKalman::box() const {
  const float w = std::max(axes_[2].p, 0.f), h = std::max(axes_[3].p, 0.f);
  return Box{axes_[0].p - w * 0.5f, axes_[1].p - h * 0.5f, w, h};
}

}  // namespace vigil::tracking
