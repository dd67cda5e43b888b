#pragma once
// The mean of one motion cell, shared by the CPU detector (motion.cpp) and the CUDA kernel
// (cuda/motion_cells.cu) so both read the same samples: every `step` pixels from half a step into
// the cell, clipped to the frame.
#include <cstdint>

#if defined(__CUDACC__)
#define VIGIL_MOTION_HD __host__ __device__ __forceinline__
#else
#define VIGIL_MOTION_HD inline
#endif

namespace vigil::motion {

// A single-byte luma plane (the Y plane of NV12 / I420).
struct LumaPlane {
  const uint8_t* data;
  int stride;
  VIGIL_MOTION_HD int operator()(int x, int y) const { return data[static_cast<long long>(y) * stride + x]; }
};

// Packed RGB kinds (3 or 4 bytes a pixel): BT.601 luma in 8-bit fixed point.
struct PackedLuma {
  const uint8_t* data;
  int stride, bytes;
  bool bgr;
  VIGIL_MOTION_HD int operator()(int x, int y) const {
    const uint8_t* p = data + static_cast<long long>(y) * stride + static_cast<long long>(x) * bytes;
    const int r = bgr ? p[2] : p[0], g = p[1], b = bgr ? p[0] : p[2];
    return (77 * r + 150 * g + 29 * b) >> 8;
  }
};

template <class Read>
VIGIL_MOTION_HD uint8_t cellMean(const Read& read, int width, int height, int cell, int step, int cx, int cy) {
  const int half = step / 2;
  const int y0 = cy * cell, x0 = cx * cell;
  const int y1 = y0 + cell < height ? y0 + cell : height, x1 = x0 + cell < width ? x0 + cell : width;
  const int ys = y0 + half < y1 - 1 ? y0 + half : y1 - 1, xs = x0 + half < x1 - 1 ? x0 + half : x1 - 1;
  int sum = 0, n = 0;
  for (int y = ys; y < y1; y += step)
    for (int x = xs; x < x1; x += step) {
      sum += read(x, y);
      ++n;
    }
  return static_cast<uint8_t>((sum + n / 2) / n);
}

}  // namespace vigil::motion
