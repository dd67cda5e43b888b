#include "inference.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "ort_runtime.h"
#include "providers.h"

namespace vigil {
namespace fs = std::filesystem;

namespace {

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
  for (const char* p : {"cuda", "tensorrt"})
    if (!providerLibrary(p).empty()) out.push_back(executionProviderName(p));
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
      ProviderSetup setup;
      setup.provider = p;
      setup.fp16 = m.fp16 || !m.fp16ModelFile.empty();  // TensorRT builds half-precision layers for the FP16 variant
      setup.tensorrtCache = tensorrtCacheDir().string();
      setup.classicFallback = p == "tensorrt";  // ONNX Runtime's own TensorRT library is a classic provider
      AddedProvider added;
      std::string why;
      if (appendExecutionProvider(ortEnv(), so, setup, &added, &why)) {
        provider_ = added.epName;
        if (p == "cuda" && added.route == "plugin") deviceMemory_ = added.device;
        break;
      }
      const char* epName = executionProviderName(p);
      notes += epName ? std::string(epName) + ": " + why + "; " : why + "; ";
    }
    if (provider_ == "TensorrtExecutionProvider") {
      std::error_code ec;
      std::filesystem::create_directories(tensorrtCacheDir(), ec);  // TensorRT writes its engines there
    }
    if (provider_ == "CPUExecutionProvider" && !notes.empty()) providerNote_ = "falling back to CPUExecutionProvider: " + notes;
    // The FP16 variant where a GPU provider runs it (never on the CPU provider); should it not open
    // there, the FP32 file does, and the note says why.
    modelFile_ = m.modelFile;
    if (!m.fp16ModelFile.empty() && provider_ != "CPUExecutionProvider") {
      try {
        session_ = std::make_unique<Ort::Session>(ortEnv(), m.fp16ModelFile.c_str(), so);
        modelFile_ = m.fp16ModelFile;
      } catch (const Ort::Exception& e) {
        providerNote_ = "the FP16 variant did not open on " + provider_ + " (" + e.what() + "); running FP32";
      }
    }
    if (!session_) session_ = std::make_unique<Ort::Session>(ortEnv(), m.modelFile.c_str(), so);

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
    if (shape.size() != 4)
      throw std::runtime_error("input '" + inputName_ + "' has rank " + std::to_string(shape.size()) + ", expected 4 (image batch)");
    int64_t c = (m.input.layout == TensorLayout::Nchw) ? shape[1] : shape[3],
            h = (m.input.layout == TensorLayout::Nchw) ? shape[2] : shape[1],
            w = (m.input.layout == TensorLayout::Nchw) ? shape[3] : shape[2];
    if ((c > 0 && c != 3) || (h > 0 && h != m.input.height) || (w > 0 && w != m.input.width))
      throw std::runtime_error("input '" + inputName_ + "' has shape [" + std::to_string(shape[0]) + "," + std::to_string(shape[1]) + "," +
                               std::to_string(shape[2]) + "," + std::to_string(shape[3]) + "] but the manifest says " +
                               ((m.input.layout == TensorLayout::Nchw) ? "NCHW 3x" : "NHWC ") + std::to_string(m.input.height) + "x" +
                               std::to_string(m.input.width) + " — fix input.width/height/layout");
    maxBatch_ = std::max(1, o.maxBatch);
    if (shape[0] > 0) maxBatch_ = static_cast<int>(shape[0]);
    if (m.fixedBatch > 0) maxBatch_ = m.fixedBatch;
    fixedBatch_ = shape[0] > 0 || m.fixedBatch > 0;
    imageFloats_ = static_cast<size_t>(3) * m.input.width * m.input.height;
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

std::vector<int> InferenceSession::batchShapes() const {
  if (fixedBatch_ || deviceMemory_) return {maxBatch_};
  std::vector<int> shapes{maxBatch_};  // the largest first: TensorRT's profile then spans the others
  for (int b : {(maxBatch_ + 1) / 2, 1})
    if (b != shapes.back()) shapes.push_back(b);
  return shapes;
}

std::vector<std::pair<int, double>> InferenceSession::warm() {
  std::vector<std::pair<int, double>> took;
  for (int b : batchShapes()) {
    {
      std::lock_guard lock(shapesMu_);
      if (std::find(shapesRun_.begin(), shapesRun_.end(), b) != shapesRun_.end()) continue;
    }
    const auto t0 = std::chrono::steady_clock::now();
    run(b);
    took.emplace_back(b, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  last_ = InferenceOutputs{};
  return took;
}

void InferenceSession::setDeviceInput(float* deviceTensor) {
  if (deviceTensor && !deviceMemory_)
    throw std::runtime_error("model '" + manifest_.name + "': device input needs the CUDA execution provider (running on " + provider_ +
                             ")");
  deviceInput_ = deviceTensor;
  std::lock_guard lock(shapesMu_);
  shapesRun_.clear();
}

void InferenceSession::run(int count, float* input) { last_ = infer(count, input); }

InferenceOutputs InferenceSession::infer(int count, float* input) {
  // On a GPU every new batch shape costs a new plan (seen: 120-145 ms per partial batch on an H100),
  // so run the full batch there like nvstreammux does; the unused slots cost little.
  const int batch = fixedBatch_ || deviceMemory_ ? maxBatch_ : std::clamp(count, 1, maxBatch_);
  std::vector<int64_t> dims = (manifest_.input.layout == TensorLayout::Nchw)
                                  ? std::vector<int64_t>{batch, 3, manifest_.input.height, manifest_.input.width}
                                  : std::vector<int64_t>{batch, manifest_.input.height, manifest_.input.width, 3};
  const size_t floats = imageFloats_ * static_cast<size_t>(batch);
  std::vector<Ort::Value> values;
  try {
    if (deviceInput_) {
      // One binding per run (runs may be in flight on several threads); outputs bound by device, so
      // ONNX Runtime allocates them in the batch's shape on the host, where the parsers read them.
      Ort::IoBinding binding(*session_);
      Ort::Value in(Ort::Value::CreateTensor(deviceMemory_, input ? input : deviceInput_, floats * sizeof(float), dims.data(), dims.size(),
                                             ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT));
      binding.BindInput(inputName_.c_str(), in);
      static const Ort::MemoryInfo host = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
      for (auto& n : outputNames_) binding.BindOutput(n.c_str(), host);
      session_->Run(Ort::RunOptions{nullptr}, binding);
      values = binding.GetOutputValues();
    } else {
      static const Ort::MemoryInfo mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
      Ort::Value in = Ort::Value::CreateTensor<float>(mem, input ? input : input_.data(), floats, dims.data(), dims.size());
      const char* inName = inputName_.c_str();
      std::vector<const char*> outNames;
      for (auto& n : outputNames_) outNames.push_back(n.c_str());
      values = session_->Run(Ort::RunOptions{nullptr}, &inName, &in, 1, outNames.data(), outNames.size());
    }
  } catch (const Ort::Exception& e) {
    throw std::runtime_error("model '" + manifest_.name + "': inference failed: " + e.what());
  }
  {
    std::lock_guard lock(shapesMu_);
    if (std::find(shapesRun_.begin(), shapesRun_.end(), batch) == shapesRun_.end()) shapesRun_.push_back(batch);
  }
  return readOutputs(std::move(values));
}

InferenceOutputs InferenceSession::readOutputs(std::vector<Ort::Value> values) const {
  InferenceOutputs out;
  out.values = std::move(values);
  out.converted.reserve(out.values.size());  // the views point into these: no reallocation below
  for (size_t i = 0; i < out.values.size(); ++i) {
    auto info = out.values[i].GetTensorTypeAndShapeInfo();
    OutputTensor t;
    t.name = outputNames_[i];
    t.dims = info.GetShape();
    size_t n = info.GetElementCount();
    switch (info.GetElementType()) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
        t.data = out.values[i].GetTensorData<float>();
        break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: {
        const int64_t* p = out.values[i].GetTensorData<int64_t>();
        out.converted.emplace_back(p, p + n);
        t.data = out.converted.back().data();
        break;
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: {
        const int32_t* p = out.values[i].GetTensorData<int32_t>();
        out.converted.emplace_back(p, p + n);
        t.data = out.converted.back().data();
        break;
      }
      default:
        throw std::runtime_error("output '" + t.name + "' is neither float nor integer; no parser reads it");
    }
    out.views.push_back(std::move(t));
  }
  return out;
}

std::vector<Detection> InferenceSession::detections(int batchIndex) const {
  return parseOutputs(manifest_.parser, last_.views, batchIndex, manifest_.params);
}

InferenceOutputs InferenceSession::takeOutputs() { return std::exchange(last_, InferenceOutputs{}); }

std::vector<Detection> InferenceSession::detections(const InferenceOutputs& outputs, int batchIndex) const {
  return parseOutputs(manifest_.parser, outputs.views, batchIndex, manifest_.params);
}

}  // namespace vigil
