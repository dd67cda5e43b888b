// vigil-ortbench: ONNX Runtime throughput of one model at several batch sizes, on the CPU, CUDA or
// TensorRT execution provider (GPU providers through the plugin EP API: RegisterExecutionProviderLibrary
// + GetEpDevices + SessionOptionsAppendExecutionProvider_V2, the route that works with the npm
// ORT 1.29 libraries). Prints one JSON line per batch size. Inputs are random floats copied from the
// host every run, or kept in device memory with IO binding (--device-input), or written there by
// Vigil's CUDA letterbox kernel from 1080p NV12 frames every run (--gpu-preprocess).
#include <onnxruntime_cxx_api.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cuda/gpu_preprocess.h"
#include "providers.h"

namespace fs = std::filesystem;

namespace {

struct Options {
  std::string model, ep = "cpu", epLib;
  std::vector<int64_t> batches{1, 8, 16, 32};
  int iters = 30, warmup = 5, threads = 0, height = 640, width = 640;
  bool deviceInput = false, gpuPreprocess = false, fp16 = false;
};

int usage() {
  std::fputs(
      "usage: vigil-ortbench MODEL.onnx [--ep cpu|cuda|tensorrt] [--batches 1,8,16,32] [--iters N] [--warmup N]\n"
      "                     [--device-input] [--gpu-preprocess] [--ep-lib PATH] [--size HxW] [--threads N] [--fp16]\n"
      "  --ep-lib: provider library (default: $ORT_CUDA_EP / $ORT_TENSORRT_EP, or libonnxruntime_providers_<ep>.so\n"
      "            beside this program or in LD_LIBRARY_PATH)\n"
      "  --size:   for inputs whose height/width are dynamic (default 640x640)\n"
      "prints one JSON line per batch size: {\"model\",\"ep\",\"batch\",\"ms\",\"images_per_s\",\"input\",...}\n",
      stderr);
  return 2;
}

std::string jsonEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      o += ' ';
      continue;
    }
    o += c;
  }
  return o;
}

std::string findProviderLib(const Options& o, const char* argv0) {
  if (!o.epLib.empty()) return o.epLib;
  const char* env = std::getenv(o.ep == "cuda" ? "ORT_CUDA_EP" : "ORT_TENSORRT_EP");
  if (env && *env) return env;
  const std::string file = "libonnxruntime_providers_" + o.ep + ".so";
  std::vector<fs::path> dirs;
  std::error_code ec;
  fs::path self = fs::canonical("/proc/self/exe", ec);
  if (!ec) dirs.push_back(self.parent_path());
  (void)argv0;
  if (const char* ld = std::getenv("LD_LIBRARY_PATH")) {
    std::stringstream ss(ld);
    std::string d;
    while (std::getline(ss, d, ':'))
      if (!d.empty()) dirs.emplace_back(d);
  }
  for (auto& d : dirs)
    if (fs::exists(d / file)) return (d / file).string();
  return {};
}

// The GPU provider for this run (plugin EP route first, then the classic provider bridge), through
// the engine's own registration code.
vigil::AddedProvider appendGpuProvider(Ort::Env& env, Ort::SessionOptions& so, const Options& o, const std::string& lib) {
  vigil::ProviderSetup setup;
  setup.provider = o.ep;
  setup.library = lib;
  setup.fp16 = o.fp16;
  setup.tensorrtCache = "/tmp/vigil-trt-cache";
  setup.classicFallback = true;
  vigil::AddedProvider added;
  std::string why;
  if (!vigil::appendExecutionProvider(env, so, setup, &added, &why)) throw std::runtime_error(why);
  return added;
}

