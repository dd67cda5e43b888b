#pragma once
// ONNX Runtime execution providers: where their libraries are and how a session gets one. Written
// once for the engine (inference.cpp) and the GPU machine's benchmark (tools/ortbench.cpp).
#include <onnxruntime_cxx_api.h>

#include <optional>
#include <string>

namespace vigil {

// "cuda" → "CUDAExecutionProvider", "tensorrt" → "TensorrtExecutionProvider"; null for other names.
const char* executionProviderName(const std::string& provider);

// libonnxruntime_providers_<provider>.so from ORT_EP_PATH (a file or folder) or beside
// libonnxruntime; empty when not found.
std::string providerLibrary(const std::string& provider);

struct ProviderSetup {
  std::string provider;       // "cuda" | "tensorrt"
  std::string library;        // empty: providerLibrary(provider)
  bool fp16 = false;          // TensorRT may build half-precision engines
  std::string tensorrtCache;  // folder for built TensorRT engines (and timing caches)
  // Also try the classic provider-bridge route (AppendExecutionProvider_*_V2) when the plugin EP
  // route fails: ONNX Runtime's own TensorRT libraries and GPU core builds are classic providers.
  bool classicFallback = false;
};

struct AddedProvider {
  std::string epName;  // e.g. CUDAExecutionProvider
  std::string route;   // "plugin" | "classic"
  const OrtMemoryInfo* memory() const { return owned ? static_cast<const OrtMemoryInfo*>(*owned) : device; }
  const OrtMemoryInfo* device = nullptr;  // the plugin EP's device memory (IO binding)
  std::optional<Ort::MemoryInfo> owned;   // classic CUDA route: CUDA device memory
};

// Appends the provider to `options` (the plugin library is registered once per environment).
// False with *why naming every route's reason when neither works; never throws for that.
bool appendExecutionProvider(Ort::Env& env, Ort::SessionOptions& options, const ProviderSetup& setup, AddedProvider* added,
                             std::string* why);

}  // namespace vigil
