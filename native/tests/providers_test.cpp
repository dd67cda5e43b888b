// Execution-provider choice: asking for a GPU provider that this machine cannot give falls back to
// the CPU loudly (the note names the provider and why), never silently and never by failing; the
// manifest's precision is read and checked. On a machine where the provider works, the session says
// so instead (then the fallback half is skipped with the reason printed).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "inference.h"
#include "manifest.h"
#include "synthetic.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace vigil;

namespace {}  // namespace

TEST(Providers, UnavailableGpuProvidersFallBackToTheCpuWithTheReason) {
  const ModelManifest m = loadManifest(synthetic::writeSquareDetector((vigil::testing::tmpRoot("providers") / "model").string()));
  for (const char* ep : {"tensorrt", "cuda"}) {
    InferenceOptions o;
    o.providers = {ep};
    InferenceSession s(m, o);
    const std::string name = std::string(ep) == "cuda" ? "CUDAExecutionProvider" : "TensorrtExecutionProvider";
    if (s.provider() == name) {
      std::printf("%s works on this machine: fallback not exercised\n", name.c_str());
      continue;
    }
    EXPECT_EQ(s.provider(), "CPUExecutionProvider") << ep;
    EXPECT_NE(s.providerNote().find("falling back to CPUExecutionProvider"), std::string::npos) << s.providerNote();
    EXPECT_NE(s.providerNote().find(name), std::string::npos) << s.providerNote();
    s.run(1);  // and the session still infers
    EXPECT_NO_THROW((void)s.detections(0));
  }
}

TEST(Providers, ManifestPrecisionIsReadAndChecked) {
  const std::string path = synthetic::writeSquareDetector((vigil::testing::tmpRoot("providers") / "precision").string());
  EXPECT_FALSE(loadManifest(path).fp16);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto brace = text.rfind('}');
  auto write = [&](const std::string& value) { std::ofstream(path) << text.substr(0, brace) << ", \"precision\": \"" << value << "\"}"; };
  write("fp16");
  EXPECT_TRUE(loadManifest(path).fp16);
  write("int8");
  try {
    (void)loadManifest(path);
    ADD_FAILURE() << "precision int8 accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("precision"), std::string::npos) << e.what();
  }
}
