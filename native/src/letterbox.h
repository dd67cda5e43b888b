#pragma once
// The CPU letterbox: a frame → its slot of a float network input, with the per-pixel arithmetic of
// the CUDA kernel (cuda/preprocess_math.h), so both paths write the same tensor. Per-size column
// tables make the hot loop a handful of multiply-adds per pixel.
#include <vector>

#include "cuda/preprocess_math.h"
#include "image.h"

namespace vigil {

class CpuLetterbox {
 public:
  explicit CpuLetterbox(const TensorFormat& format);  // throws std::invalid_argument for a bad format

  // Writes one host image (3 × H × W or H × W × 3 floats) to `out` with the geometry of
  // letterboxGeometry(); returns that transform (maps network boxes back to this frame).
  LetterboxTransform run(const Image& image, float* out);
  // The same with a given transform (scales must be positive).
  void run(const Image& image, const LetterboxTransform& transform, float* out);

  const TensorFormat& format() const { return format_; }

 private:
  void prepare(const Image& image, const LetterboxTransform& transform);
  template <int F>
  void fill(const pp::Image& im, float* out);
  template <int F, bool Nchw>
  void fill(const pp::Image& im, float* out);

  TensorFormat format_;
  pp::Norm norm_{};
  // Tables for the last source size and transform.
  int srcW_ = 0, srcH_ = 0;
  LetterboxTransform t_{};
  bool prepared_ = false;
  int x0_ = 0, x1_ = 0;      // network columns whose centre falls inside the image
  std::vector<pp::Tap> xt_;  // per network column
  std::vector<pp::Tap> yt_;  // per network row
  std::vector<char> yIn_;    // per network row: inside the image
  std::vector<float> pad_;   // one row of the pad value, per channel
};

// One-shot forms (tests, the addon): write `image` into slot `slot` of a batch tensor.
void letterboxToTensorCpu(const Image& image, const LetterboxTransform& transform, const TensorFormat& format, float* batchTensor,
                          int slot);
LetterboxTransform letterboxToTensorCpu(const Image& image, const TensorFormat& format, float* batchTensor, int slot);

}  // namespace vigil
