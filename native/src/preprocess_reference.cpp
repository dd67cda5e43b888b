#include "preprocess_reference.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "cuda/preprocess_math.h"

namespace vigil {

const char* pixelFormatName(PixelFormat f) {
  switch (f) {
    case PixelFormat::Nv12: return "NV12";
    case PixelFormat::I420: return "I420";
    case PixelFormat::Rgb: return "RGB";
    case PixelFormat::Bgr: return "BGR";
    case PixelFormat::Rgba: return "RGBA";
    case PixelFormat::Bgra: return "BGRA";
  }
  return "?";
}

int planeCount(PixelFormat format) {
  switch (format) {
    case PixelFormat::Nv12: return 2;
    case PixelFormat::I420: return 3;
    default: return 1;
  }
}

static int bytesPerPixel(PixelFormat f) { return f == PixelFormat::Rgba || f == PixelFormat::Bgra ? 4 : 3; }

ImageView packedView(PixelFormat format, const uint8_t* data, int width, int height) {
  if (planeCount(format) != 1)
    throw std::invalid_argument(std::string("packedView: ") + pixelFormatName(format) + " is planar — use nv12View/i420View");
  ImageView v;
  v.format = format;
  v.width = width;
  v.height = height;
  v.planes[0] = data;
  v.strides[0] = width * bytesPerPixel(format);
  return v;
}

ImageView nv12View(const uint8_t* y, const uint8_t* uv, int width, int height, YuvMatrix matrix) {
  ImageView v;
  v.format = PixelFormat::Nv12;
  v.width = width;
  v.height = height;
  v.planes[0] = y;
  v.planes[1] = uv;
  v.strides[0] = width;
  v.strides[1] = (width + 1) / 2 * 2;
  v.matrix = matrix;
  return v;
}

ImageView i420View(const uint8_t* y, const uint8_t* u, const uint8_t* vp, int width, int height, YuvMatrix matrix) {
  ImageView v;
  v.format = PixelFormat::I420;
  v.width = width;
  v.height = height;
  v.planes[0] = y;
  v.planes[1] = u;
  v.planes[2] = vp;
  v.strides[0] = width;
  v.strides[1] = v.strides[2] = (width + 1) / 2;
  v.matrix = matrix;
  return v;
}

size_t planeBytes(const ImageView& image, int plane) {
  if (plane < 0 || plane >= planeCount(image.format)) return 0;
  const int rows = plane == 0 ? image.height : (image.height + 1) / 2;
  return static_cast<size_t>(image.strides[plane]) * static_cast<size_t>(rows);
}

size_t floatsPerImage(const TensorFormat& format) {
  return static_cast<size_t>(format.width) * static_cast<size_t>(format.height) * 3;
}

LetterboxTransform letterboxGeometry(int srcW, int srcH, int netW, int netH, bool keepAspect) {
  if (srcW <= 0 || srcH <= 0 || netW <= 0 || netH <= 0)
    throw std::invalid_argument("letterbox: sizes must be positive (source " + std::to_string(srcW) + "x" +
                                std::to_string(srcH) + ", network " + std::to_string(netW) + "x" +
                                std::to_string(netH) + ")");
  LetterboxTransform t;
  t.srcWidth = srcW;
  t.srcHeight = srcH;
  t.netWidth = netW;
  t.netHeight = netH;
  if (!keepAspect) {
    t.scaleX = static_cast<float>(netW) / static_cast<float>(srcW);
    t.scaleY = static_cast<float>(netH) / static_cast<float>(srcH);
    return t;
  }
  // Same float arithmetic as makeLetterbox (vision.h), so either transform describes this tensor.
  const float sx = static_cast<float>(netW) / static_cast<float>(srcW);
  const float sy = static_cast<float>(netH) / static_cast<float>(srcH);
  const float s = std::min(sx, sy);
  t.scaleX = t.scaleY = s;
  t.padX = (static_cast<float>(netW) - static_cast<float>(srcW) * s) * 0.5f;
  t.padY = (static_cast<float>(netH) - static_cast<float>(srcH) * s) * 0.5f;
  return t;
}

void validateImage(const ImageView& image, const char* what) {
  const std::string name = std::string(what) + " (" + pixelFormatName(image.format) + " " +
                           std::to_string(image.width) + "x" + std::to_string(image.height) + ")";
  if (image.width <= 0 || image.height <= 0) throw std::invalid_argument(name + ": width and height must be positive");
  const int planes = planeCount(image.format);
  for (int p = 0; p < planes; ++p) {
    if (!image.planes[p]) throw std::invalid_argument(name + ": plane " + std::to_string(p) + " is null");
    int minStride = image.width * (planes == 1 ? bytesPerPixel(image.format) : 1);
    if (p > 0) minStride = image.format == PixelFormat::Nv12 ? (image.width + 1) / 2 * 2 : (image.width + 1) / 2;
    if (image.strides[p] < minStride)
      throw std::invalid_argument(name + ": plane " + std::to_string(p) + " stride " + std::to_string(image.strides[p]) +
                                  " is below the row size " + std::to_string(minStride));
  }
}

void validateTensorFormat(const TensorFormat& format) {
  if (format.width <= 0 || format.height <= 0)
    throw std::invalid_argument("tensor format: network size " + std::to_string(format.width) + "x" +
                                std::to_string(format.height) + " must be positive");
  for (float s : format.scale)
    if (!std::isfinite(s)) throw std::invalid_argument("tensor format: scale must be finite");
}

void letterboxToTensorCpu(const ImageView& image, const LetterboxTransform& t, const TensorFormat& format,
                          float* batchTensor, int slot) {
  validateImage(image, "letterboxToTensorCpu image");
  validateTensorFormat(format);
  if (!batchTensor || slot < 0) throw std::invalid_argument("letterboxToTensorCpu: null tensor or negative slot");
  if (t.scaleX <= 0 || t.scaleY <= 0) throw std::invalid_argument("letterboxToTensorCpu: transform scales must be positive");
  pp::Image im{};
  for (int p = 0; p < 3; ++p) {
    im.plane[p] = image.planes[p];
    im.stride[p] = image.strides[p];
  }
  im.width = image.width;
  im.height = image.height;
  im.format = static_cast<int>(image.format);
  im.matrix = static_cast<int>(image.matrix);
  const pp::Geometry g{t.scaleX, t.scaleY, t.padX, t.padY};
  pp::Norm n{};
  for (int c = 0; c < 3; ++c) {
    n.mean[c] = format.mean[c];
    n.scale[c] = format.scale[c];
  }
  n.pad = format.padValue;
  n.bgr = format.bgr ? 1 : 0;
  const size_t W = static_cast<size_t>(format.width), H = static_cast<size_t>(format.height);
  float* base = batchTensor + static_cast<size_t>(slot) * floatsPerImage(format);
  float px[3];
  for (size_t y = 0; y < H; ++y)
    for (size_t x = 0; x < W; ++x) {
      pp::outputPixel(im, g, n, static_cast<int>(x), static_cast<int>(y), px);
      if (format.layout == TensorLayout::Nchw) {
        for (size_t c = 0; c < 3; ++c) base[c * W * H + y * W + x] = px[c];
      } else {
        for (size_t c = 0; c < 3; ++c) base[(y * W + x) * 3 + c] = px[c];
      }
    }
}

LetterboxTransform letterboxToTensorCpu(const ImageView& image, const TensorFormat& format, float* batchTensor,
                                        int slot) {
  LetterboxTransform t = letterboxGeometry(image.width, image.height, format.width, format.height, format.keepAspect);
  letterboxToTensorCpu(image, t, format, batchTensor, slot);
  return t;
}

}  // namespace vigil
