#pragma once
// The arithmetic of letterboxing, shared verbatim by the CUDA kernel (one thread per network pixel)
// and the CPU letterbox (tables per column, one row at a time), so both compute the same tensor:
//   network pixel (ox, oy) samples the source at ((o + 0.5 - pad) / scale) on each axis; a pixel whose
//   centre falls outside the image gets the pad value; inside, luma (or each packed channel) is
//   bilinear with pixel centres at +0.5 and edges clamped, chroma is taken from the sample nearest to
//   the point; limited-range YUV becomes RGB once per pixel; value = (pixel - mean[c]) * scale[c].
// Plain structs only: compiles with g++ and nvcc.
#include <cstdint>

#if defined(__CUDACC__)
#define VIGIL_HD __host__ __device__ __forceinline__
#else
#define VIGIL_HD inline
#endif

namespace vigil::pp {

// The same order as vigil::PixelFormat / vigil::YuvMatrix (image.h); letterbox.cpp checks it at compile time.
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

// Where one network row or column samples the source: the two neighbours and the weight of the second.
struct Tap {
  int i0, i1;
  float f;
};

VIGIL_HD float clamp255(float v) { return v < 0.f ? 0.f : (v > 255.f ? 255.f : v); }
VIGIL_HD int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Network index o on an axis of `length` source pixels; false when its centre is outside the image.
VIGIL_HD bool axisTap(int o, float pad, float scale, int length, Tap* t) {
  const float u = (static_cast<float>(o) + 0.5f - pad) / scale;
  if (u < 0.f || u >= static_cast<float>(length)) return false;
  float s = u - 0.5f;
  s = s < 0.f ? 0.f : s;
  const int i0 = clampi(static_cast<int>(s), 0, length - 1);
  t->i0 = i0;
  t->i1 = i0 + 1 < length ? i0 + 1 : length - 1;
  const float f = s - static_cast<float>(i0);
  t->f = f > 1.f ? 1.f : f;
  return true;
}

// The source index nearest to the sampled point (for chroma).
VIGIL_HD int nearest(const Tap& t) { return t.f >= 0.5f ? t.i1 : t.i0; }

VIGIL_HD float lerp(float a, float b, float f) { return a + f * (b - a); }

VIGIL_HD float bilinear(const uint8_t* row0, const uint8_t* row1, int x0, int x1, float fx, float fy) {
  return lerp(lerp(row0[x0], row0[x1], fx), lerp(row1[x0], row1[x1], fx), fy);
}

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

// RGB of the source at taps (tx, ty), for a format known at compile time (the CPU loops are
// instantiated per format; the kernel dispatches with sample()).
template <int F>
VIGIL_HD void sampleAs(const Image& im, const Tap& tx, const Tap& ty, float rgb[3]) {
  const uint8_t* r0 = im.plane[0] + ty.i0 * im.stride[0];
  const uint8_t* r1 = im.plane[0] + ty.i1 * im.stride[0];
  if (F == kNv12 || F == kI420) {
    const float y = bilinear(r0, r1, tx.i0, tx.i1, tx.f, ty.f);
    const int cx = nearest(tx) >> 1, cy = nearest(ty) >> 1;
    float u, v;
    if (F == kNv12) {
      const uint8_t* uv = im.plane[1] + cy * im.stride[1] + cx * 2;
      u = uv[0];
      v = uv[1];
    } else {
      u = im.plane[1][cy * im.stride[1] + cx];
      v = im.plane[2][cy * im.stride[2] + cx];
    }
    yuvToRgb(y, u, v, im.matrix, rgb);
  } else {
    const int bpp = (F == kRgba || F == kBgra) ? 4 : 3;
    const bool bgrIn = F == kBgr || F == kBgra;
    for (int c = 0; c < 3; ++c) {
      const int s = bgrIn ? 2 - c : c;
      rgb[c] = bilinear(r0 + s, r1 + s, tx.i0 * bpp, tx.i1 * bpp, tx.f, ty.f);
    }
  }
}

VIGIL_HD void sample(const Image& im, const Tap& tx, const Tap& ty, float rgb[3]) {
  switch (im.format) {
    case kNv12:
      sampleAs<kNv12>(im, tx, ty, rgb);
      return;
    case kI420:
      sampleAs<kI420>(im, tx, ty, rgb);
      return;
    case kRgb:
      sampleAs<kRgb>(im, tx, ty, rgb);
      return;
    case kBgr:
      sampleAs<kBgr>(im, tx, ty, rgb);
      return;
    case kRgba:
      sampleAs<kRgba>(im, tx, ty, rgb);
      return;
    default:
      sampleAs<kBgra>(im, tx, ty, rgb);
      return;
  }
}

// Network values of a source RGB pixel, in output channel order.
VIGIL_HD void normalise(const Norm& n, const float rgb[3], float out[3]) {
  for (int c = 0; c < 3; ++c) out[c] = (rgb[n.bgr ? 2 - c : c] - n.mean[c]) * n.scale[c];
}

// Normalised values of network pixel (ox, oy), in output channel order (what the kernel computes).
VIGIL_HD void outputPixel(const Image& im, const Geometry& g, const Norm& n, int ox, int oy, float out[3]) {
  Tap tx, ty;
  float rgb[3];
  if (axisTap(ox, g.padX, g.scaleX, im.width, &tx) && axisTap(oy, g.padY, g.scaleY, im.height, &ty)) {
    sample(im, tx, ty, rgb);
  } else {
    rgb[0] = rgb[1] = rgb[2] = n.pad;
  }
  normalise(n, rgb, out);
}

}  // namespace vigil::pp
