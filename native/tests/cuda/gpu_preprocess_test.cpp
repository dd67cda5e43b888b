// CUDA letterbox pre-processing against the CPU reference (same maths, max abs error <= 1e-3),
// and the CPU reference against hand-computed values. On a machine without a usable GPU the CUDA
// comparisons print "CUDA tests not run: <reason>" and check that the API reports that reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "cuda/gpu_preprocess.h"
#include "letterbox.h"

using namespace vigil;

namespace {

// A frame with its own storage; strides are padded past the row size to exercise pitch handling.
struct OwnedFrame {
  std::vector<uint8_t> p[3];
  Image view;
};

OwnedFrame makeFrame(PixelFormat format, int w, int h, unsigned seed, int pitchPad = 7) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  OwnedFrame f;
  f.view.format = format;
  f.view.width = w;
  f.view.height = h;
  f.view.matrix = (seed & 1) ? YuvMatrix::Bt601 : YuvMatrix::Bt709;
  const int cw = (w + 1) / 2, ch = (h + 1) / 2;
  auto fill = [&](int plane, int stride, int rows) {
    f.p[plane].resize(static_cast<size_t>(stride) * rows);
    for (auto& b : f.p[plane]) b = static_cast<uint8_t>(byte(rng));
    f.view.planes[plane] = f.p[plane].data();
    f.view.strides[plane] = stride;
  };
  switch (format) {
    case PixelFormat::Nv12:
      fill(0, w + pitchPad, h);
      fill(1, cw * 2 + pitchPad + 1, ch);
      break;
    case PixelFormat::I420:
      fill(0, w + pitchPad, h);
      fill(1, cw + pitchPad, ch);
      fill(2, cw + 3, ch);
      break;
    case PixelFormat::Rgba:
    case PixelFormat::Bgra:
      fill(0, w * 4 + pitchPad, h);
      break;
    default:
      fill(0, w * 3 + pitchPad, h);
      break;
  }
  return f;
}

std::vector<float> cpuBatch(const std::vector<const OwnedFrame*>& frames, const TensorFormat& fmt) {
  std::vector<float> out(frames.size() * floatsPerImage(fmt), -999.f);
  for (size_t i = 0; i < frames.size(); ++i) letterboxToTensorCpu(frames[i]->view, fmt, out.data(), static_cast<int>(i));
  return out;
}

float maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b, size_t from = 0, size_t count = SIZE_MAX) {
  EXPECT_EQ(a.size(), b.size());
  float worst = 0;
  const size_t end = std::min(a.size(), count == SIZE_MAX ? a.size() : from + count);
  for (size_t i = from; i < end; ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

// Prints why CUDA comparisons cannot run here and checks the API says the same thing.
bool cudaUsableOrExplain() {
  std::string reason;
  if (gpu::gpuPreprocessAvailable(&reason)) return true;
  std::printf("CUDA tests not run: %s\n", reason.c_str());
  EXPECT_FALSE(reason.empty());
  try {
    gpu::GpuPreprocessor p;
    ADD_FAILURE() << "GpuPreprocessor constructed although no GPU is usable";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
  }
  EXPECT_THROW(gpu::DeviceTensor(16), std::runtime_error);
  return false;
}

TensorFormat detectorFormat(int w, int h, bool keepAspect, TensorLayout layout = TensorLayout::Nchw) {
  TensorFormat f;
  f.width = w;
  f.height = h;
  f.keepAspect = keepAspect;
  f.layout = layout;
  return f;
}

}  // namespace

// ---------------------------------------------------------------- CPU reference, hand values
TEST(GpuPreprocessReference, StretchUpscaleInterpolatesBetweenPixelCentres) {
  const uint8_t px[] = {0, 0, 0, 100, 100, 100};  // 2×1 RGB: black, grey 100
  TensorFormat f = detectorFormat(4, 1, false);
  f.scale[0] = f.scale[1] = f.scale[2] = 1.f;
  std::vector<float> out(floatsPerImage(f));
  letterboxToTensorCpu(packedImage(PixelFormat::Rgb, px, 2, 1), f, out.data(), 0);
  // Network centres 0.5, 1.5, 2.5, 3.5 map to source x -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
  const float want[] = {0, 25, 75, 100};
  for (int c = 0; c < 3; ++c)
    for (int x = 0; x < 4; ++x) EXPECT_NEAR(out[c * 4 + x], want[x], 1e-4) << "channel " << c << " x " << x;
}

TEST(GpuPreprocessReference, LetterboxPadsTopAndBottomRowsWithNormalisedPadValue) {
  std::vector<uint8_t> px(4 * 2 * 3);
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>(10 * i);
  TensorFormat f = detectorFormat(4, 4, true);
  std::vector<float> out(floatsPerImage(f), -1.f);
  LetterboxTransform t = letterboxToTensorCpu(packedImage(PixelFormat::Rgb, px.data(), 4, 2), f, out.data(), 0);
  EXPECT_FLOAT_EQ(t.scaleX, 1.f);
  EXPECT_FLOAT_EQ(t.padY, 1.f);
  EXPECT_FLOAT_EQ(t.padX, 0.f);
  for (int c = 0; c < 3; ++c)
    for (int x = 0; x < 4; ++x) {
      EXPECT_NEAR(out[c * 16 + 0 * 4 + x], 114.f / 255.f, 1e-6);                    // top pad row
      EXPECT_NEAR(out[c * 16 + 3 * 4 + x], 114.f / 255.f, 1e-6);                    // bottom pad row
      EXPECT_NEAR(out[c * 16 + 1 * 4 + x], px[(0 * 4 + x) * 3 + c] / 255.f, 1e-6);  // scale 1: exact pixels
      EXPECT_NEAR(out[c * 16 + 2 * 4 + x], px[(1 * 4 + x) * 3 + c] / 255.f, 1e-6);
    }
}

TEST(GpuPreprocessReference, LetterboxGeometryOf1080pInto640) {
  LetterboxTransform t = letterboxGeometry(1920, 1080, 640, 640, true);
  EXPECT_FLOAT_EQ(t.scaleX, 1.f / 3.f);
  EXPECT_FLOAT_EQ(t.scaleY, 1.f / 3.f);
  EXPECT_FLOAT_EQ(t.padX, 0.f);
  EXPECT_FLOAT_EQ(t.padY, 140.f);  // 640 - 360 = 280, split evenly
  LetterboxTransform s = letterboxGeometry(1920, 1080, 640, 640, false);
  EXPECT_FLOAT_EQ(s.scaleY, 640.f / 1080.f);
  EXPECT_FLOAT_EQ(s.padY, 0.f);
  EXPECT_THROW(letterboxGeometry(0, 10, 640, 640, true), std::invalid_argument);
}

TEST(GpuPreprocessReference, Nv12LimitedRangeWhiteBlackAndGrey) {
  // 2×2 NV12 with one chroma sample (neutral): Y = 235 (white), 16 (black), 126 (grey), 126.
  const uint8_t y[] = {235, 16, 126, 126};
  const uint8_t uv[] = {128, 128};
  TensorFormat f = detectorFormat(2, 2, false);
  f.scale[0] = f.scale[1] = f.scale[2] = 1.f;
  std::vector<float> out(floatsPerImage(f));
  letterboxToTensorCpu(nv12Image(y, uv, 2, 2, YuvMatrix::Bt601), f, out.data(), 0);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(out[c * 4 + 0], 255.f, 1e-3);
    EXPECT_NEAR(out[c * 4 + 1], 0.f, 1e-3);
    EXPECT_NEAR(out[c * 4 + 2], 1.164383f * 110.f, 1e-3);
  }
  // Pure red in BT.709 limited range: Y 63, U 102, V 240 → R ≈ 255 (clamped), G ≈ 0, B ≈ 0.
  const uint8_t yr[] = {63, 63, 63, 63};
  const uint8_t uvr[] = {102, 240};
  letterboxToTensorCpu(nv12Image(yr, uvr, 2, 2, YuvMatrix::Bt709), f, out.data(), 0);
  EXPECT_NEAR(out[0], 255.f, 1.5f);
  EXPECT_NEAR(out[4], 0.f, 1.5f);
  EXPECT_NEAR(out[8], 0.f, 1.5f);
}

