#include <gtest/gtest.h>

#include "engine_info.h"

TEST(EngineInfo, ReportsRealGstreamerAndOnnxRuntimeVersions) {
  vigil::EngineInfo info = vigil::queryEngineInfo();
  EXPECT_EQ(info.gstreamerVersion.rfind("GStreamer 1.", 0), 0u) << info.gstreamerVersion;
  EXPECT_EQ(info.onnxRuntimeVersion.rfind("1.", 0), 0u) << info.onnxRuntimeVersion;
  bool hasCpu = false;
  for (auto& p : info.executionProviders) hasCpu |= (p == "CPUExecutionProvider");
  EXPECT_TRUE(hasCpu);
}
