// NanoDet (GFL head) decoder: per anchor point, sigmoid class scores then four distance
// distributions (left, top, right, bottom) whose softmax expectation × stride is the distance
// from the anchor centre. Layout: resources/models/MANIFEST.md.
#include <algorithm>
#include <cmath>

#include "parsers/parser.h"
#include "decode_util.h"

namespace vigil {

std::vector<Detection> decodeNanoDet(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params) {
  if (outputs.empty()) throw std::runtime_error("parser nanodet expects one output [B, N, C + 4 × (regMax + 1)], the model has none");
  const OutputTensor& t = outputs.front();
  const int bins = params.regMax + 1;
  const int64_t channels = params.numClasses + 4 * bins;
  int64_t anchors = 0;
  for (int s : params.strides) {
    if (s <= 0) throw std::runtime_error("parser nanodet: stride " + std::to_string(s) + " must be positive — check parserOptions.strides");
    anchors += static_cast<int64_t>((params.netHeight + s - 1) / s) * ((params.netWidth + s - 1) / s);
  }
  const std::string expected = "[B, " + std::to_string(anchors) + ", " + std::to_string(channels) + "] (" +
                               std::to_string(params.numClasses) + " classes + 4 × " + std::to_string(bins) + " bins for a " +
                               std::to_string(params.netWidth) + "×" + std::to_string(params.netHeight) + " input)";
  if (t.data == nullptr || t.dims.size() != 3 || t.dims[1] != anchors || t.dims[2] != channels)
    parsers::layoutError("nanodet", t, expected);
  if (batchIndex < 0 || batchIndex >= t.dims[0])
    throw std::runtime_error("output '" + t.name + "': batch index " + std::to_string(batchIndex) + " is out of range " +
                             parsers::shapeString(t.dims));

  std::vector<Detection> dets;
  const float* base = t.data + static_cast<size_t>(batchIndex) * static_cast<size_t>(anchors * channels);
  std::vector<float> probs(static_cast<size_t>(bins));
  int64_t row = 0;
  for (int stride : params.strides) {
    const int fw = (params.netWidth + stride - 1) / stride;
    const int fh = (params.netHeight + stride - 1) / stride;
    for (int gy = 0; gy < fh; ++gy) {
      for (int gx = 0; gx < fw; ++gx, ++row) {
        const float* p = base + row * channels;
        int best = 0;
        for (int c = 1; c < params.numClasses; ++c)
          if (p[c] > p[best]) best = c;
        const float score = p[best];
        if (score < params.forClass(best).preClusterThreshold) continue;
        float dist[4];
        for (int side = 0; side < 4; ++side) {
          const float* logits = p + params.numClasses + side * bins;
          const float peak = *std::max_element(logits, logits + bins);
          float sum = 0, expectation = 0;
          for (int k = 0; k < bins; ++k) {
            probs[static_cast<size_t>(k)] = std::exp(logits[k] - peak);
            sum += probs[static_cast<size_t>(k)];
          }
          for (int k = 0; k < bins; ++k) expectation += static_cast<float>(k) * probs[static_cast<size_t>(k)];
          dist[side] = expectation / sum * static_cast<float>(stride);
        }
        // anchor centres sit in the middle of their grid cell, as NanoDet's GFL head places them
        const float cx = (static_cast<float>(gx) + 0.5f) * static_cast<float>(stride);
        const float cy = (static_cast<float>(gy) + 0.5f) * static_cast<float>(stride);
        Detection d;
        d.box.x = cx - dist[0];
        d.box.y = cy - dist[1];
        d.box.w = dist[0] + dist[2];
        d.box.h = dist[1] + dist[3];
        d.classId = best;
        d.score = score;
        dets.push_back(d);
      }
    }
  }
  return dets;
}

}  // namespace vigil