TEST(GpuPreprocessReference, BgrOrderMeanAndScalePerOutputChannel) {
  const uint8_t px[] = {10, 20, 30};  // RGB
  TensorFormat f = detectorFormat(1, 1, false);
  f.bgr = true;
  f.mean[0] = 1;
  f.mean[1] = 2;
  f.mean[2] = 3;
  f.scale[0] = 0.5f;
  f.scale[1] = 1.f;
  f.scale[2] = 2.f;
  std::vector<float> out(3);
  letterboxToTensorCpu(packedImage(PixelFormat::Rgb, px, 1, 1), f, out.data(), 0);
  EXPECT_FLOAT_EQ(out[0], (30 - 1) * 0.5f);  // blue first
  EXPECT_FLOAT_EQ(out[1], (20 - 2) * 1.f);
  EXPECT_FLOAT_EQ(out[2], (10 - 3) * 2.f);
  const uint8_t bgra[] = {30, 20, 10, 255};  // the same pixel as BGRA input
  std::vector<float> out2(3);
  letterboxToTensorCpu(packedImage(PixelFormat::Bgra, bgra, 1, 1), f, out2.data(), 0);
  EXPECT_EQ(out, out2);
}

TEST(GpuPreprocessReference, NhwcInterleavesChannelsAndSlotsOffsetTheBatch) {
  const uint8_t px[] = {1, 2, 3, 4, 5, 6};  // 2×1 RGB
  TensorFormat f = detectorFormat(2, 1, false, TensorLayout::Nhwc);
  f.scale[0] = f.scale[1] = f.scale[2] = 1.f;
  std::vector<float> out(2 * floatsPerImage(f), -1.f);
  letterboxToTensorCpu(packedImage(PixelFormat::Rgb, px, 2, 1), f, out.data(), 1);
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(out[i], -1.f) << "slot 0 must stay untouched";
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(out[6 + i], px[i]);
}

TEST(GpuPreprocessReference, I420AndNv12OfTheSamePictureAgree) {
  OwnedFrame nv = makeFrame(PixelFormat::Nv12, 37, 23, 4);
  const int cw = 19, ch = 12;
  std::vector<uint8_t> u(cw * ch), v(cw * ch);
  for (int r = 0; r < ch; ++r)
    for (int c = 0; c < cw; ++c) {
      u[r * cw + c] = nv.view.planes[1][r * nv.view.strides[1] + 2 * c];
      v[r * cw + c] = nv.view.planes[1][r * nv.view.strides[1] + 2 * c + 1];
    }
  Image i420 = i420Image(nv.view.planes[0], u.data(), v.data(), 37, 23, nv.view.matrix);
  i420.strides[0] = nv.view.strides[0];
  TensorFormat f = detectorFormat(64, 48, true);
  std::vector<float> a(floatsPerImage(f)), b(floatsPerImage(f));
  letterboxToTensorCpu(nv.view, f, a.data(), 0);
  letterboxToTensorCpu(i420, f, b.data(), 0);
  EXPECT_EQ(a, b);
}

TEST(GpuPreprocessReference, BadInputNamesTheProblem) {
  const uint8_t y[4] = {};
  TensorFormat f = detectorFormat(4, 4, true);
  std::vector<float> out(floatsPerImage(f));
  try {
    letterboxToTensorCpu(nv12Image(y, nullptr, 2, 2), f, out.data(), 0);
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("plane 1 is null"), std::string::npos) << e.what();
  }
  Image bad = packedImage(PixelFormat::Rgb, y, 4, 1);
  bad.strides[0] = 5;
  EXPECT_THROW(letterboxToTensorCpu(bad, f, out.data(), 0), std::invalid_argument);
}

