#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine_info.h"
#include "gpu_info.h"

TEST(EngineInfo, ReportsRealGstreamerAndOnnxRuntimeVersions) {
  vigil::EngineInfo info = vigil::queryEngineInfo();
  EXPECT_EQ(info.gstreamerVersion.rfind("GStreamer 1.", 0), 0u) << info.gstreamerVersion;
  EXPECT_EQ(info.onnxRuntimeVersion.rfind("1.", 0), 0u) << info.onnxRuntimeVersion;
  bool hasCpu = false;
  for (auto& p : info.executionProviders) hasCpu |= (p == "CPUExecutionProvider");
  EXPECT_TRUE(hasCpu);
}

// The driver's own layout (/proc/driver/nvidia/gpus/<PCI bus id>/information), written to a temporary folder.
TEST(EngineInfo, NvidiaGpuNameReadsTheDriversModelLine) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("vigil-gpus-" + std::to_string(::getpid()));
  fs::remove_all(root);
  EXPECT_EQ(vigil::nvidiaGpuName((root / "missing").string()), "");
  fs::create_directories(root);
  EXPECT_EQ(vigil::nvidiaGpuName(root.string()), "");  // the driver is loaded but lists no GPU
  fs::create_directories(root / "0000:c1:00.0");
  fs::create_directories(root / "0000:41:00.0");
  std::ofstream(root / "0000:c1:00.0" / "information") << "Model: \t\t NVIDIA L4\nIRQ:   \t\t 160\n";
  std::ofstream(root / "0000:41:00.0" / "information") << "Model: \t\t NVIDIA H200\nIRQ:   \t\t 159\nGPU UUID: \t GPU-0\n";
  EXPECT_EQ(vigil::nvidiaGpuName(root.string()), "NVIDIA H200");  // the first by bus id
  fs::remove_all(root);
}

TEST(EngineInfo, ReportsTheMachinesGpuOrNone) {
  // This machine's answer must agree with the driver's folder: a name exactly when it lists a GPU.
  vigil::EngineInfo info = vigil::queryEngineInfo();
  std::error_code ec;
  const bool listed = std::filesystem::exists("/proc/driver/nvidia/gpus", ec) && !std::filesystem::is_empty("/proc/driver/nvidia/gpus", ec);
  EXPECT_EQ(!info.gpuName.empty(), listed) << info.gpuName;
}
