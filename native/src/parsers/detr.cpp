// DETR-family decoder (RT-DETR, DETR, D-FINE exports): per-query class logits and normalised
// centre boxes; every query is a candidate, so NMS is not needed (but is harmless).
#include <cmath>
#include <stdexcept>
#include <string>

#include "parsers/parser.h"
#include "parsers/parser_common.h"

namespace vigil {
std::vector<Detection> decodeDetr(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params) {
  const OutputTensor* logits = nullptr;
  const OutputTensor* boxes = nullptr;
  for (const auto& o : outputs) {
    if (o.name == "logits" || o.name == "scores") logits = &o;
    if (o.name == "pred_boxes" || o.name == "boxes") boxes = &o;
  }
  if ((!logits || !boxes) && outputs.size() == 2) {  // unnamed: the one whose last dim is 4 holds the boxes
    const bool firstIsBoxes =
        !outputs[0].dims.empty() && outputs[0].dims.back() == 4 && !(outputs[1].dims.size() == 3 && outputs[1].dims.back() == 4);
    boxes = &outputs[firstIsBoxes ? 0 : 1];
    logits = &outputs[firstIsBoxes ? 1 : 0];
  }
  const std::string expected =
      "parser detr expects logits [B, Q, C] (before sigmoid) and pred_boxes [B, Q, 4] "
      "(cx, cy, w, h normalised 0..1)";
  if (!logits || !boxes) throw std::runtime_error("parser detr: outputs 'logits' and 'pred_boxes' not found — " + expected);
  if (logits->dims.size() != 3 || boxes->dims.size() != 3 || boxes->dims[2] != 4 || logits->dims[0] != boxes->dims[0] ||
      logits->dims[1] != boxes->dims[1])
    throw std::runtime_error("parser detr: output '" + logits->name + "' has shape " + parsers::shapeString(logits->dims) + " and '" +
                             boxes->name + "' has shape " + parsers::shapeString(boxes->dims) + " — " + expected);
  if (batchIndex < 0 || batchIndex >= logits->dims[0])
    throw std::runtime_error("parser detr: batch index " + std::to_string(batchIndex) + " outside batch of " +
                             std::to_string(logits->dims[0]));
  const int64_t queries = logits->dims[1], classes = logits->dims[2];
  if (params.numClasses > 0 && classes != params.numClasses)
    throw std::runtime_error("parser detr: output '" + logits->name + "' has " + std::to_string(classes) +
                             " classes but the manifest lists " + std::to_string(params.numClasses) +
                             " labels — check the labels or the export's num_labels");
  const float* L = logits->data + static_cast<size_t>(batchIndex) * queries * classes;
  const float* B = boxes->data + static_cast<size_t>(batchIndex) * queries * 4;
  std::vector<Detection> out;
  for (int64_t q = 0; q < queries; ++q) {
    const float* b = B + q * 4;
    const float w = b[2] * params.netWidth, h = b[3] * params.netHeight;
    if (!(w > 0) || !(h > 0)) continue;
    for (int64_t c = 0; c < classes; ++c) {
      const float score = 1.f / (1.f + std::exp(-L[q * classes + c]));
      if (score < params.forClass(static_cast<int>(c)).preClusterThreshold) continue;
      Detection d;
      d.classId = static_cast<int>(c);
      d.score = score;
      d.box = Box{b[0] * params.netWidth - w / 2, b[1] * params.netHeight - h / 2, w, h};
      out.push_back(d);
    }
  }
  return out;
}

}  // namespace vigil