// ---------------------------------------------------------------- CUDA vs CPU reference
TEST(GpuPreprocessCuda, ReportsAvailabilityConsistentlyWithTheBuild) {
  std::string reason;
  const bool ok = gpu::gpuPreprocessAvailable(&reason);
  std::printf("CUDA build: %s; GPU usable: %s%s%s\n", gpu::builtWithCuda() ? "yes" : "no", ok ? "yes" : "no", ok ? "" : " — ",
              reason.c_str());
  if (!gpu::builtWithCuda()) {
    EXPECT_FALSE(ok);
    EXPECT_NE(reason.find("built without CUDA"), std::string::npos) << reason;
  }
  if (ok) {
    EXPECT_TRUE(reason.empty());
  }
}

TEST(GpuPreprocessCuda, SingleFramesMatchCpuForFormatsSizesAndResizeModes) {
  if (!cudaUsableOrExplain()) return;
  gpu::GpuPreprocessor pre;
  struct Case {
    PixelFormat fmt;
    int w, h;
    int netW, netH;
    bool keep;
    TensorLayout layout;
    bool bgr;
  };
  const Case cases[] = {
      {PixelFormat::Nv12, 1920, 1080, 640, 640, true, TensorLayout::Nchw, false},
      {PixelFormat::Nv12, 1920, 1080, 640, 640, false, TensorLayout::Nchw, true},
      {PixelFormat::Nv12, 333, 517, 416, 416, true, TensorLayout::Nhwc, false},
      {PixelFormat::Rgb, 1280, 720, 640, 384, true, TensorLayout::Nchw, false},
      {PixelFormat::Rgb, 7, 5, 320, 320, false, TensorLayout::Nchw, true},
      {PixelFormat::I420, 768, 576, 640, 640, true, TensorLayout::Nchw, false},
      {PixelFormat::Bgra, 4000, 300, 640, 640, true, TensorLayout::Nhwc, true},
      {PixelFormat::Bgr, 640, 640, 640, 640, true, TensorLayout::Nchw, false},
  };
  unsigned seed = 10;
  for (const Case& c : cases) {
    OwnedFrame f = makeFrame(c.fmt, c.w, c.h, seed++);
    TensorFormat fmt = detectorFormat(c.netW, c.netH, c.keep, c.layout);
    fmt.bgr = c.bgr;
    fmt.mean[0] = 123.7f;
    fmt.mean[1] = 116.3f;
    fmt.mean[2] = 103.5f;
    fmt.scale[0] = 1 / 58.4f;
    fmt.scale[1] = 1 / 57.1f;
    fmt.scale[2] = 1 / 57.4f;
    std::vector<float> want = cpuBatch({&f}, fmt);
    gpu::DeviceTensor t(floatsPerImage(fmt));
    auto tr = pre.run({{f.view, nullptr}}, gpu::FrameMemory::Host, fmt, t);
    pre.synchronize();
    const float err = maxAbsDiff(t.toHost(), want);
    EXPECT_LE(err, 1e-3f) << pixelFormatName(c.fmt) << " " << c.w << "x" << c.h << " → " << c.netW << "x" << c.netH
                          << (c.keep ? " letterbox" : " stretch");
    LetterboxTransform g = letterboxGeometry(c.w, c.h, c.netW, c.netH, c.keep);
    EXPECT_FLOAT_EQ(tr[0].padY, g.padY);
    std::printf("  %s %dx%d -> %dx%d %s: max abs error %.2e\n", pixelFormatName(c.fmt), c.w, c.h, c.netW, c.netH,
                c.keep ? "letterbox" : "stretch", err);
  }
}

