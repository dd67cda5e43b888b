#pragma once
// Helpers shared by the native tests: a scratch folder per suite and generated I420 frames.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "image.h"

namespace vigil::testing {

// $VIGIL_TEST_TMP/<suite> (ctest sets it under the build folder), else the system temp folder; created.
std::filesystem::path tmpRoot(const std::string& suite);

// An I420 frame that owns its planes.
struct I420Frame {
  std::vector<uint8_t> y, u, v;
  Image image;
  int sx = 0, sy = 0, side = 0;  // the bright square (gradient frames)

  // Smooth gradients, a bright square at a seeded place, padded strides.
  I420Frame(int w, int h, unsigned seed);
  // One flat colour, tight strides.
  I420Frame(int w, int h, uint8_t Y, uint8_t U, uint8_t V);
  // True when the box's centre is on the bright square.
  bool onSquare(const Box& b) const;
};

}  // namespace vigil::testing
