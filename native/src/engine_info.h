#pragma once
#include <string>
#include <vector>

namespace vigil {

// What this build of the engine can do on this machine; shown to the operator as system info.
struct EngineInfo {
  std::string engineVersion;
  std::string gstreamerVersion;
  std::string onnxRuntimeVersion;
  std::vector<std::string> executionProviders;  // as ONNX Runtime reports them, e.g. CPUExecutionProvider
  std::vector<std::string> hardwareDecoders;    // NVDEC / V4L2 decoder elements found in the registry
  bool nvdec = false;
  // The NVIDIA GPU's model name ("NVIDIA H200"), empty when the machine has none: the System page
  // tells "inference runs on the CPU because there is no GPU" apart from "a GPU provider failed".
  std::string gpuName;
};

// Initialises GStreamer once (thread-safe); returns false with a reason if it cannot.
bool ensureGstreamer(std::string* error);

EngineInfo queryEngineInfo();

}  // namespace vigil
