// CenterNet decoder for TF object-detection style outputs [B, K, 6]: x1, y1, x2, y2 normalised
// to the network input, score, class id. Peaks were already picked (max-pool + top-k) in the graph.
#include <cmath>

#include "parsers/parser.h"
#include "decode_util.h"

namespace vigil {

std::vector<Detection> decodeCenterNet(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params) {
  if (outputs.empty()) throw std::runtime_error("parser centernet expects one output [B, K, 6], the model has none");
  const OutputTensor& t = outputs.front();
  if (t.data == nullptr || t.dims.size() != 3 || t.dims[2] != 6 || t.dims[1] <= 0)
    parsers::layoutError("centernet", t, "[B, K, 6] (x1, y1, x2, y2 normalised 0..1, score, class id)");
  if (batchIndex < 0 || batchIndex >= t.dims[0])
    throw std::runtime_error("output '" + t.name + "': batch index " + std::to_string(batchIndex) + " is out of range " +
                             parsers::shapeString(t.dims));
  const int64_t k = t.dims[1];
  const float* rows = t.data + static_cast<size_t>(batchIndex) * static_cast<size_t>(k * 6);
  const auto w = static_cast<float>(params.netWidth);
  const auto h = static_cast<float>(params.netHeight);
  std::vector<Detection> dets;
  for (int64_t i = 0; i < k; ++i) {
    const float* r = rows + i * 6;
    const float score = r[4];
    if (!std::isfinite(score)) continue;
    const int classId = static_cast<int>(std::lround(r[5]));
    if (classId < 0 || classId >= params.numClasses)
      throw std::runtime_error("output '" + t.name + "': class id " + std::to_string(classId) + " in row " + std::to_string(i) +
                               " is outside the " + std::to_string(params.numClasses) + " labels — check the manifest's labels");
    if (score < params.forClass(classId).preClusterThreshold) continue;
    Detection d;
    d.box.x = r[0] * w;
    d.box.y = r[1] * h;
    d.box.w = (r[2] - r[0]) * w;
    d.box.h = (r[3] - r[1]) * h;
    if (d.box.w <= 0 || d.box.h <= 0) continue;
    d.classId = classId;
    d.score = score;
    dets.push_back(d);
  }
  return dets;
}

}  // namespace vigil
