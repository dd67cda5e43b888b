// Pixels, tensor formats and the frame ↔ network-input geometry (nvstreammux / nvinfer scaling).
#include "image.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace vigil {

const char* pixelFormatName(PixelFormat format) {
  switch (format) {
    case PixelFormat::Nv12:
      return "NV12";
    case PixelFormat::I420:
      return "I420";
    case PixelFormat::Rgb:
      return "RGB";
    case PixelFormat::Bgr:
      return "BGR";
    case PixelFormat::Rgba:
      return "RGBA";
    case PixelFormat::Bgra:
      return "BGRA";
  }
  return "?";
}

int planeCount(PixelFormat format) {
  switch (format) {
    case PixelFormat::Nv12:
      return 2;
    case PixelFormat::I420:
      return 3;
    default:
      return 1;
  }
}

namespace {
int bytesPerPixel(PixelFormat f) { return f == PixelFormat::Rgba || f == PixelFormat::Bgra ? 4 : 3; }
bool isYuv(PixelFormat f) { return f == PixelFormat::Nv12 || f == PixelFormat::I420; }
}  // namespace

Image packedImage(PixelFormat format, const uint8_t* data, int width, int height) {
  if (planeCount(format) != 1)
    throw std::invalid_argument(std::string("packedImage: ") + pixelFormatName(format) + " is planar — use nv12Image/i420Image");
  Image v;
  v.format = format;
  v.width = width;
  v.height = height;
  v.planes[0] = data;
  v.strides[0] = width * bytesPerPixel(format);
  return v;
}