TEST(GpuPreprocessCuda, MixedSizeBatchInOneLaunchFillsEachSlot) {
  if (!cudaUsableOrExplain()) return;
  gpu::GpuPreprocessor pre;
  OwnedFrame a = makeFrame(PixelFormat::Nv12, 1920, 1080, 1), b = makeFrame(PixelFormat::Nv12, 1280, 720, 2),
             c = makeFrame(PixelFormat::Nv12, 640, 480, 3), d = makeFrame(PixelFormat::Nv12, 351, 289, 5);
  TensorFormat fmt = detectorFormat(640, 640, true);
  std::vector<float> want = cpuBatch({&a, &b, &c, &d}, fmt);
  // Slot 0 keeps a sentinel: frames go to slots 1..4 of a 5-image tensor.
  gpu::DeviceTensor t(5 * floatsPerImage(fmt));
  std::vector<float> sentinel(t.size(), -7.f);
  t.fromHost(sentinel.data(), sentinel.size());
  pre.run({{a.view}, {b.view}, {c.view}, {d.view}}, gpu::FrameMemory::Host, fmt, t, 1);
  pre.synchronize();
  std::vector<float> got = t.toHost();
  const size_t per = floatsPerImage(fmt);
  for (size_t i = 0; i < per; ++i) ASSERT_EQ(got[i], -7.f) << "slot 0 was written at " << i;
  std::vector<float> tail(got.begin() + static_cast<long>(per), got.end());
  EXPECT_LE(maxAbsDiff(tail, want), 1e-3f);
}

TEST(GpuPreprocessCuda, DeviceResidentFramesAndCallerTransformsMatchCpu) {
  if (!cudaUsableOrExplain()) return;
  gpu::GpuPreprocessor pre;
  OwnedFrame f = makeFrame(PixelFormat::Nv12, 1280, 720, 9, 0);
  // Stage the frame in device memory as a decoder would hand it over (a float buffer used as bytes).
  const size_t yBytes = planeBytes(f.view, 0), uvBytes = planeBytes(f.view, 1);
  gpu::DeviceTensor frameMem((yBytes + uvBytes) / sizeof(float) + 2);
  std::vector<float> staging(frameMem.size());
  std::memcpy(staging.data(), f.p[0].data(), yBytes);
  std::memcpy(reinterpret_cast<uint8_t*>(staging.data()) + yBytes, f.p[1].data(), uvBytes);
  frameMem.fromHost(staging.data(), staging.size());
  Image dev = f.view;
  dev.planes[0] = reinterpret_cast<const uint8_t*>(frameMem.data());
  dev.planes[1] = dev.planes[0] + yBytes;
  TensorFormat fmt = detectorFormat(640, 640, true);
  LetterboxTransform custom = letterboxGeometry(1280, 720, 640, 640, true);
  custom.padY = 0;  // top-aligned letterbox supplied by the caller
  std::vector<float> want(floatsPerImage(fmt));
  letterboxToTensorCpu(f.view, custom, fmt, want.data(), 0);
  gpu::DeviceTensor t(floatsPerImage(fmt));
  auto tr = pre.run({{dev, &custom}}, gpu::FrameMemory::Device, fmt, t);
  pre.synchronize();
  EXPECT_FLOAT_EQ(tr[0].padY, 0.f);
  EXPECT_LE(maxAbsDiff(t.toHost(), want), 1e-3f);
}

TEST(GpuPreprocessCuda, TooSmallTensorIsRejectedWithSizes) {
  if (!cudaUsableOrExplain()) return;
  gpu::GpuPreprocessor pre;
  OwnedFrame f = makeFrame(PixelFormat::Rgb, 64, 64, 1);
  TensorFormat fmt = detectorFormat(64, 64, true);
  gpu::DeviceTensor t(floatsPerImage(fmt));
  try {
    pre.run({{f.view}, {f.view}}, gpu::FrameMemory::Host, fmt, t);
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("holds 1 images"), std::string::npos) << e.what();
  }
}
