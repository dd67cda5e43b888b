#pragma once
#include <onnxruntime_cxx_api.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vigil {

// One ONNX Runtime environment per process, shared by every session.
Ort::Env& ortEnv();

struct Tensor {
  std::vector<int64_t> dims;
  std::vector<float> data;
};

// Runs a model once on float inputs; for model checks (add-time validation, conversion parity).
// Throws std::runtime_error naming the model and what is wrong.
std::map<std::string, Tensor> runModelOnce(const std::string& modelPath, const std::map<std::string, Tensor>& inputs);

}  // namespace vigil
