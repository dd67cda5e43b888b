#pragma once
// Letterbox pre-processing on the CPU: the reference for the CUDA kernels (native/src/cuda/) and
// usable by the CPU pipeline. Both run the same per-pixel maths (cuda/preprocess_math.h):
//   bilinear resize (pixel centres at +0.5, edges clamped) into the letterbox region, pad elsewhere,
//   value = (pixel - mean[c]) * scale[c] with pixel in 0..255 and c the output channel (after RGB/BGR order).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "vision.h"

namespace vigil {

enum class PixelFormat { Nv12, I420, Rgb, Bgr, Rgba, Bgra };
enum class YuvMatrix { Bt601, Bt709 };  // limited range (16..235); for NV12 / I420 only
enum class TensorLayout { Nchw, Nhwc };

const char* pixelFormatName(PixelFormat f);

// One frame in memory (host or device, depending on who reads it). Unused planes are null.
// Strides are bytes per row; NV12 plane 1 is interleaved UV, I420 planes 1/2 are U/V, both at half size (rounded up).
struct ImageView {
  PixelFormat format = PixelFormat::Rgb;
  int width = 0, height = 0;
  const uint8_t* planes[3] = {nullptr, nullptr, nullptr};
  int strides[3] = {0, 0, 0};
  YuvMatrix matrix = YuvMatrix::Bt709;
};

// Packed / planar views over contiguous buffers with the tightest strides.
ImageView packedView(PixelFormat format, const uint8_t* data, int width, int height);
ImageView nv12View(const uint8_t* y, const uint8_t* uv, int width, int height, YuvMatrix matrix = YuvMatrix::Bt709);
ImageView i420View(const uint8_t* y, const uint8_t* u, const uint8_t* v, int width, int height,
                   YuvMatrix matrix = YuvMatrix::Bt709);
// Bytes of each plane (stride × rows), for copying a view.
size_t planeBytes(const ImageView& image, int plane);
int planeCount(PixelFormat format);

// What the network input expects (manifest "input").
struct TensorFormat {
  int width = 640, height = 640;
  TensorLayout layout = TensorLayout::Nchw;
  bool bgr = false;  // output channel order
  float mean[3] = {0, 0, 0};
  float scale[3] = {1.f / 255.f, 1.f / 255.f, 1.f / 255.f};
  float padValue = 114;  // pixel units 0..255
  bool keepAspect = true;  // letterbox; false = stretch
};
size_t floatsPerImage(const TensorFormat& format);

// Letterbox geometry used by the pre-processing when the caller gives none: uniform scale
// s = min(netW/srcW, netH/srcH), padding split evenly (may be fractional). Stretch: no padding,
// independent scales. The same numbers as makeLetterbox (vision.h); throws on non-positive sizes.
LetterboxTransform letterboxGeometry(int srcW, int srcH, int netW, int netH, bool keepAspect);

// Throws std::invalid_argument naming the problem (empty size, null plane, stride too small...).
void validateImage(const ImageView& image, const char* what);
void validateTensorFormat(const TensorFormat& format);

// Writes image into slot `slot` of a batch tensor (N × 3 × H × W or N × H × W × 3 floats) with the
// given transform (from letterboxGeometry or makeLetterbox). Returns the transform it used.
void letterboxToTensorCpu(const ImageView& image, const LetterboxTransform& transform, const TensorFormat& format,
                          float* batchTensor, int slot);
LetterboxTransform letterboxToTensorCpu(const ImageView& image, const TensorFormat& format, float* batchTensor,
                                        int slot);

}  // namespace vigil
