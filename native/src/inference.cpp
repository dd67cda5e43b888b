#include "inference.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "ort_runtime.h"

namespace vigil {
namespace fs = std::filesystem;

namespace {

std::string providerLibrary(const std::string& shortName) {
  std::string file = "libonnxruntime_providers_" + shortName + ".so";
  std::vector<fs::path> dirs;
  if (const char* p = std::getenv("ORT_EP_PATH")) {
    fs::path ep(p);
    if (fs::is_regular_file(ep) && ep.filename() == file) return ep.string();
    dirs.push_back(fs::is_directory(ep) ? ep : ep.parent_path());
  }
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&OrtGetApiBase), &info) && info.dli_fname)
    dirs.push_back(fs::path(info.dli_fname).parent_path());
  for (auto& d : dirs)
    if (fs::is_regular_file(d / file)) return (d / file).string();
  return {};
}

// Registers the plugin EP library once per process; returns the EP device or nullptr.
const OrtEpDevice* pluginDevice(const std::string& shortName, const char* epName, std::string* why) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  static std::vector<std::string> registered;
  const OrtApi& api = Ort::GetApi();
  std::string lib = providerLibrary(shortName);
  if (lib.empty()) {
    *why = "libonnxruntime_providers_" + shortName + ".so not found (set ORT_EP_PATH to its folder)";
    return nullptr;
  }
  if (std::find(registered.begin(), registered.end(), shortName) == registered.end()) {
    if (OrtStatus* st = api.RegisterExecutionProviderLibrary(ortEnv(), shortName.c_str(), lib.c_str())) {
      *why = std::string("cannot load ") + lib + ": " + api.GetErrorMessage(st);
      api.ReleaseStatus(st);
      return nullptr;
    }
    registered.push_back(shortName);
  }
  const OrtEpDevice* const* devs = nullptr;
  size_t n = 0;
  if (OrtStatus* st = api.GetEpDevices(ortEnv(), &devs, &n)) {
    *why = api.GetErrorMessage(st);
    api.ReleaseStatus(st);
    return nullptr;
  }
  for (size_t i = 0; i < n; ++i)
    if (std::string(api.EpDevice_EpName(devs[i])) == epName) return devs[i];
  *why = std::string(lib) + " loaded but it offers no " + epName + " device (no GPU or driver?)";
  return nullptr;
}

// Where TensorRT keeps built engines between runs: $VIGIL_TRT_CACHE, else $VIGIL_HOME/cache/tensorrt,
// else ~/.cache/vigil/tensorrt. Created only once TensorRT is the provider.
std::filesystem::path tensorrtCacheDir() {
  if (const char* c = std::getenv("VIGIL_TRT_CACHE"); c && *c) return c;
  if (const char* h = std::getenv("VIGIL_HOME"); h && *h) return std::filesystem::path(h) / "cache" / "tensorrt";
  if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".cache" / "vigil" / "tensorrt";
  return std::filesystem::temp_directory_path() / "vigil-tensorrt";
}

}  // namespace

std::vector<std::string> selectableProviders() {
  std::vector<std::string> out{"CPUExecutionProvider"};
  if (!providerLibrary("cuda").empty()) out.push_back("CUDAExecutionProvider");
  if (!providerLibrary("tensorrt").empty()) out.push_back("TensorrtExecutionProvider");
  return out;
}