void printError(const Options& o, int64_t batch, const std::string& what) {
  std::printf("{\"model\":\"%s\",\"ep\":\"%s\",\"batch\":%lld,\"error\":\"%s\"}\n", jsonEscape(o.model).c_str(), o.ep.c_str(),
              static_cast<long long>(batch), jsonEscape(what).c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--ep")
        o.ep = next();
      else if (a == "--ep-lib")
        o.epLib = next();
      else if (a == "--iters")
        o.iters = std::stoi(next());
      else if (a == "--warmup")
        o.warmup = std::stoi(next());
      else if (a == "--threads")
        o.threads = std::stoi(next());
      else if (a == "--device-input")
        o.deviceInput = true;
      else if (a == "--gpu-preprocess")
        o.gpuPreprocess = o.deviceInput = true;
      else if (a == "--fp16")
        o.fp16 = true;
      else if (a == "--size") {
        std::string v = next();
        if (std::sscanf(v.c_str(), "%dx%d", &o.height, &o.width) != 2) throw std::invalid_argument("--size wants HxW");
      } else if (a == "--batches") {
        o.batches.clear();
        std::stringstream ss(next());
        std::string b;
        while (std::getline(ss, b, ',')) o.batches.push_back(std::stoll(b));
      } else if (a == "-h" || a == "--help")
        return usage();
      else if (!a.empty() && a[0] == '-') {
        std::fprintf(stderr, "vigil-ortbench: unknown option %s\n", a.c_str());
        return usage();
      } else
        o.model = a;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "vigil-ortbench: %s\n", e.what());
      return usage();
    }
  }
  if (o.model.empty()) return usage();
  if (o.ep != "cpu" && o.ep != "cuda" && o.ep != "tensorrt") {
    std::fprintf(stderr, "vigil-ortbench: --ep must be cpu, cuda or tensorrt (got '%s')\n", o.ep.c_str());
    return 2;
  }
  if (o.deviceInput && o.ep == "cpu") {
    std::fprintf(stderr, "vigil-ortbench: --device-input / --gpu-preprocess need --ep cuda or tensorrt\n");
    return 2;
  }
  if (!fs::exists(o.model)) {
    std::fprintf(stderr, "vigil-ortbench: model '%s' not found\n", o.model.c_str());
    return 2;
  }

  // VIGIL_ORT_VERBOSE=1: ONNX Runtime logs every step (to find the node a provider fails on).
  Ort::Env env(std::getenv("VIGIL_ORT_VERBOSE") ? ORT_LOGGING_LEVEL_VERBOSE : ORT_LOGGING_LEVEL_WARNING, "vigil-ortbench");
  Ort::SessionOptions so;
  so.SetGraphOptimizationLevel(std::getenv("VIGIL_ORT_NO_OPT") ? GraphOptimizationLevel::ORT_DISABLE_ALL
                                                               : GraphOptimizationLevel::ORT_ENABLE_ALL);
  // VIGIL_ORT_CONFIG="key=value;key=value": session config entries, for diagnosing a provider
  // (e.g. session.disable_cpu_ep_fallback=1 lists the nodes the provider cannot take).
  if (const char* cfg = std::getenv("VIGIL_ORT_CONFIG")) {
    std::string all = cfg;
    for (size_t start = 0; start < all.size();) {
      size_t end = all.find(';', start);
      if (end == std::string::npos) end = all.size();
      const std::string kv = all.substr(start, end - start);
      if (auto eq = kv.find('='); eq != std::string::npos) so.AddConfigEntry(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str());
      start = end + 1;
    }
  }
  if (o.threads > 0) so.SetIntraOpNumThreads(o.threads);
  vigil::AddedProvider ep;
  std::optional<Ort::Session> session;
  try {
    if (o.ep != "cpu") ep = appendGpuProvider(env, so, o, findProviderLib(o, argv[0]));
    session.emplace(env, o.model.c_str(), so);
  } catch (const std::exception& e) {
    printError(o, 0, std::string("cannot create the session: ") + e.what());
    return 1;
  }
  if (o.deviceInput && !ep.memory()) {
    printError(o, 0, "the " + o.ep + " provider reports no device memory; cannot bind device inputs");
    return 1;
  }

  Ort::AllocatorWithDefaultOptions alloc;
  const std::string inName = session->GetInputNameAllocated(0, alloc).get();
  std::vector<std::string> outNames;
  for (size_t i = 0; i < session->GetOutputCount(); ++i) outNames.emplace_back(session->GetOutputNameAllocated(i, alloc).get());
  Ort::TypeInfo inType = session->GetInputTypeInfo(0);  // owns what inInfo points at
  auto inInfo = inType.GetTensorTypeAndShapeInfo();
  if (inInfo.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
    printError(o, 0, "input '" + inName + "' is not float32; this benchmark feeds float32");
    return 1;
  }
  const std::vector<int64_t> modelShape = inInfo.GetShape();
  if (modelShape.size() != 4) {
    printError(o, 0, "input '" + inName + "' has " + std::to_string(modelShape.size()) + " dims; expected 4 (an image batch)");
    return 1;
  }
  const bool nhwc = modelShape[3] == 3 && modelShape[1] != 3;
  auto cpuMem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);

  for (int64_t batch : o.batches) {
    std::vector<int64_t> shape = modelShape;
    if (shape[0] > 0 && shape[0] != batch) {
      printError(o, batch, "model has a fixed batch of " + std::to_string(shape[0]));
      continue;
    }
    shape[0] = batch;
    for (size_t d = 1; d < 4; ++d)
      if (shape[d] < 0) shape[d] = (nhwc ? d == 1 : d == 2) ? o.height : o.width;
    size_t count = 1;
    for (auto d : shape) count *= static_cast<size_t>(d);
    try {
      std::vector<float> host(count);
      std::mt19937 rng(1);
      std::uniform_real_distribution<float> uni(0, 1);
      for (auto& f : host) f = uni(rng);
      Ort::Value hostValue = Ort::Value::CreateTensor<float>(cpuMem, host.data(), count, shape.data(), shape.size());

      Ort::IoBinding binding(*session);
      std::optional<Ort::Value> deviceValue;
      std::unique_ptr<vigil::gpu::DeviceTensor> devTensor;
      std::unique_ptr<vigil::gpu::GpuPreprocessor> pre;
      std::unique_ptr<vigil::gpu::DeviceTensor> frameMem;
      std::vector<vigil::gpu::BatchFrame> frames;
      vigil::TensorFormat fmt;
      std::string inputKind = "host";
      if (o.gpuPreprocess) {
        inputKind = "gpu-preprocess";
        fmt.layout = nhwc ? vigil::TensorLayout::Nhwc : vigil::TensorLayout::Nchw;
        fmt.width = static_cast<int>(nhwc ? shape[2] : shape[3]);
        fmt.height = static_cast<int>(nhwc ? shape[1] : shape[2]);
        pre = std::make_unique<vigil::gpu::GpuPreprocessor>();
        devTensor = std::make_unique<vigil::gpu::DeviceTensor>(count);
        // One synthetic 1080p NV12 frame in device memory, as NVDEC would hand it over; every slot reads it.
        const int fw = 1920, fh = 1080;
        const size_t yBytes = size_t(fw) * fh, uvBytes = yBytes / 2;
        std::vector<float> bytes((yBytes + uvBytes) / sizeof(float) + 1);
        auto* b = reinterpret_cast<uint8_t*>(bytes.data());
        for (size_t i = 0; i < yBytes + uvBytes; ++i) b[i] = static_cast<uint8_t>((i * 2654435761u) >> 24);
        frameMem = std::make_unique<vigil::gpu::DeviceTensor>(bytes.size());
        frameMem->fromHost(bytes.data(), bytes.size());
        const auto* base = reinterpret_cast<const uint8_t*>(frameMem->data());
        vigil::Image v = vigil::nv12Image(base, base + yBytes, fw, fh);
        frames.assign(static_cast<size_t>(batch), vigil::gpu::BatchFrame{v, nullptr});
        deviceValue.emplace(Ort::Value::CreateTensor(ep.memory(), devTensor->data(), count * sizeof(float), shape.data(), shape.size(),
                                                     ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT));
      } else if (o.deviceInput) {
        inputKind = "device";
        OrtAllocator* devAlloc = nullptr;
        Ort::ThrowOnError(Ort::GetApi().GetSharedAllocator(env, ep.memory(), &devAlloc));
        if (!devAlloc) throw std::runtime_error("no shared allocator for the provider's device memory");
        deviceValue.emplace(Ort::Value::CreateTensor<float>(devAlloc, shape.data(), shape.size()));
        const OrtValue* src[] = {hostValue};
        OrtValue* dst[] = {*deviceValue};
        Ort::ThrowOnError(Ort::GetApi().CopyTensors(env, src, dst, nullptr, 1));
      }
      binding.BindInput(inName.c_str(), deviceValue ? *deviceValue : hostValue);
      for (auto& n : outNames) binding.BindOutput(n.c_str(), cpuMem);  // parsers read outputs on the host

      Ort::RunOptions ro;
      auto step = [&] {
        if (pre) {
          pre->run(frames, vigil::gpu::FrameMemory::Device, fmt, *devTensor);
          pre->synchronize();
        } else if (!o.deviceInput) {
          binding.BindInput(inName.c_str(), hostValue);  // host input: ORT copies it to the device each run
        }
        session->Run(ro, binding);
      };
      for (int i = 0; i < o.warmup; ++i) step();
      auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < o.iters; ++i) step();
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / o.iters;
      double preMs = -1;
      if (pre) {
        auto p0 = std::chrono::steady_clock::now();
        for (int i = 0; i < o.iters; ++i) pre->run(frames, vigil::gpu::FrameMemory::Device, fmt, *devTensor);
        pre->synchronize();
        preMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - p0).count() / o.iters;
      }
      std::printf("{\"model\":\"%s\",\"ep\":\"%s\",\"batch\":%lld,\"ms\":%.3f,\"images_per_s\":%.1f,\"input\":\"%s\"",
                  jsonEscape(fs::path(o.model).filename().string()).c_str(), o.ep.c_str(), static_cast<long long>(batch), ms,
                  batch * 1000.0 / ms, inputKind.c_str());
      if (preMs >= 0) std::printf(",\"preprocess_ms\":%.3f", preMs);
      if (!ep.route.empty()) std::printf(",\"route\":\"%s\"", ep.route.c_str());
      std::printf(",\"iters\":%d}\n", o.iters);
      std::fflush(stdout);
    } catch (const std::exception& e) {
      printError(o, batch, e.what());
    }
  }
  return 0;
}
