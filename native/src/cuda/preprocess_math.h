#pragma once
// Per-pixel maths of letterbox pre-processing, shared verbatim by the CUDA kernel and the CPU
// reference (so both compute the same thing). Plain structs only: compiles with g++ and nvcc.
#include <cstdint>

#if defined(__CUDACC__)
#define VIGIL_HD __host__ __device__ __forceinline__
#else
#define VIGIL_HD inline
#endif

namespace vigil::pp {

// Keep in sync with vigil::PixelFormat / vigil::YuvMatrix (preprocess_reference.h).
enum Format : int { kNv12 = 0, kI420 = 1, kRgb = 2, kBgr = 3, kRgba = 4, kBgra = 5 };
enum Matrix : int { kBt601 = 0, kBt709 = 1 };

struct Image {
  const uint8_t* plane[3];
  int stride[3];
  int width, height;
  int format, matrix;
};

struct Geometry {
  float scaleX, scaleY;  // network pixels per source pixel
  float padX, padY;      // network pixels left / top of the image
};

struct Norm {
  float mean[3], scale[3];  // per output channel, pixel units 0..255
  float pad;                // pad value, pixel units
  int bgr;                  // output channel 0 is blue
};

VIGIL_HD float clamp255(float v) { return v < 0.f ? 0.f : (v > 255.f ? 255.f : v); }
VIGIL_HD int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Limited-range YUV → RGB (0..255, unrounded floats).
VIGIL_HD void yuvToRgb(float y, float u, float v, int matrix, float rgb[3]) {
  const float c = 1.164383f * (y - 16.f), d = u - 128.f, e = v - 128.f;
  if (matrix == kBt601) {
    rgb[0] = clamp255(c + 1.596027f * e);
    rgb[1] = clamp255(c - 0.391762f * d - 0.812968f * e);
    rgb[2] = clamp255(c + 2.017232f * d);
  } else {
    rgb[0] = clamp255(c + 1.792741f * e);
    rgb[1] = clamp255(c - 0.213249f * d - 0.532909f * e);
    rgb[2] = clamp255(c + 2.112402f * d);
  }
}

// RGB of one source pixel; chroma of subsampled formats is taken from the 2×2 block it covers.
VIGIL_HD void sourceRgb(const Image& im, int x, int y, float rgb[3]) {
  switch (im.format) {
    case kNv12: {
      const float Y = im.plane[0][y * im.stride[0] + x];
      const uint8_t* uv = im.plane[1] + (y >> 1) * im.stride[1] + (x >> 1) * 2;
      yuvToRgb(Y, uv[0], uv[1], im.matrix, rgb);
      return;
    }
    case kI420: {
      const float Y = im.plane[0][y * im.stride[0] + x];
      const float U = im.plane[1][(y >> 1) * im.stride[1] + (x >> 1)];
      const float V = im.plane[2][(y >> 1) * im.stride[2] + (x >> 1)];
      yuvToRgb(Y, U, V, im.matrix, rgb);
      return;
    }
    default: {
      const int bpp = (im.format == kRgba || im.format == kBgra) ? 4 : 3;
      const uint8_t* p = im.plane[0] + y * im.stride[0] + x * bpp;
      const bool bgrIn = im.format == kBgr || im.format == kBgra;
      rgb[0] = p[bgrIn ? 2 : 0];
      rgb[1] = p[1];
      rgb[2] = p[bgrIn ? 0 : 2];
      return;
    }
  }
}

// Normalised values of network pixel (ox, oy), in output channel order. Bilinear sampling with
// pixel centres at +0.5 and edge clamping; pixels whose centre falls outside the image get the pad.
VIGIL_HD void outputPixel(const Image& im, const Geometry& g, const Norm& n, int ox, int oy, float out[3]) {
  const float u = (static_cast<float>(ox) + 0.5f - g.padX) / g.scaleX;
  const float v = (static_cast<float>(oy) + 0.5f - g.padY) / g.scaleY;
  float rgb[3];
  if (u < 0.f || v < 0.f || u >= static_cast<float>(im.width) || v >= static_cast<float>(im.height)) {
    rgb[0] = rgb[1] = rgb[2] = n.pad;
  } else {
    float sx = u - 0.5f, sy = v - 0.5f;
    sx = sx < 0.f ? 0.f : sx;
    sy = sy < 0.f ? 0.f : sy;
    const int x0 = clampi(static_cast<int>(sx), 0, im.width - 1);
    const int y0 = clampi(static_cast<int>(sy), 0, im.height - 1);
    const int x1 = x0 + 1 < im.width ? x0 + 1 : im.width - 1;
    const int y1 = y0 + 1 < im.height ? y0 + 1 : im.height - 1;
    const float fx = sx - static_cast<float>(x0) > 1.f ? 1.f : sx - static_cast<float>(x0);
    const float fy = sy - static_cast<float>(y0) > 1.f ? 1.f : sy - static_cast<float>(y0);
    float p00[3], p01[3], p10[3], p11[3];
    sourceRgb(im, x0, y0, p00);
    sourceRgb(im, x1, y0, p01);
    sourceRgb(im, x0, y1, p10);
    sourceRgb(im, x1, y1, p11);
    for (int c = 0; c < 3; ++c) {
      const float top = p00[c] * (1.f - fx) + p01[c] * fx;
      const float bottom = p10[c] * (1.f - fx) + p11[c] * fx;
      rgb[c] = top * (1.f - fy) + bottom * fy;
    }
  }
  for (int c = 0; c < 3; ++c) {
    const float px = rgb[n.bgr ? 2 - c : c];
    out[c] = (px - n.mean[c]) * n.scale[c];
  }
}

}  // namespace vigil::pp