InferenceSession::InferenceSession(const ModelManifest& m, const InferenceOptions& o) : manifest_(m) {
  const std::string who = "model '" + m.name + "' (" + m.modelFile + ")";
  try {
    Ort::SessionOptions so;
    so.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
    so.SetIntraOpNumThreads(o.intraOpThreads);
    so.SetInterOpNumThreads(1);
    // Idle ONNX Runtime workers must not spin: decoder threads need those cores between runs.
    if (!o.allowSpinning) so.AddConfigEntry("session.intra_op.allow_spinning", "0");
    std::vector<std::string> prefs = o.providers.empty() ? m.executionProviders : o.providers;
    if (const char* env = std::getenv("VIGIL_EP")) prefs = {env};
    provider_ = "CPUExecutionProvider";
    std::string notes;
    for (auto& p : prefs) {
      if (p == "cpu") break;
      const char* epName = p == "cuda" ? "CUDAExecutionProvider" : p == "tensorrt" ? "TensorrtExecutionProvider" : nullptr;
      if (!epName) { notes += "unknown execution provider '" + p + "'; "; continue; }
      std::string why;
      // Provider options: CUDA picks convolution algorithms by heuristics (no start-up search);
      // TensorRT keeps its engines on disk and builds FP16 where the manifest allows it.
      std::vector<std::string> keys, values;
      if (p == "cuda") {
        keys = {"cudnn_conv_algo_search"};
        values = {"HEURISTIC"};
      } else {
        keys = {"trt_engine_cache_enable", "trt_engine_cache_path", "trt_timing_cache_enable", "trt_fp16_enable"};
        values = {"1", tensorrtCacheDir().string(), "1", m.fp16 ? "1" : "0"};
      }
      std::vector<const char*> k, v;
      for (size_t i = 0; i < keys.size(); ++i) {
        k.push_back(keys[i].c_str());
        v.push_back(values[i].c_str());
      }
      const OrtEpDevice* dev = pluginDevice(p, epName, &why);
      if (!dev && p == "tensorrt") {
        // The TensorRT library of ONNX Runtime's own builds is a classic provider, not a plugin.
        OrtTensorRTProviderOptionsV2* trt = nullptr;
        OrtStatus* st = Ort::GetApi().CreateTensorRTProviderOptions(&trt);
        if (!st) st = Ort::GetApi().UpdateTensorRTProviderOptions(trt, k.data(), v.data(), k.size());
        if (!st) st = Ort::GetApi().SessionOptionsAppendExecutionProvider_TensorRT_V2(so, trt);
        if (trt) Ort::GetApi().ReleaseTensorRTProviderOptions(trt);
        if (!st) {
          provider_ = epName;
          break;
        }
        std::string msg = Ort::GetApi().GetErrorMessage(st);
        while (!msg.empty() && (msg.back() == '.' || msg.back() == ' ')) msg.pop_back();
        notes += std::string(epName) + ": " + why + "; classic provider: " + msg + "; ";
        Ort::GetApi().ReleaseStatus(st);
        continue;
      }
      if (dev) {
        OrtStatus* st = Ort::GetApi().SessionOptionsAppendExecutionProvider_V2(so, ortEnv(), &dev, 1, k.data(), v.data(), k.size());
        if (!st) {
          provider_ = epName;
          if (p == "cuda") deviceMemory_ = Ort::GetApi().EpDevice_MemoryInfo(dev, OrtDeviceMemoryType_DEFAULT);
          break;
        }
        notes += std::string(epName) + ": " + Ort::GetApi().GetErrorMessage(st) + "; ";
        Ort::GetApi().ReleaseStatus(st);
      } else {
        notes += std::string(epName) + ": " + why + "; ";
      }
    }
    if (provider_ == "TensorrtExecutionProvider") {
      std::error_code ec;
      std::filesystem::create_directories(tensorrtCacheDir(), ec);  // TensorRT writes its engines there
    }
    if (provider_ == "CPUExecutionProvider" && !notes.empty())
      providerNote_ = "falling back to CPUExecutionProvider: " + notes;
    session_ = std::make_unique<Ort::Session>(ortEnv(), m.modelFile.c_str(), so);

    Ort::AllocatorWithDefaultOptions alloc;
    if (session_->GetInputCount() != 1)
      throw std::runtime_error("has " + std::to_string(session_->GetInputCount()) + " inputs; Vigil feeds exactly one image input");
    inputName_ = session_->GetInputNameAllocated(0, alloc).get();
    if (!m.inputName.empty() && m.inputName != inputName_)
      throw std::runtime_error("input is named '" + inputName_ + "' but the manifest says '" + m.inputName + "' — fix input.name");
    Ort::TypeInfo typeInfo = session_->GetInputTypeInfo(0);
    auto tinfo = typeInfo.GetTensorTypeAndShapeInfo();
    if (tinfo.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT)
      throw std::runtime_error("input '" + inputName_ + "' is not float32; Vigil feeds float32 images");
    auto shape = tinfo.GetShape();
    if (shape.size() != 4) throw std::runtime_error("input '" + inputName_ + "' has rank " + std::to_string(shape.size()) + ", expected 4 (image batch)");
    int64_t c = m.nchw ? shape[1] : shape[3], h = m.nchw ? shape[2] : shape[1], w = m.nchw ? shape[3] : shape[2];
    if ((c > 0 && c != 3) || (h > 0 && h != m.height) || (w > 0 && w != m.width))
      throw std::runtime_error("input '" + inputName_ + "' has shape [" + std::to_string(shape[0]) + "," + std::to_string(shape[1]) + "," +
                               std::to_string(shape[2]) + "," + std::to_string(shape[3]) + "] but the manifest says " +
                               (m.nchw ? "NCHW 3x" : "NHWC ") + std::to_string(m.height) + "x" + std::to_string(m.width) +
                               " — fix input.width/height/layout");
    maxBatch_ = std::max(1, o.maxBatch);
    if (shape[0] > 0) maxBatch_ = static_cast<int>(shape[0]);
    if (m.fixedBatch > 0) maxBatch_ = m.fixedBatch;
    fixedBatch_ = shape[0] > 0 || m.fixedBatch > 0;
    imageFloats_ = static_cast<size_t>(3) * m.width * m.height;
    input_.assign(imageFloats_ * static_cast<size_t>(maxBatch_), 0.f);
    for (size_t i = 0; i < session_->GetOutputCount(); ++i) outputNames_.emplace_back(session_->GetOutputNameAllocated(i, alloc).get());
  } catch (const Ort::Exception& e) {
    throw std::runtime_error(who + ": ONNX Runtime cannot load it: " + e.what() + " — check that the file is a valid ONNX model");
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(who + ": " + e.what());
  }
  // A blank run tells now, not at the first camera frame, whether the outputs fit the parser.
  try {
    run(1);
    (void)detections(0);
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    if (msg.rfind(who, 0) == 0) throw;
    throw std::runtime_error(who + ": outputs match no parser: " + msg + " — check the manifest's \"parser\"");
  }
}

