// Frames in NV12 and frames in GPU memory. On every machine: NV12 host frames letterbox, copy and
// convert exactly like the same pixels in I420, and a frame marked as GPU memory is refused with a
// clear message by every CPU consumer. On a machine with NVDEC and CUDA ("Gpu" in the name, run by
// scripts/gpu/run-tests.sh): a source asked for device frames hands over NV12 in CUDA memory, the
// CUDA letterbox of it equals the CPU letterbox of the host-decoded frame (max abs error <= 1e-3),
// and its copy back to the host is the host-decoded frame byte for byte. Without NVDEC or CUDA the
// GPU test prints "CUDA tests not run: <reason>".
#include <gtest/gtest.h>
#include <gst/gst.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <vector>

#include "batch_preprocess.h"
#include "cuda/gpu_preprocess.h"
#include "engine_info.h"
#include "inference.h"
#include "jpeg.h"
#include "manifest.h"
#include "letterbox.h"
#include "source.h"
#include "synthetic.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace vigil;

namespace {

// The same random picture as I420 and as NV12 (UV interleaved), with padded strides.
struct TwoLayouts {
  int w, h;
  std::vector<uint8_t> y, u, v, uv;
  Image i420, nv12;
  TwoLayouts(int width, int height, unsigned seed) : w(width), h(height) {
    std::mt19937 rng(seed);
    const int ys = w + 3, cw = (w + 1) / 2, ch = (h + 1) / 2, cs = cw + 1, uvs = 2 * cw + 5;
    y.resize(size_t(ys) * h);
    u.resize(size_t(cs) * ch);
    v.resize(size_t(cs) * ch);
    uv.resize(size_t(uvs) * ch);
    for (auto& b : y) b = uint8_t(rng() % 256);
    for (int r = 0; r < ch; ++r)
      for (int c = 0; c < cw; ++c) {
        u[size_t(r) * cs + c] = uv[size_t(r) * uvs + 2 * c] = uint8_t(rng() % 256);
        v[size_t(r) * cs + c] = uv[size_t(r) * uvs + 2 * c + 1] = uint8_t(rng() % 256);
      }
    i420 = i420Image(y.data(), u.data(), v.data(), w, h);
    i420.strides[0] = ys;
    i420.strides[1] = i420.strides[2] = cs;
    nv12 = nv12Image(y.data(), uv.data(), w, h);
    nv12.strides[0] = ys;
    nv12.strides[1] = uvs;
  }
};

ModelManifest plainManifest(int w, int h, bool letterbox) {
  ModelManifest m;
  m.name = "layout-test";
  m.input.width = w;
  m.input.height = h;
  m.input.layout = TensorLayout::Nchw;
  m.input.keepAspect = letterbox;
  for (int c = 0; c < 3; ++c) {
    m.input.mean[c] = 0;
    m.input.scale[c] = 1.f / 255;
  }
  return m;
}

}  // namespace

TEST(DeviceFrames, Nv12HostFramesLetterboxCopyAndConvertExactlyLikeI420) {
  TwoLayouts pic(101, 77, 9);  // odd sizes: the half-size chroma rounds up
  for (bool letterbox : {true, false}) {
    const ModelManifest m = plainManifest(64, 48, letterbox);
    CpuLetterbox a(m.input), b(m.input);
    std::vector<float> fromI420(size_t(3) * 64 * 48), fromNv12(fromI420.size());
    a.run(pic.i420, fromI420.data());
    b.run(pic.nv12, fromNv12.data());
    EXPECT_EQ(fromI420, fromNv12) << (letterbox ? "letterbox" : "stretch");
  }
  std::vector<int> xmap(size_t(pic.w));
  for (int x = 0; x < pic.w; ++x) xmap[size_t(x)] = x;
  for (int row : {0, 1, 38, 76}) {
    std::vector<uint8_t> r1(size_t(pic.w) * 3), r2(r1.size());
    rowToRgb(pic.i420, row, xmap.data(), pic.w, r1.data());
    rowToRgb(pic.nv12, row, xmap.data(), pic.w, r2.data());
    EXPECT_EQ(r1, r2) << "row " << row;
  }
  // A copy of NV12 is I420 with the same samples (what JPEG and the snapshot drawing read).
  OwnedImage copy;
  copyImage(pic.nv12, &copy);
  ASSERT_EQ(copy.image.format, PixelFormat::I420);
  const int cw = (pic.w + 1) / 2, ch = (pic.h + 1) / 2;
  for (int r = 0; r < ch; ++r)
    for (int c = 0; c < cw; ++c) {
      ASSERT_EQ(copy.image.planes[1][size_t(r) * size_t(copy.image.strides[1]) + size_t(c)], pic.u[size_t(r) * (cw + 1) + c]);
      ASSERT_EQ(copy.image.planes[2][size_t(r) * size_t(copy.image.strides[2]) + size_t(c)], pic.v[size_t(r) * (cw + 1) + c]);
    }
  EXPECT_EQ(encodeJpeg(copy.image, 50, 40, 80), encodeJpeg(pic.i420, 50, 40, 80));
}

