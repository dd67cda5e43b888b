// Batch pre-processing: the persistent CPU worker pool against the serial path (bit-identical), and
// on a CUDA machine the GPU path (kernel + IO binding into a CUDA ONNX Runtime session) against the
// CPU reference and the CPU session's detections. Without a usable CUDA session the GPU half prints
// "CUDA tests not run: <reason>" and the test still checks the CPU path.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <vector>

#include "batch_preprocess.h"
#include "cuda/gpu_preprocess.h"
#include "inference.h"
#include "manifest.h"
#include "letterbox.h"
#include "support/test_support.h"
#include "synthetic.h"

namespace fs = std::filesystem;
using namespace vigil;
using vigil::testing::I420Frame;

namespace {

ModelManifest letterboxManifest() {
  ModelManifest m;
  m.name = "pool-test";
  m.input.width = 96;
  m.input.height = 64;
  m.input.keepAspect = true;
  m.input.padValue = 114;
  m.input.mean[0] = 10;
  m.input.scale[2] = 0.5f;
  return m;
}

std::vector<const Image*> pointers(const std::vector<I420Frame>& frames) {
  std::vector<const Image*> out;
  for (auto& f : frames) out.push_back(&f.image);
  return out;
}

}  // namespace

TEST(WorkerPool, RunsEveryParticipantOncePerCallAndRethrows) {
  WorkerPool pool(4);
  ASSERT_EQ(pool.size(), 4);
  for (int round = 0; round < 50; ++round) {
    std::atomic<int> mask{0};
    pool.runOnAll([&](int i) { mask.fetch_or(1 << i); });
    ASSERT_EQ(mask.load(), 0b1111) << "round " << round;
  }
  EXPECT_THROW(pool.runOnAll([](int i) {
    if (i == 2) throw std::runtime_error("worker 2 failed");
  }),
               std::runtime_error);
  std::atomic<int> after{0};
  pool.runOnAll([&](int) { after++; });  // still usable after a failure
  EXPECT_EQ(after.load(), 4);
}

TEST(BatchPreprocess, CpuPoolGivesTheSameTensorsAsTheSerialPath) {
  const ModelManifest m = letterboxManifest();
  // Different sizes and aspect ratios in one batch, more frames than workers.
  std::vector<I420Frame> frames;
  const int sizes[][2] = {{160, 90}, {64, 128}, {97, 61}, {160, 90}, {200, 200}, {33, 17}, {160, 90}};
  unsigned seed = 1;
  for (auto& s : sizes) frames.emplace_back(s[0], s[1], seed++);
  const auto images = pointers(frames);
  const size_t per = size_t(3) * m.input.width * m.input.height;

  BatchPreprocessor serial(m, 1), pooled(m, 3);
  ASSERT_EQ(serial.threads(), 1);
  ASSERT_EQ(pooled.threads(), 3);
  EXPECT_STREQ(pooled.path(), "cpu");
  std::vector<float> a(per * frames.size(), -1.f), b(per * frames.size(), -2.f);
  for (int round = 0; round < 3; ++round) {  // per-size tables are reused across batches
    auto ta = serial.runCpu(images, a.data());
    auto tb = pooled.runCpu(images, b.data());
    ASSERT_EQ(ta.size(), frames.size());
    for (size_t i = 0; i < frames.size(); ++i) {
      EXPECT_EQ(ta[i].scaleX, tb[i].scaleX);
      EXPECT_EQ(ta[i].padX, tb[i].padX);
      EXPECT_EQ(ta[i].padY, tb[i].padY);
    }
    ASSERT_EQ(a, b) << "round " << round;
  }
  // And the serial path is the plain per-image CPU letterbox.
  CpuLetterbox one(m.input);
  std::vector<float> c(per);
  one.run(frames[2].image, c.data());
  EXPECT_TRUE(std::equal(c.begin(), c.end(), a.begin() + 2 * per));
}

