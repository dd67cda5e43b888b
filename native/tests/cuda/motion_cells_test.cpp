// Motion gating's CUDA cell means against the CPU detector's (the same samples, so the same bytes),
// on NV12 frames staged in device memory as NVDEC hands them over. Without a usable GPU the
// comparison prints "CUDA tests not run: <reason>" and checks what the API does instead.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "cuda/gpu_preprocess.h"
#include "cuda/motion_cells.h"
#include "motion/motion.h"

using namespace vigil;

TEST(MotionCellsCuda, DeviceFramesGiveTheCpuCellMeans) {
  std::string reason;
  if (!gpu::gpuPreprocessAvailable(&reason)) {
    std::printf("CUDA tests not run: %s\n", reason.c_str());
    std::vector<uint8_t> y(64 * 48), means;
    Image dev = nv12Image(y.data(), y.data(), 64, 48);
    dev.onDevice = true;
    if (gpu::builtWithCuda()) {
      // A host pointer dressed up as a device frame: refused, never read as device memory.
      EXPECT_ANY_THROW(gpu::motionCellMeans(dev, motion::gridFor(64, 48), &means));
    } else {
      EXPECT_FALSE(gpu::motionCellMeans(dev, motion::gridFor(64, 48), &means)) << "no CUDA: the frame is inferred, not judged";
    }
    return;
  }
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> byte(0, 255);
  for (auto [w, h] : {std::pair{1920, 1080}, std::pair{770, 577}, std::pair{64, 48}}) {
    const int stride = w + 13;  // pitched, as NVDEC's planes are
    std::vector<uint8_t> host(static_cast<size_t>(stride) * h * 3 / 2 + stride);
    for (auto& b : host) b = static_cast<uint8_t>(byte(rng));
    Image hostFrame = nv12Image(host.data(), host.data() + static_cast<size_t>(stride) * h, w, h);
    hostFrame.strides[0] = hostFrame.strides[1] = stride;
    gpu::DeviceTensor mem(host.size() / sizeof(float) + 1);
    std::vector<float> staging(mem.size());
    std::memcpy(staging.data(), host.data(), host.size());
    mem.fromHost(staging.data(), staging.size());
    Image dev = hostFrame;
    dev.planes[0] = reinterpret_cast<const uint8_t*>(mem.data());
    dev.planes[1] = dev.planes[0] + static_cast<size_t>(stride) * h;
    dev.onDevice = true;
    const motion::Grid grid = motion::gridFor(w, h);
    std::vector<uint8_t> want, got;
    motion::cellMeans(hostFrame, grid, &want);
    ASSERT_TRUE(gpu::motionCellMeans(dev, grid, &got));
    ASSERT_EQ(got.size(), want.size());
    size_t differ = 0;
    for (size_t i = 0; i < got.size(); ++i) differ += got[i] != want[i] ? 1 : 0;
    EXPECT_EQ(differ, 0u) << w << "x" << h << ": cells that differ from the CPU's";
    std::printf("CUDA motion cells %dx%d: %dx%d grid, %zu cells differ from the CPU\n", w, h, grid.cols, grid.rows, differ);
  }
  std::vector<uint8_t> hostY(64 * 48), means;
  Image notDevice = nv12Image(hostY.data(), hostY.data(), 64, 48);
  EXPECT_THROW(gpu::motionCellMeans(notDevice, motion::gridFor(64, 48), &means), std::invalid_argument);
}
