#include "preprocess.h"

#include <algorithm>
#include <cmath>

namespace vigil {

void Preprocessor::prepare(int srcW, int srcH) {
  srcW_ = srcW;
  srcH_ = srcH;
  t_ = makeLetterbox(srcW, srcH, m_.width, m_.height, m_.letterbox);
  x0_ = std::clamp(static_cast<int>(std::lround(t_.padX)), 0, m_.width);
  y0_ = std::clamp(static_cast<int>(std::lround(t_.padY)), 0, m_.height);
  x1_ = std::clamp(static_cast<int>(std::lround(t_.padX + srcW * t_.scaleX)), x0_, m_.width);
  y1_ = std::clamp(static_cast<int>(std::lround(t_.padY + srcH * t_.scaleY)), y0_, m_.height);
  xi_.resize(static_cast<size_t>(m_.width));
  xf_.resize(static_cast<size_t>(m_.width));
  yi_.resize(static_cast<size_t>(m_.height));
  yf_.resize(static_cast<size_t>(m_.height));
  for (int x = x0_; x < x1_; ++x) {
    float sx = std::clamp((x + 0.5f - t_.padX) / t_.scaleX - 0.5f, 0.f, float(srcW - 1));
    int i = std::min(static_cast<int>(sx), srcW - 2 < 0 ? 0 : srcW - 2);
    xi_[size_t(x)] = i * 3;
    xf_[size_t(x)] = srcW > 1 ? sx - float(i) : 0.f;
  }
  for (int y = y0_; y < y1_; ++y) {
    float sy = std::clamp((y + 0.5f - t_.padY) / t_.scaleY - 0.5f, 0.f, float(srcH - 1));
    int i = std::min(static_cast<int>(sy), srcH - 2 < 0 ? 0 : srcH - 2);
    yi_[size_t(y)] = i;
    yf_[size_t(y)] = srcH > 1 ? sy - float(i) : 0.f;
  }
  row_.resize(static_cast<size_t>(m_.width) * 3);
}

LetterboxTransform Preprocessor::run(const RgbImage& img, float* out) {
  if (img.width != srcW_ || img.height != srcH_) prepare(img.width, img.height);
  const int W = m_.width, H = m_.height;
  const size_t plane = static_cast<size_t>(W) * H;
  // Channel c of the network input takes source channel src[c] (RGB or BGR order).
  const int src[3] = {m_.bgr ? 2 : 0, 1, m_.bgr ? 0 : 2};
  float a[3], b[3], pad[3];
  for (int c = 0; c < 3; ++c) {
    a[c] = m_.scale[c];
    b[c] = -m_.mean[c] * m_.scale[c];
    pad[c] = (m_.padValue - m_.mean[c]) * m_.scale[c];
  }
  const int rowBytes = img.width > 1 ? 3 : 0;
  for (int y = 0; y < H; ++y) {
    float* r = row_.data();
    if (y < y0_ || y >= y1_) {
      for (int x = 0; x < W; ++x)
        for (int c = 0; c < 3; ++c) r[x * 3 + c] = pad[c];
    } else {
      const uint8_t* p0 = img.data + static_cast<size_t>(yi_[size_t(y)]) * img.stride;
      const uint8_t* p1 = img.height > 1 ? p0 + img.stride : p0;
      const float fy = yf_[size_t(y)];
      for (int x = 0; x < x0_; ++x)
        for (int c = 0; c < 3; ++c) r[x * 3 + c] = pad[c];
      for (int x = x0_; x < x1_; ++x) {
        const int o = xi_[size_t(x)];
        const float fx = xf_[size_t(x)];
        for (int c = 0; c < 3; ++c) {
          const int s = src[c];
          float top = p0[o + s] + fx * (p0[o + rowBytes + s] - p0[o + s]);
          float bot = p1[o + s] + fx * (p1[o + rowBytes + s] - p1[o + s]);
          r[x * 3 + c] = (top + fy * (bot - top)) * a[c] + b[c];
        }
      }
      for (int x = x1_; x < W; ++x)
        for (int c = 0; c < 3; ++c) r[x * 3 + c] = pad[c];
    }
    if (m_.nchw) {
      float* d0 = out + static_cast<size_t>(y) * W;
      float* d1 = d0 + plane;
      float* d2 = d1 + plane;
      for (int x = 0; x < W; ++x) {
        d0[x] = r[x * 3];
        d1[x] = r[x * 3 + 1];
        d2[x] = r[x * 3 + 2];
      }
    } else {
      std::copy(r, r + W * 3, out + static_cast<size_t>(y) * W * 3);
    }
  }
  return t_;
}

}  // namespace vigil