TEST(DeviceFrames, FramesInGpuMemoryAreRefusedByEveryCpuConsumerWithTheFix) {
  TwoLayouts pic(32, 32, 1);
  Image dev = pic.nv12;
  dev.onDevice = true;
  auto expectMessage = [](const std::function<void()>& fn, const char* who) {
    try {
      fn();
      ADD_FAILURE() << who << " accepted a GPU frame";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find("GPU memory"), std::string::npos) << who << ": " << e.what();
    }
  };
  OwnedImage out;
  expectMessage([&] { copyImage(dev, &out); }, "copyImage");
  expectMessage([&] { (void)encodeJpeg(dev, 16, 16, 80); }, "encodeJpeg");
  const ModelManifest m = plainManifest(16, 16, true);
  CpuLetterbox pre(m.input);
  std::vector<float> t(size_t(3) * 16 * 16);
  expectMessage([&] { pre.run(dev, t.data()); }, "CpuLetterbox");
  // A frame that says it is on the GPU but has no way back: hostCopy names the problem.
  Frame f;
  f.image = dev;
  EXPECT_THROW(hostCopy(f, &out), std::runtime_error);
  // A host frame goes through hostCopy unchanged.
  Frame h;
  h.image = pic.i420;
  hostCopy(h, &out);
  EXPECT_EQ(out.image.width, 32);
  EXPECT_EQ(out.image.planes[0][5], pic.y[5]);
}

namespace {
// The first frame a source delivers, held while the test looks at it.
struct FirstFrame {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Frame> frame;
  std::string error;
  SourceCallbacks callbacks() {
    SourceCallbacks cb;
    cb.onFrame = [this](Frame&& f) {
      std::lock_guard lock(mu);
      if (!frame) frame = std::move(f);
      cv.notify_all();
    };
    cb.onError = [this](const std::string& e) {
      std::lock_guard lock(mu);
      error = e;
      cv.notify_all();
    };
    return cb;
  }
  bool wait() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(20), [&] { return frame.has_value() || !error.empty(); }) && frame.has_value();
  }
};
}  // namespace

TEST(DeviceFrames, GpuNvdecFramesStayOnTheGpuAndLetterboxLikeHostFrames) {
  std::string why;
  ASSERT_TRUE(ensureGstreamer(&why)) << why;
  GstElementFactory* nvdec = gst_element_factory_find("nvh264dec");
  if (nvdec) gst_object_unref(nvdec);
  if (!nvdec || !gpu::gpuPreprocessAvailable(&why)) {
    std::printf("CUDA tests not run: %s\n", !nvdec ? "no NVDEC decoder (GStreamer's nvh264dec) on this machine" : why.c_str());
    EXPECT_TRUE(!nvdec || !why.empty());
    return;
  }
  const std::string clip = (vigil::testing::tmpRoot("device-frames") / "squares.mp4").string();
  synthetic::writeSquaresClip(clip, 640, 360, 30, 30, synthetic::testScene());
  SourceOptions hostOpts;
  hostOpts.realtime = true;
  hostOpts.loop = true;
  SourceOptions devOpts = hostOpts;
  devOpts.deviceFrames = true;
  FirstFrame hostFirst, devFirst;
  Source hostSrc("host", "file://" + clip, hostOpts, hostFirst.callbacks());
  Source devSrc("device", "file://" + clip, devOpts, devFirst.callbacks());
  hostSrc.start();
  devSrc.start();
  ASSERT_TRUE(hostFirst.wait()) << hostFirst.error;
  ASSERT_TRUE(devFirst.wait()) << devFirst.error;
  const Frame& hf = *hostFirst.frame;
  const Frame& df = *devFirst.frame;
  ASSERT_FALSE(hf.image.onDevice);
  ASSERT_TRUE(df.image.onDevice) << "nvh264dec is here but the frame came through host memory";
  ASSERT_EQ(df.image.format, PixelFormat::Nv12);
  ASSERT_EQ(df.image.width, hf.image.width);
  ASSERT_EQ(df.image.height, hf.image.height);
  ASSERT_EQ(hf.seq, 0);
  ASSERT_EQ(df.seq, 0);

  // Back on the host: the same decoded picture, byte for byte (H.264 decoding is exact).
  OwnedImage back;
  hostCopy(df, &back);
  size_t lumaDiffs = 0;
  for (int r = 0; r < hf.image.height; ++r)
    for (int c = 0; c < hf.image.width; ++c)
      lumaDiffs += back.image.planes[0][size_t(r) * size_t(back.image.strides[0]) + size_t(c)] !=
                   hf.image.planes[0][size_t(r) * size_t(hf.image.strides[0]) + size_t(c)];
  EXPECT_EQ(lumaDiffs, 0u);

  // The CUDA letterbox reads the device planes in place and matches the CPU reference of the host frame.
  TensorFormat fmt;
  fmt.width = 320;
  fmt.height = 320;
  fmt.scale[0] = fmt.scale[1] = fmt.scale[2] = 1.f / 255;
  gpu::GpuPreprocessor pre;
  gpu::DeviceTensor tensor(floatsPerImage(fmt));
  gpu::BatchFrame bf;
  bf.image = df.image;
  const auto t = pre.run({bf}, gpu::FrameMemory::Device, fmt, tensor);
  pre.synchronize();
  const std::vector<float> got = tensor.toHost();
  std::vector<float> ref(floatsPerImage(fmt));
  letterboxToTensorCpu(hf.image, t[0], fmt, ref.data(), 0);
  float worst = 0;
  for (size_t k = 0; k < ref.size(); ++k) worst = std::max(worst, std::fabs(ref[k] - got[k]));
  EXPECT_LE(worst, 1e-3f);
  std::printf("NVDEC device frame %dx%d: CUDA letterbox vs CPU reference max abs error %g\n", df.image.width, df.image.height, worst);
  hostFirst.frame.reset();
  devFirst.frame.reset();
  hostSrc.stop();
  devSrc.stop();
}
