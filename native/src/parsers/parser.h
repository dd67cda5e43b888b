#pragma once
// The parser API (nvinfer's output parsing, "custom-lib" in DeepStream terms): a model's output
// tensors → network-space detections after per-class thresholds, class-wise NMS and top-k.
// To add a parser: a ParserKind value and its name (parse.cpp), a decodeX() in its own file under
// parsers/, a case in parseOutputs(), and a test under native/tests/parsers/.
#include <cstdint>
#include <string>
#include <vector>

#include "image.h"

namespace vigil {

struct Detection {
  Box box;
  int classId = 0;
  float score = 0;
};

// One output tensor of a model run, float data in row-major order.
struct OutputTensor {
  std::string name;
  std::vector<int64_t> dims;
  const float* data = nullptr;  // not owned
  size_t size() const;
};

enum class ParserKind { YoloV5, YoloV8, NanoDet, CenterNet, Ssd, Detr };
bool parseParserKind(const std::string& name, ParserKind* out);
const char* parserName(ParserKind kind);
// Every parser's canonical name in enum order: the native list (main/api's PARSER_NAMES is tested against it).
std::vector<std::string> parserNames();
// "a, b or c": for messages that list the accepted names.
std::string joinNames(const std::vector<std::string>& names);

struct ClassThreshold {
  float preClusterThreshold = 0.25f;  // minimum score before NMS (DeepStream pre-cluster-threshold)
  float nmsIou = 0.45f;
  int topK = 100;  // per class, after NMS; <= 0: no limit
};

struct ParseParams {
  int numClasses = 80;
  int netWidth = 640, netHeight = 640;
  ClassThreshold defaults;
  std::vector<ClassThreshold> perClass;  // indexed by class id; falls back to defaults when shorter
  int maxDetections = 300;               // over all classes, after NMS, best scores kept; <= 0: no limit
  // NanoDet: feature-map strides in output order and the distribution-regression bins - 1.
  std::vector<int> strides{8, 16, 32};
  int regMax = 7;
  const ClassThreshold& forClass(int classId) const {
    return classId >= 0 && static_cast<size_t>(classId) < perClass.size() ? perClass[static_cast<size_t>(classId)] : defaults;
  }
};

// Decodes one image's outputs (batch index `batchIndex`) into network-space detections after
// class-wise NMS, per-class thresholds and top-k. Throws std::runtime_error naming the tensor and the
// expected layout when the outputs do not match the parser.
std::vector<Detection> parseOutputs(ParserKind kind, const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params);

// Per-parser decoders: candidates above each class's pre-cluster threshold, network space, before
// NMS. parseOutputs() dispatches to these, then applies nmsPerClass and maxDetections.
std::vector<Detection> decodeYoloV5(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params);
std::vector<Detection> decodeYoloV8(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params);
std::vector<Detection> decodeNanoDet(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params);
std::vector<Detection> decodeCenterNet(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params);
std::vector<Detection> decodeSsd(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params);
// DETR family (RT-DETR): logits [B, Q, C] before sigmoid + pred_boxes [B, Q, 4] cx, cy, w, h normalised.
std::vector<Detection> decodeDetr(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params);

// Class-wise non-maximum suppression; input need not be sorted. Keeps at most topK per class.
std::vector<Detection> nmsPerClass(std::vector<Detection> dets, const ParseParams& params);

}  // namespace vigil
