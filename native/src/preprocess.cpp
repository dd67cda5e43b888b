#include "preprocess.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

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
    xi_[size_t(x)] = i;
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
  const int right = img.width > 1 ? 1 : 0;
  if (img.onDevice) throw std::invalid_argument("CPU pre-processing got a frame in GPU memory — copy it to the host first");
  const bool yuv = img.format != Image::Format::Rgb;
  const bool nv12 = img.format == Image::Format::Nv12;  // chroma interleaved in `u`
  const int cstep = nv12 ? 2 : 1;
  for (int y = 0; y < H; ++y) {
    float* r = row_.data();
    if (y < y0_ || y >= y1_) {
      for (int x = 0; x < W; ++x)
        for (int c = 0; c < 3; ++c) r[x * 3 + c] = pad[c];
    } else {
      const int sy = yi_[size_t(y)];
      const uint8_t* p0 = img.data + static_cast<size_t>(sy) * img.stride;
      const uint8_t* p1 = img.height > 1 ? p0 + img.stride : p0;
      const float fy = yf_[size_t(y)];
      for (int x = 0; x < x0_; ++x)
        for (int c = 0; c < 3; ++c) r[x * 3 + c] = pad[c];
      if (yuv) {
        // Luma bilinear, chroma nearest; BT.601 limited range (what cameras and x264 emit).
        const int cy = std::min((sy + (fy >= 0.5f ? 1 : 0)) / 2, (img.height - 1) / 2);
        const uint8_t* up = img.u + static_cast<size_t>(cy) * img.uvStride;
        const uint8_t* vp = nv12 ? up + 1 : img.v + static_cast<size_t>(cy) * img.uvStride;
        for (int x = x0_; x < x1_; ++x) {
          const int o = xi_[size_t(x)];
          const float fx = xf_[size_t(x)];
          float top = p0[o] + fx * (p0[o + right] - p0[o]);
          float bot = p1[o] + fx * (p1[o + right] - p1[o]);
          const float yy = 1.164f * ((top + fy * (bot - top)) - 16.f);
          const int cx = std::min((o + (fx >= 0.5f ? 1 : 0)) / 2, (img.width - 1) / 2);
          const float d = up[cx * cstep] - 128.f, e = vp[cx * cstep] - 128.f;
          const float rgb[3] = {std::clamp(yy + 1.596f * e, 0.f, 255.f), std::clamp(yy - 0.392f * d - 0.813f * e, 0.f, 255.f),
                                std::clamp(yy + 2.017f * d, 0.f, 255.f)};
          for (int c = 0; c < 3; ++c) r[x * 3 + c] = rgb[src[c]] * a[c] + b[c];
        }
      } else {
        for (int x = x0_; x < x1_; ++x) {
          const int o = xi_[size_t(x)] * 3;
          const float fx = xf_[size_t(x)];
          for (int c = 0; c < 3; ++c) {
            const int s = src[c];
            float top = p0[o + s] + fx * (p0[o + 3 * right + s] - p0[o + s]);
            float bot = p1[o + s] + fx * (p1[o + 3 * right + s] - p1[o + s]);
            r[x * 3 + c] = (top + fy * (bot - top)) * a[c] + b[c];
          }
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

void copyImage(const Image& src, OwnedImage* dst) {
  if (src.onDevice) throw std::invalid_argument("copyImage: the frame is in GPU memory — copy it to the host first (hostCopy)");
  const size_t w = static_cast<size_t>(src.width), h = static_cast<size_t>(src.height);
  Image& out = dst->image;
  out = src;
  if (src.format == Image::Format::Rgb) {
    dst->pixels.resize(w * h * 3);
    for (size_t y = 0; y < h; ++y) std::copy_n(src.data + y * src.stride, w * 3, dst->pixels.data() + y * w * 3);
    out.data = dst->pixels.data();
    out.stride = static_cast<int>(w * 3);
    return;
  }
  const size_t cw = (w + 1) / 2, ch = (h + 1) / 2;
  dst->pixels.resize(w * h + 2 * cw * ch);
  uint8_t* yp = dst->pixels.data();
  uint8_t* up = yp + w * h;
  uint8_t* vp = up + cw * ch;
  for (size_t y = 0; y < h; ++y) std::copy_n(src.data + y * src.stride, w, yp + y * w);
  if (src.format == Image::Format::Nv12) {
    for (size_t y = 0; y < ch; ++y) {
      const uint8_t* uv = src.u + y * src.uvStride;
      for (size_t x = 0; x < cw; ++x) {
        up[y * cw + x] = uv[2 * x];
        vp[y * cw + x] = uv[2 * x + 1];
      }
    }
  } else {
    for (size_t y = 0; y < ch; ++y) {
      std::copy_n(src.u + y * src.uvStride, cw, up + y * cw);
      std::copy_n(src.v + y * src.uvStride, cw, vp + y * cw);
    }
  }
  out.format = Image::Format::I420;
  out.data = yp;
  out.u = up;
  out.v = vp;
  out.stride = static_cast<int>(w);
  out.uvStride = static_cast<int>(cw);
}

void rowToRgb(const Image& img, int sy, const int* xmap, int outW, uint8_t* out) {
  const uint8_t* row = img.data + static_cast<size_t>(sy) * img.stride;
  if (img.format == Image::Format::Rgb) {
    for (int x = 0; x < outW; ++x) {
      const uint8_t* p = row + xmap[x] * 3;
      out[x * 3] = p[0];
      out[x * 3 + 1] = p[1];
      out[x * 3 + 2] = p[2];
    }
    return;
  }
  // I420: U and V planes; NV12: one interleaved UV plane (step 2).
  const bool nv12 = img.format == Image::Format::Nv12;
  const uint8_t* up = img.u + static_cast<size_t>(sy / 2) * img.uvStride;
  const uint8_t* vp = nv12 ? up + 1 : img.v + static_cast<size_t>(sy / 2) * img.uvStride;
  const int step = nv12 ? 2 : 1;
  auto clamp8 = [](int v) { return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v); };
  for (int x = 0; x < outW; ++x) {
    const int sx = xmap[x];
    const int c = 298 * (row[sx] - 16), d = up[sx / 2 * step] - 128, e = vp[sx / 2 * step] - 128;
    out[x * 3] = clamp8((c + 409 * e + 128) >> 8);
    out[x * 3 + 1] = clamp8((c - 100 * d - 208 * e + 128) >> 8);
    out[x * 3 + 2] = clamp8((c + 516 * d + 128) >> 8);
  }
}

}  // namespace vigil