void InferenceSession::setDeviceInput(float* deviceTensor) {
  if (deviceTensor && !deviceMemory_)
    throw std::runtime_error("model '" + manifest_.name + "': device input needs the CUDA execution provider (running on " + provider_ + ")");
  deviceInput_ = deviceTensor;
  binding_.reset();
  if (!deviceTensor) return;
  binding_ = std::make_unique<Ort::IoBinding>(*session_);
  static const Ort::MemoryInfo host = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  for (auto& n : outputNames_) binding_->BindOutput(n.c_str(), host);  // parsers read outputs on the host
}

void InferenceSession::run(int count, float* input) {
  // On a GPU every new batch shape costs a new plan (seen: 120-145 ms per partial batch on an H100),
  // so run the full batch there like nvstreammux does; the unused slots cost little.
  const int batch = fixedBatch_ || deviceMemory_ ? maxBatch_ : std::clamp(count, 1, maxBatch_);
  std::vector<int64_t> dims = manifest_.nchw ? std::vector<int64_t>{batch, 3, manifest_.height, manifest_.width}
                                             : std::vector<int64_t>{batch, manifest_.height, manifest_.width, 3};
  const size_t floats = imageFloats_ * static_cast<size_t>(batch);
  try {
    if (deviceInput_) {
      Ort::Value in(Ort::Value::CreateTensor(deviceMemory_, input ? input : deviceInput_, floats * sizeof(float), dims.data(), dims.size(),
                                             ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT));
      binding_->BindInput(inputName_.c_str(), in);
      // Rebind the outputs by device each run: once allocated they keep the previous batch's shape.
      static const Ort::MemoryInfo host = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
      binding_->ClearBoundOutputs();
      for (auto& n : outputNames_) binding_->BindOutput(n.c_str(), host);
      session_->Run(Ort::RunOptions{nullptr}, *binding_);
      outputs_ = binding_->GetOutputValues();
    } else {
      static const Ort::MemoryInfo mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
      Ort::Value in = Ort::Value::CreateTensor<float>(mem, input ? input : input_.data(), floats, dims.data(), dims.size());
      const char* inName = inputName_.c_str();
      std::vector<const char*> outNames;
      for (auto& n : outputNames_) outNames.push_back(n.c_str());
      outputs_ = session_->Run(Ort::RunOptions{nullptr}, &inName, &in, 1, outNames.data(), outNames.size());
    }
  } catch (const Ort::Exception& e) {
    throw std::runtime_error("model '" + manifest_.name + "': inference failed: " + e.what());
  }
  readOutputs();
}

void InferenceSession::readOutputs() {
  views_.clear();
  converted_.clear();
  converted_.reserve(outputs_.size());
  for (size_t i = 0; i < outputs_.size(); ++i) {
    auto info = outputs_[i].GetTensorTypeAndShapeInfo();
    OutputTensor t;
    t.name = outputNames_[i];
    t.dims = info.GetShape();
    size_t n = info.GetElementCount();
    switch (info.GetElementType()) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: t.data = outputs_[i].GetTensorData<float>(); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: {
        const int64_t* p = outputs_[i].GetTensorData<int64_t>();
        converted_.emplace_back(p, p + n);
        t.data = converted_.back().data();
        break;
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: {
        const int32_t* p = outputs_[i].GetTensorData<int32_t>();
        converted_.emplace_back(p, p + n);
        t.data = converted_.back().data();
        break;
      }
      default:
        throw std::runtime_error("output '" + t.name + "' is neither float nor integer; no parser reads it");
    }
    views_.push_back(std::move(t));
  }
}

std::vector<Detection> InferenceSession::detections(int batchIndex) const {
  return parseOutputs(manifest_.parser, views_, batchIndex, manifest_.params);
}

InferenceOutputs InferenceSession::takeOutputs() {
  InferenceOutputs o;
  o.values = std::move(outputs_);
  o.views = std::move(views_);
  o.converted = std::move(converted_);  // moving keeps the buffers the views point into
  outputs_.clear();
  views_.clear();
  converted_.clear();
  return o;
}

std::vector<Detection> InferenceSession::detections(const InferenceOutputs& outputs, int batchIndex) const {
  return parseOutputs(manifest_.parser, outputs.views, batchIndex, manifest_.params);
}

}  // namespace vigil
