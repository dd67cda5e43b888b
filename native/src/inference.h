#pragma once
// One ONNX Runtime session per model: execution-provider choice, a reusable batch input buffer,
// and parsing of each image's outputs into network-space detections.
#include <onnxruntime_cxx_api.h>

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "manifest.h"
#include "parsers/parser.h"

namespace vigil {

struct InferenceOptions {
  int maxBatch = 1;
  int intraOpThreads = 0;              // 0: ONNX Runtime's default (all cores)
  bool allowSpinning = false;          // busy-wait between runs (faster alone, steals cores from decoding)
  std::vector<std::string> providers;  // overrides the manifest's executionProviders when not empty
};

// Execution providers this build can use on this machine: CPU always, CUDA/TensorRT when their
// provider libraries are found (ORT_EP_PATH, or beside libonnxruntime).
std::vector<std::string> selectableProviders();

// One run's outputs, owned: the next run makes new ones, so a batch can be parsed while the next
// one is inferred.
struct InferenceOutputs {
  std::vector<Ort::Value> values;
  std::vector<OutputTensor> views;
  std::vector<std::vector<float>> converted;  // int outputs turned into float
};

class InferenceSession {
 public:
  // Loads the model, picks the execution provider and checks that the outputs fit the parser
  // (one run on a blank batch). Throws std::runtime_error naming the model and the fix.
  InferenceSession(const ModelManifest& manifest, const InferenceOptions& options);

  const ModelManifest& manifest() const { return manifest_; }
  int maxBatch() const { return maxBatch_; }
  const std::string& provider() const { return provider_; }
  const std::string& providerNote() const { return providerNote_; }
  // The ONNX file the session opened: the manifest's FP16 variant on CUDA/TensorRT, else its file.
  const std::string& modelFile() const { return modelFile_; }
  size_t imageFloats() const { return imageFloats_; }
  // Where preprocessing writes image `i` of the next batch.
  float* inputFor(int i) { return input_.data() + static_cast<size_t>(i) * imageFloats_; }

  // The batch sizes run() may use: only the full batch where the shape is fixed (a fixed-batch model,
  // or the CUDA device path, which always runs the full batch), else the full batch, half and 1.
  std::vector<int> batchShapes() const;
  // Runs each of batchShapes() not yet run on the current input (host buffer or device input) once, so
  // that the first real batches do not pay for allocations, cuDNN autotuning or a TensorRT profile.
  // Returns the milliseconds each shape took, in the order run. The outputs are discarded.
  std::vector<std::pair<int, double>> warm();

  // Runs the first `count` images of the input (the host buffer, or the device input when set);
  // then detections() reads them. `input`: another buffer of the same kind and size to read instead
  // (double-buffered pre-processing); null: the default one.
  void run(int count, float* input = nullptr);
  // The same run with its outputs returned, safe to call from several threads at once (each call has
  // its own binding and outputs): what the engine's inference threads use.
  InferenceOutputs infer(int count, float* input = nullptr);

  // CUDA provider: device memory that ONNX Runtime reads directly (IO binding); outputs stay on the host.
  bool acceptsDeviceInput() const { return deviceMemory_ != nullptr; }
  // Feeds `deviceTensor` (maxBatch() images in the provider's device memory) from now on; null: the host buffer.
  void setDeviceInput(float* deviceTensor);
  bool usesDeviceInput() const { return deviceInput_ != nullptr; }
  std::vector<Detection> detections(int batchIndex) const;
  // Moves the last run's outputs out (detections() then has none until the next run).
  InferenceOutputs takeOutputs();
  std::vector<Detection> detections(const InferenceOutputs& outputs, int batchIndex) const;

 private:
  InferenceOutputs readOutputs(std::vector<Ort::Value> values) const;
  ModelManifest manifest_;
  std::unique_ptr<Ort::Session> session_;
  std::string provider_, providerNote_, modelFile_;
  int maxBatch_ = 1;
  bool fixedBatch_ = false;
  size_t imageFloats_ = 0;
  std::vector<float> input_;
  std::string inputName_;
  std::vector<std::string> outputNames_;
  InferenceOutputs last_;                        // run()'s outputs
  const OrtMemoryInfo* deviceMemory_ = nullptr;  // the CUDA provider's device memory (owned by ONNX Runtime)
  float* deviceInput_ = nullptr;
  mutable std::mutex shapesMu_;
  std::vector<int> shapesRun_;  // batch sizes run on the current input (setDeviceInput starts again)
};

}  // namespace vigil
