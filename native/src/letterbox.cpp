#include "letterbox.h"

#include <algorithm>
#include <stdexcept>

namespace vigil {

static_assert(static_cast<int>(PixelFormat::Nv12) == pp::kNv12 && static_cast<int>(PixelFormat::I420) == pp::kI420 &&
                  static_cast<int>(PixelFormat::Rgb) == pp::kRgb && static_cast<int>(PixelFormat::Bgr) == pp::kBgr &&
                  static_cast<int>(PixelFormat::Rgba) == pp::kRgba && static_cast<int>(PixelFormat::Bgra) == pp::kBgra,
              "pp::Format follows vigil::PixelFormat");
static_assert(static_cast<int>(YuvMatrix::Bt601) == pp::kBt601 && static_cast<int>(YuvMatrix::Bt709) == pp::kBt709,
              "pp::Matrix follows vigil::YuvMatrix");

CpuLetterbox::CpuLetterbox(const TensorFormat& format) : format_(format) {
  validateTensorFormat(format_);
  for (int c = 0; c < 3; ++c) {
    norm_.mean[c] = format_.mean[c];
    norm_.scale[c] = format_.scale[c];
  }
  norm_.pad = format_.padValue;
  norm_.bgr = format_.bgr ? 1 : 0;
  const float grey[3] = {norm_.pad, norm_.pad, norm_.pad};
  float padded[3];
  pp::normalise(norm_, grey, padded);
  pad_.assign(padded, padded + 3);
}

void CpuLetterbox::prepare(const Image& image, const LetterboxTransform& t) {
  if (prepared_ && image.width == srcW_ && image.height == srcH_ && t.scaleX == t_.scaleX && t.scaleY == t_.scaleY && t.padX == t_.padX &&
      t.padY == t_.padY)
    return;
  srcW_ = image.width;
  srcH_ = image.height;
  t_ = t;
  const int W = format_.width, H = format_.height;
  xt_.assign(static_cast<size_t>(W), pp::Tap{0, 0, 0.f});
  yt_.assign(static_cast<size_t>(H), pp::Tap{0, 0, 0.f});
  yIn_.assign(static_cast<size_t>(H), 0);
  x0_ = W;
  x1_ = 0;
  for (int x = 0; x < W; ++x)
    if (pp::axisTap(x, t.padX, t.scaleX, srcW_, &xt_[static_cast<size_t>(x)])) {
      x0_ = std::min(x0_, x);
      x1_ = x + 1;
    }
  if (x1_ < x0_) x1_ = x0_;
  for (int y = 0; y < H; ++y) yIn_[static_cast<size_t>(y)] = pp::axisTap(y, t.padY, t.scaleY, srcH_, &yt_[static_cast<size_t>(y)]);
  prepared_ = true;
}

template <int F, bool Nchw>
void CpuLetterbox::fill(const pp::Image& im, float* out) {
  const int W = format_.width, H = format_.height;
  const size_t plane = static_cast<size_t>(W) * static_cast<size_t>(H);
  const float* pad = pad_.data();
  for (int y = 0; y < H; ++y) {
    float* r = out + static_cast<size_t>(y) * static_cast<size_t>(W) * (Nchw ? 1 : 3);
    auto put = [&](int x, const float v[3]) {
      if constexpr (Nchw) {
        r[x] = v[0];
        r[plane + static_cast<size_t>(x)] = v[1];
        r[2 * plane + static_cast<size_t>(x)] = v[2];
      } else {
        r[3 * x] = v[0];
        r[3 * x + 1] = v[1];
        r[3 * x + 2] = v[2];
      }
    };
    const bool inside = yIn_[static_cast<size_t>(y)] != 0;
    const int a = inside ? x0_ : W, b = inside ? x1_ : W;
    for (int x = 0; x < a; ++x) put(x, pad);
    const pp::Tap ty = yt_[static_cast<size_t>(y)];
    const pp::Tap* xt = xt_.data();
    float rgb[3], v[3];
    for (int x = a; x < b; ++x) {
      pp::sampleAs<F>(im, xt[x], ty, rgb);
      pp::normalise(norm_, rgb, v);
      put(x, v);
    }
    for (int x = b; x < W; ++x) put(x, pad);
  }
}

template <int F>
void CpuLetterbox::fill(const pp::Image& im, float* out) {
  if (format_.layout == TensorLayout::Nchw)
    fill<F, true>(im, out);
  else
    fill<F, false>(im, out);
}

void CpuLetterbox::run(const Image& image, const LetterboxTransform& transform, float* out) {
  if (image.onDevice) throw std::invalid_argument("CPU letterbox got a frame in GPU memory — copy it to the host first");
  validateImage(image, "letterbox image");
  if (!out) throw std::invalid_argument("CPU letterbox: null tensor");
  if (transform.scaleX <= 0 || transform.scaleY <= 0) throw std::invalid_argument("CPU letterbox: transform scales must be positive");
  prepare(image, transform);
  pp::Image im{};
  for (int p = 0; p < 3; ++p) {
    im.plane[p] = image.planes[p];
    im.stride[p] = image.strides[p];
  }
  im.width = image.width;
  im.height = image.height;
  im.format = static_cast<int>(image.format);
  im.matrix = static_cast<int>(image.matrix);
  switch (image.format) {
    case PixelFormat::Nv12:
      fill<pp::kNv12>(im, out);
      break;
    case PixelFormat::I420:
      fill<pp::kI420>(im, out);
      break;
    case PixelFormat::Rgb:
      fill<pp::kRgb>(im, out);
      break;
    case PixelFormat::Bgr:
      fill<pp::kBgr>(im, out);
      break;
    case PixelFormat::Rgba:
      fill<pp::kRgba>(im, out);
      break;
    case PixelFormat::Bgra:
      fill<pp::kBgra>(im, out);
      break;
  }
}

LetterboxTransform CpuLetterbox::run(const Image& image, float* out) {
  validateImage(image, "letterbox image");
  const LetterboxTransform t = letterboxGeometry(image.width, image.height, format_.width, format_.height, format_.keepAspect);
  run(image, t, out);
  return t;
}

void letterboxToTensorCpu(const Image& image, const LetterboxTransform& transform, const TensorFormat& format, float* batchTensor,
                          int slot) {
  if (!batchTensor || slot < 0) throw std::invalid_argument("letterboxToTensorCpu: null tensor or negative slot");
  CpuLetterbox(format).run(image, transform, batchTensor + static_cast<size_t>(slot) * floatsPerImage(format));
}

LetterboxTransform letterboxToTensorCpu(const Image& image, const TensorFormat& format, float* batchTensor, int slot) {
  if (!batchTensor || slot < 0) throw std::invalid_argument("letterboxToTensorCpu: null tensor or negative slot");
  return CpuLetterbox(format).run(image, batchTensor + static_cast<size_t>(slot) * floatsPerImage(format));
}

}  // namespace vigil