Image nv12Image(const uint8_t* y, const uint8_t* uv, int width, int height, YuvMatrix matrix) {
  Image v;
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

Image i420Image(const uint8_t* y, const uint8_t* u, const uint8_t* vp, int width, int height, YuvMatrix matrix) {
  Image v;
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

size_t planeBytes(const Image& image, int plane) {
  if (plane < 0 || plane >= planeCount(image.format)) return 0;
  const int rows = plane == 0 ? image.height : (image.height + 1) / 2;
  return static_cast<size_t>(image.strides[plane]) * static_cast<size_t>(rows);
}

void validateImage(const Image& image, const char* what) {
  const std::string name = std::string(what) + " (" + pixelFormatName(image.format) + " " + std::to_string(image.width) + "x" +
                           std::to_string(image.height) + ")";
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

void copyImage(const Image& src, OwnedImage* dst) {
  if (src.onDevice) throw std::invalid_argument("copyImage: the frame is in GPU memory — copy it to the host first (hostCopy)");
  const size_t w = static_cast<size_t>(src.width), h = static_cast<size_t>(src.height);
  Image& out = dst->image;
  out = src;
  if (!isYuv(src.format)) {
    const size_t row = w * static_cast<size_t>(bytesPerPixel(src.format));
    dst->pixels.resize(row * h);
    for (size_t y = 0; y < h; ++y) std::copy_n(src.planes[0] + y * static_cast<size_t>(src.strides[0]), row, dst->pixels.data() + y * row);
    out.planes[0] = dst->pixels.data();
    out.strides[0] = static_cast<int>(row);
    return;
  }
  const size_t cw = (w + 1) / 2, ch = (h + 1) / 2;
  dst->pixels.resize(w * h + 2 * cw * ch);
  uint8_t* yp = dst->pixels.data();
  uint8_t* up = yp + w * h;
  uint8_t* vp = up + cw * ch;
  for (size_t y = 0; y < h; ++y) std::copy_n(src.planes[0] + y * static_cast<size_t>(src.strides[0]), w, yp + y * w);
  if (src.format == PixelFormat::Nv12) {
    for (size_t y = 0; y < ch; ++y) {
      const uint8_t* uv = src.planes[1] + y * static_cast<size_t>(src.strides[1]);
      for (size_t x = 0; x < cw; ++x) {
        up[y * cw + x] = uv[2 * x];
        vp[y * cw + x] = uv[2 * x + 1];
      }
    }
  } else {
    for (size_t y = 0; y < ch; ++y) {
      std::copy_n(src.planes[1] + y * static_cast<size_t>(src.strides[1]), cw, up + y * cw);
      std::copy_n(src.planes[2] + y * static_cast<size_t>(src.strides[2]), cw, vp + y * cw);
    }
  }
  out.format = PixelFormat::I420;
  out.planes[0] = yp;
  out.planes[1] = up;
  out.planes[2] = vp;
  out.strides[0] = static_cast<int>(w);
  out.strides[1] = out.strides[2] = static_cast<int>(cw);
}

void rowToRgb(const Image& img, int sy, const int* xmap, int outW, uint8_t* out) {
  const uint8_t* row = img.planes[0] + static_cast<size_t>(sy) * static_cast<size_t>(img.strides[0]);
  if (!isYuv(img.format)) {
    const int bpp = bytesPerPixel(img.format);
    const bool bgr = img.format == PixelFormat::Bgr || img.format == PixelFormat::Bgra;
    for (int x = 0; x < outW; ++x) {
      const uint8_t* p = row + xmap[x] * bpp;
      out[x * 3] = p[bgr ? 2 : 0];
      out[x * 3 + 1] = p[1];
      out[x * 3 + 2] = p[bgr ? 0 : 2];
    }
    return;
  }
  // I420: U and V planes; NV12: one interleaved UV plane (step 2).
  const bool nv12 = img.format == PixelFormat::Nv12;
  const uint8_t* up = img.planes[1] + static_cast<size_t>(sy / 2) * static_cast<size_t>(img.strides[1]);
  const uint8_t* vp = nv12 ? up + 1 : img.planes[2] + static_cast<size_t>(sy / 2) * static_cast<size_t>(img.strides[2]);
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

size_t floatsPerImage(const TensorFormat& format) { return static_cast<size_t>(format.width) * static_cast<size_t>(format.height) * 3; }

void validateTensorFormat(const TensorFormat& format) {
  if (format.width <= 0 || format.height <= 0)
    throw std::invalid_argument("tensor format: network size " + std::to_string(format.width) + "x" + std::to_string(format.height) +
                                " must be positive");
  for (float s : format.scale)
    if (!std::isfinite(s)) throw std::invalid_argument("tensor format: scale must be finite");
}

float iou(const Box& a, const Box& b) {
  const float ix = std::min(a.right(), b.right()) - std::max(a.x, b.x);
  const float iy = std::min(a.bottom(), b.bottom()) - std::max(a.y, b.y);
  if (ix <= 0 || iy <= 0) return 0.f;
  const float inter = ix * iy;
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.f;
}

LetterboxTransform letterboxGeometry(int srcW, int srcH, int netW, int netH, bool keepAspect) {
  if (srcW <= 0 || srcH <= 0 || netW <= 0 || netH <= 0)
    throw std::invalid_argument("letterbox: sizes must be positive (source " + std::to_string(srcW) + "x" + std::to_string(srcH) +
                                ", network " + std::to_string(netW) + "x" + std::to_string(netH) + ")");
  LetterboxTransform t;
  t.srcWidth = srcW;
  t.srcHeight = srcH;
  t.netWidth = netW;
  t.netHeight = netH;
  const float sx = static_cast<float>(netW) / static_cast<float>(srcW);
  const float sy = static_cast<float>(netH) / static_cast<float>(srcH);
  if (!keepAspect) {
    t.scaleX = sx;
    t.scaleY = sy;
    return t;
  }
  const float s = std::min(sx, sy);
  t.scaleX = t.scaleY = s;
  t.padX = (static_cast<float>(netW) - static_cast<float>(srcW) * s) * 0.5f;
  t.padY = (static_cast<float>(netH) - static_cast<float>(srcH) * s) * 0.5f;
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
