#pragma once
// Letterbox/stretch resize + normalisation of an RGB frame straight into a network input tensor.
#include <cstdint>
#include <vector>

#include "manifest.h"
#include "vision.h"

namespace vigil {

struct RgbImage {
  const uint8_t* data = nullptr;
  int width = 0, height = 0, stride = 0;  // stride in bytes
};

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
  std::vector<int> xi_;                    // left source column (byte offset) per destination column
  std::vector<float> xf_;                  // right tap weight per destination column
  std::vector<int> yi_;
  std::vector<float> yf_;
  std::vector<float> row_;                 // one destination row, interleaved RGB floats
};

}  // namespace vigil