TEST(BatchPreprocessCuda, GpuPathMatchesTheReferenceAndTheCpuSession) {
  synthetic::SquareDetectorSpec spec;
  const std::string manifestPath = synthetic::writeSquareDetector((vigil::testing::tmpRoot("batch-preprocess") / "model").string(), spec);
  const ModelManifest m = loadManifest(manifestPath);
  std::vector<I420Frame> frames;
  frames.emplace_back(640, 360, 3);
  frames.emplace_back(480, 480, 4);
  frames.emplace_back(320, 240, 5);
  const auto images = pointers(frames);

  // CPU session + pool: always runs, and is the baseline for the GPU path.
  InferenceOptions cpuOpts;
  cpuOpts.maxBatch = 4;
  cpuOpts.providers = {"cpu"};
  InferenceSession cpuSession(m, cpuOpts);
  BatchPreprocessor cpuPre(m, 2);
  cpuPre.enableGpu(cpuSession);
  EXPECT_STREQ(cpuPre.path(), "cpu");
  EXPECT_NE(cpuPre.note().find("CPUExecutionProvider"), std::string::npos) << cpuPre.note();
  const auto cpuT = cpuPre.run(images, cpuSession);
  cpuSession.run(static_cast<int>(frames.size()));
  std::vector<std::vector<Detection>> cpuDets;
  for (size_t i = 0; i < frames.size(); ++i) cpuDets.push_back(cpuSession.detections(static_cast<int>(i)));
  size_t found = 0;
  for (auto& d : cpuDets) found += d.size();
  EXPECT_GT(found, 0u) << "the planted squares must be found on the CPU path";
  for (size_t i = 0; i < frames.size(); ++i)
    for (auto& d : cpuDets[i]) EXPECT_TRUE(frames[i].onSquare(toSource(cpuT[i], d.box))) << "frame " << i;

  std::string why;
  std::unique_ptr<InferenceSession> gpuSession;
  std::unique_ptr<BatchPreprocessor> gpuPre;
  if (!gpu::gpuPreprocessAvailable(&why)) {
    std::printf("CUDA tests not run: %s\n", why.c_str());
    if (!gpu::builtWithCuda()) {
      EXPECT_NE(why.find("without CUDA"), std::string::npos) << why;
    }
    return;
  }
  InferenceOptions gpuOpts = cpuOpts;
  gpuOpts.providers = {"cuda"};
  gpuSession = std::make_unique<InferenceSession>(m, gpuOpts);
  gpuPre = std::make_unique<BatchPreprocessor>(m, 2);
  gpuPre->enableGpu(*gpuSession);
  if (std::string(gpuPre->path()) != "cuda") {
    std::printf("CUDA tests not run: %s %s\n", gpuSession->providerNote().c_str(), gpuPre->note().c_str());
    ADD_FAILURE() << "a CUDA device is usable but the engine's GPU path did not start: " << gpuPre->note();
    return;
  }
  ASSERT_TRUE(gpuSession->usesDeviceInput());
  const auto gpuT = gpuPre->run(images, *gpuSession);
  ASSERT_EQ(gpuT.size(), frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_FLOAT_EQ(gpuT[i].scaleX, cpuT[i].scaleX);
    EXPECT_FLOAT_EQ(gpuT[i].padY, cpuT[i].padY);
  }
  // The device tensor equals the CPU reference with the same geometry (same maths, float rounding only).
  std::vector<float> device = gpuPre->deviceInputToHost();
  const TensorFormat fmt = m.input;
  std::vector<float> ref(floatsPerImage(fmt) * frames.size());
  float worst = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const Image& im = frames[i].image;
    letterboxToTensorCpu(im, gpuT[i], fmt, ref.data(), static_cast<int>(i));
  }
  for (size_t k = 0; k < ref.size(); ++k) worst = std::max(worst, std::fabs(ref[k] - device[k]));
  EXPECT_LE(worst, 1e-3f);
  // Detections through IO binding match the CPU session's: as many, as confident, on the planted
  // square. Not the same anchor: every window inside the square scores the same (a plateau), and
  // which of the tied windows survives NMS depends on float rounding in each provider.
  gpuSession->run(static_cast<int>(frames.size()));
  for (size_t i = 0; i < frames.size(); ++i) {
    auto d = gpuSession->detections(static_cast<int>(i));
    ASSERT_EQ(d.size(), cpuDets[i].size()) << "frame " << i;
    for (size_t k = 0; k < d.size(); ++k) {
      const Box gb = toSource(gpuT[i], d[k].box), cb = toSource(cpuT[i], cpuDets[i][k].box);
      EXPECT_TRUE(frames[i].onSquare(gb)) << "frame " << i << ": GPU box at " << gb.x << "," << gb.y;
      EXPECT_TRUE(frames[i].onSquare(cb)) << "frame " << i << ": CPU box at " << cb.x << "," << cb.y;
      EXPECT_NEAR(d[k].score, cpuDets[i][k].score, 0.05);
    }
  }
  std::printf("CUDA batch pre-processing: %zu frames, max |gpu - reference| = %g\n", frames.size(), worst);
}
