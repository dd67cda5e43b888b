#include "ort_runtime.h"

#include <memory>
#include <stdexcept>

namespace vigil {

Ort::Env& ortEnv() {
  // Deliberately never released: ReleaseEnv during static destruction runs after the CUDA EP
  // library's own teardown and corrupts the heap at exit ("corrupted double-linked list" after
  // CUDA runs; onnxruntime#21207, pykeio/ort#609). Sessions are all gone by then; the OS frees the rest.
  static Ort::Env& env = *std::make_unique<Ort::Env>(ORT_LOGGING_LEVEL_WARNING, "vigil").release();
  return env;
}

std::map<std::string, Tensor> runModelOnce(const std::string& modelPath, const std::map<std::string, Tensor>& inputs) {
  try {
    Ort::SessionOptions options;
    options.SetIntraOpNumThreads(0);
    Ort::Session session(ortEnv(), modelPath.c_str(), options);
    Ort::AllocatorWithDefaultOptions alloc;
    auto mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);

    std::vector<std::string> inNames;
    std::vector<Ort::Value> inValues;
    for (size_t i = 0; i < session.GetInputCount(); ++i) {
      std::string name = session.GetInputNameAllocated(i, alloc).get();
      auto it = inputs.find(name);
      if (it == inputs.end()) throw std::runtime_error("no value given for input '" + name + "'");
      const Tensor& t = it->second;
      size_t count = 1;
      for (auto d : t.dims) count *= static_cast<size_t>(d);
      if (count != t.data.size())
        throw std::runtime_error("input '" + name + "': dims hold " + std::to_string(count) + " values but " +
                                 std::to_string(t.data.size()) + " were given");
      inNames.push_back(name);
      inValues.push_back(
          Ort::Value::CreateTensor<float>(mem, const_cast<float*>(t.data.data()), t.data.size(), t.dims.data(), t.dims.size()));
    }
    std::vector<std::string> outNames;
    for (size_t i = 0; i < session.GetOutputCount(); ++i) outNames.emplace_back(session.GetOutputNameAllocated(i, alloc).get());

    std::vector<const char*> inPtrs, outPtrs;
    for (auto& n : inNames) inPtrs.push_back(n.c_str());
    for (auto& n : outNames) outPtrs.push_back(n.c_str());
    auto outs = session.Run(Ort::RunOptions{nullptr}, inPtrs.data(), inValues.data(), inValues.size(), outPtrs.data(), outPtrs.size());

    std::map<std::string, Tensor> result;
    for (size_t i = 0; i < outs.size(); ++i) {
      auto info = outs[i].GetTensorTypeAndShapeInfo();
      Tensor t;
      t.dims = info.GetShape();
      size_t n = info.GetElementCount();
      t.data.resize(n);
      switch (info.GetElementType()) {
        case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: {
          const float* p = outs[i].GetTensorData<float>();
          t.data.assign(p, p + n);
          break;
        }
        case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: {
          const int64_t* p = outs[i].GetTensorData<int64_t>();
          for (size_t k = 0; k < n; ++k) t.data[k] = static_cast<float>(p[k]);
          break;
        }
        case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: {
          const int32_t* p = outs[i].GetTensorData<int32_t>();
          for (size_t k = 0; k < n; ++k) t.data[k] = static_cast<float>(p[k]);
          break;
        }
        default:
          throw std::runtime_error("output '" + outNames[i] + "' has an element type Vigil does not read (float, int32, int64 only)");
      }
      result.emplace(outNames[i], std::move(t));
    }
    return result;
  } catch (const Ort::Exception& e) {
    throw std::runtime_error("model '" + modelPath + "': " + e.what());
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    if (msg.rfind("model '", 0) == 0) throw;
    throw std::runtime_error("model '" + modelPath + "': " + msg);
  }
}

}  // namespace vigil
