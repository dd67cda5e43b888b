#pragma once
// Letterbox/stretch resize + normalisation of an RGB frame straight into a network input tensor.
#include <cstdint>
#include <vector>

#include "manifest.h"
#include "vision.h"

namespace vigil {

// A decoded frame: packed RGB, planar I420 (what software decoders emit; no full-frame RGB
// conversion), or NV12 (what NVDEC emits; `u` is the interleaved UV plane, `v` unused).
// onDevice: the planes are CUDA device pointers (NVDEC frames kept in GPU memory) that only the CUDA
// pre-processing reads; CPU code gets a host copy first (hostCopy in source.h).
struct Image {
  enum class Format { Rgb, I420, Nv12 };
  const uint8_t* data = nullptr;          // RGB pixels, or the Y plane
  int width = 0, height = 0, stride = 0;  // stride in bytes
  const uint8_t* u = nullptr;             // I420 chroma planes (half size), or NV12's UV plane
  const uint8_t* v = nullptr;
  int uvStride = 0;
  Format format = Format::Rgb;
  bool onDevice = false;
};
using RgbImage = Image;

// An image that owns its pixels (snapshots keep one per live track).
struct OwnedImage {
  std::vector<uint8_t> pixels;
  Image image;
};
// Host images only; NV12 becomes I420 in the copy (what the JPEG and drawing code read).
void copyImage(const Image& src, OwnedImage* dst);

// Writes row `sy` of the image as RGB bytes, sampling source columns xmap[0..outW) (pixel indices).
void rowToRgb(const Image& img, int sy, const int* xmap, int outW, uint8_t* out);

// Precomputed per-size tables, so the hot loop only does multiply-adds.
class Preprocessor {
 public:
  explicit Preprocessor(const ModelManifest& m) : m_(m) {}
  // Writes one image (3 x netH x netW floats, layout per manifest) to `out`; returns the transform
  // that maps network boxes back to this frame.
  LetterboxTransform run(const RgbImage& img, float* out);

 private:
  void prepare(int srcW, int srcH);
  const ModelManifest& m_;
  int srcW_ = 0, srcH_ = 0;
  LetterboxTransform t_;
  int x0_ = 0, x1_ = 0, y0_ = 0, y1_ = 0;  // destination rectangle covered by the image
  std::vector<int> xi_;                    // left source column per destination column
  std::vector<float> xf_;                  // right tap weight per destination column
  std::vector<int> yi_;
  std::vector<float> yf_;
  std::vector<float> row_;                 // one destination row, interleaved RGB floats
};

}  // namespace vigil
