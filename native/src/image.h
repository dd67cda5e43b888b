#pragma once
// The bottom layer of the engine: pixels (Image), network input formats (TensorFormat) and the
// geometry between the two (Box, LetterboxTransform). Everything else builds on these names.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vigil {

// ---- pixels ----
enum class PixelFormat { Nv12, I420, Rgb, Bgr, Rgba, Bgra };
enum class YuvMatrix { Bt601, Bt709 };  // limited range (16..235); NV12 / I420 only
const char* pixelFormatName(PixelFormat format);
int planeCount(PixelFormat format);

// A frame in memory, not owned. Packed formats use plane 0; I420 has Y, U, V planes; NV12 has Y and
// an interleaved UV plane; chroma planes are half size (rounded up). Strides are bytes per row.
// onDevice: the planes are CUDA device pointers (NVDEC frames kept in GPU memory) that only the CUDA
// letterbox reads; CPU code gets a host copy first (hostCopy in source.h).
struct Image {
  PixelFormat format = PixelFormat::Rgb;
  int width = 0, height = 0;
  const uint8_t* planes[3] = {nullptr, nullptr, nullptr};
  int strides[3] = {0, 0, 0};
  YuvMatrix matrix = YuvMatrix::Bt601;  // what cameras and x264 emit
  bool onDevice = false;
};

// Views over contiguous buffers with the tightest strides.
Image packedImage(PixelFormat format, const uint8_t* data, int width, int height);
Image nv12Image(const uint8_t* y, const uint8_t* uv, int width, int height, YuvMatrix matrix = YuvMatrix::Bt601);
Image i420Image(const uint8_t* y, const uint8_t* u, const uint8_t* v, int width, int height, YuvMatrix matrix = YuvMatrix::Bt601);
// Bytes of one plane (stride × rows), for copying an image; 0 for a plane the format lacks.
size_t planeBytes(const Image& image, int plane);
// Throws std::invalid_argument naming the problem (empty size, null plane, stride too small...).
void validateImage(const Image& image, const char* what);

// An image that owns its pixels (snapshots keep one per live track).
struct OwnedImage {
  std::vector<uint8_t> pixels;
  Image image;
};
// Host images only: packed formats are copied as they are, NV12 becomes I420 (what the JPEG and
// drawing code read). Throws std::invalid_argument for a frame in GPU memory.
void copyImage(const Image& src, OwnedImage* dst);
// Writes row `sy` of a host image as RGB bytes, sampling source columns xmap[0..outW).
void rowToRgb(const Image& image, int sy, const int* xmap, int outW, uint8_t* out);

// ---- network input ----
enum class TensorLayout { Nchw, Nhwc };

// What the network input expects (the manifest's "input" section).
struct TensorFormat {
  int width = 640, height = 640;
  TensorLayout layout = TensorLayout::Nchw;
  bool bgr = false;  // output channel order
  float mean[3] = {0, 0, 0};
  float scale[3] = {1.f / 255.f, 1.f / 255.f, 1.f / 255.f};
  float padValue = 114;    // pixel units 0..255
  bool keepAspect = true;  // letterbox; false = stretch
};
size_t floatsPerImage(const TensorFormat& format);
void validateTensorFormat(const TensorFormat& format);

// ---- geometry ----
// Pixels; a Box is top-left x/y plus width/height.
struct Box {
  float x = 0, y = 0, w = 0, h = 0;
  float area() const { return w > 0 && h > 0 ? w * h : 0.f; }
  float right() const { return x + w; }
  float bottom() const { return y + h; }
};
float iou(const Box& a, const Box& b);

// How a frame was fitted into the network input (letterbox keeps aspect, stretch does not).
struct LetterboxTransform {
  float scaleX = 1, scaleY = 1;  // network pixels per source pixel
  float padX = 0, padY = 0;      // network pixels of padding on the left / top
  int srcWidth = 0, srcHeight = 0;
  int netWidth = 0, netHeight = 0;
};
// Letterbox: uniform scale s = min(netW/srcW, netH/srcH), padding split evenly (may be fractional).
// Stretch: no padding, independent scales. Throws std::invalid_argument on non-positive sizes.
LetterboxTransform letterboxGeometry(int srcW, int srcH, int netW, int netH, bool keepAspect);
// Network-space box → source-space box, clipped to the frame.
Box toSource(const LetterboxTransform& t, const Box& netBox);
// Source-space box → network-space box.
Box toNetwork(const LetterboxTransform& t, const Box& srcBox);

}  // namespace vigil
