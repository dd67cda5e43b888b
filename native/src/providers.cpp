#include "providers.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

namespace vigil {
namespace fs = std::filesystem;

const char* executionProviderName(const std::string& provider) {
  if (provider == "cuda") return "CUDAExecutionProvider";
  if (provider == "tensorrt") return "TensorrtExecutionProvider";
  return nullptr;
}

std::string providerLibrary(const std::string& provider) {
  const std::string file = "libonnxruntime_providers_" + provider + ".so";
  std::vector<fs::path> dirs;
  if (const char* p = std::getenv("ORT_EP_PATH")) {
    fs::path ep(p);
    if (fs::is_regular_file(ep) && ep.filename() == file) return ep.string();
    dirs.push_back(fs::is_directory(ep) ? ep : ep.parent_path());
  }
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&OrtGetApiBase), &info) && info.dli_fname) dirs.push_back(fs::path(info.dli_fname).parent_path());
  for (auto& d : dirs)
    if (fs::is_regular_file(d / file)) return (d / file).string();
  return {};
}

namespace {

std::string takeMessage(OrtStatus* st) {
  std::string msg = Ort::GetApi().GetErrorMessage(st);
  Ort::GetApi().ReleaseStatus(st);
  while (!msg.empty() && (msg.back() == '.' || msg.back() == ' ')) msg.pop_back();
  return msg;
}

// Provider options: CUDA picks convolution algorithms by heuristics (no start-up search); TensorRT
// keeps its engines on disk and builds FP16 where allowed.
std::vector<std::pair<std::string, std::string>> providerOptions(const ProviderSetup& s) {
  if (s.provider == "cuda") return {{"cudnn_conv_algo_search", "HEURISTIC"}};
  return {{"trt_engine_cache_enable", "1"},
          {"trt_engine_cache_path", s.tensorrtCache},
          {"trt_timing_cache_enable", "1"},
          {"trt_fp16_enable", s.fp16 ? "1" : "0"}};
}

// Registers the plugin EP library once per environment; the EP device, or null with *why.
const OrtEpDevice* pluginDevice(Ort::Env& env, const ProviderSetup& s, const char* epName, std::string* why) {
  static std::mutex mu;
  static std::set<std::pair<const OrtEnv*, std::string>> registered;
  std::lock_guard lock(mu);
  const OrtApi& api = Ort::GetApi();
  const std::string lib = s.library.empty() ? providerLibrary(s.provider) : s.library;
  if (lib.empty()) {
    *why = "libonnxruntime_providers_" + s.provider + ".so not found (set ORT_EP_PATH to its folder)";
    return nullptr;
  }
  const auto key = std::make_pair(static_cast<const OrtEnv*>(env), s.provider);
  if (!registered.count(key)) {
    if (OrtStatus* st = api.RegisterExecutionProviderLibrary(env, s.provider.c_str(), lib.c_str())) {
      *why = "cannot load " + lib + ": " + takeMessage(st);
      return nullptr;
    }
    registered.insert(key);
  }
  const OrtEpDevice* const* devs = nullptr;
  size_t n = 0;
  if (OrtStatus* st = api.GetEpDevices(env, &devs, &n)) {
    *why = takeMessage(st);
    return nullptr;
  }
  for (size_t i = 0; i < n; ++i)
    if (std::string(api.EpDevice_EpName(devs[i])) == epName) return devs[i];
  *why = lib + " loaded but it offers no " + epName + " device (no GPU or driver?)";
  return nullptr;
}

bool appendClassic(Ort::SessionOptions& so, const ProviderSetup& s, const std::vector<const char*>& k, const std::vector<const char*>& v,
                   AddedProvider* added, std::string* why) {
  const OrtApi& api = Ort::GetApi();
  OrtStatus* st = nullptr;
  if (s.provider == "cuda") {
    OrtCUDAProviderOptionsV2* cuda = nullptr;
    st = api.CreateCUDAProviderOptions(&cuda);
    if (!st) st = api.UpdateCUDAProviderOptions(cuda, k.data(), v.data(), k.size());
    if (!st) st = api.SessionOptionsAppendExecutionProvider_CUDA_V2(so, cuda);
    if (cuda) api.ReleaseCUDAProviderOptions(cuda);
    if (!st) added->owned.emplace("Cuda", OrtDeviceAllocator, 0, OrtMemTypeDefault);
  } else {
    OrtTensorRTProviderOptionsV2* trt = nullptr;
    st = api.CreateTensorRTProviderOptions(&trt);
    if (!st) st = api.UpdateTensorRTProviderOptions(trt, k.data(), v.data(), k.size());
    if (!st) st = api.SessionOptionsAppendExecutionProvider_TensorRT_V2(so, trt);
    if (trt) api.ReleaseTensorRTProviderOptions(trt);
  }
  if (st) {
    *why = takeMessage(st);
    return false;
  }
  added->route = "classic";
  return true;
}

}  // namespace

bool appendExecutionProvider(Ort::Env& env, Ort::SessionOptions& so, const ProviderSetup& s, AddedProvider* added, std::string* why) {
  const char* epName = executionProviderName(s.provider);
  if (!epName) {
    *why = "unknown execution provider '" + s.provider + "'";
    return false;
  }
  *added = AddedProvider{};
  added->epName = epName;
  const auto options = providerOptions(s);
  std::vector<const char*> k, v;
  for (auto& [key, value] : options) {
    k.push_back(key.c_str());
    v.push_back(value.c_str());
  }
  std::string pluginWhy;
  if (const OrtEpDevice* dev = pluginDevice(env, s, epName, &pluginWhy)) {
    OrtStatus* st = Ort::GetApi().SessionOptionsAppendExecutionProvider_V2(so, env, &dev, 1, k.data(), v.data(), k.size());
    if (!st) {
      added->device = Ort::GetApi().EpDevice_MemoryInfo(dev, OrtDeviceMemoryType_DEFAULT);
      added->route = "plugin";
      return true;
    }
    pluginWhy = takeMessage(st);
  }
  if (!s.classicFallback) {
    *why = pluginWhy;
    return false;
  }
  std::string classicWhy;
  if (appendClassic(so, s, k, v, added, &classicWhy)) return true;
  *why = pluginWhy + "; classic provider: " + classicWhy;
  return false;
}

}  // namespace vigil
