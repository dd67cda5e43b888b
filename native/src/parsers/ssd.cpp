// SSD decoder: boxes [B, N, 4] (x1, y1, x2, y2 normalised) + scores [B, N, C]; every class over its threshold.
#include <stdexcept>
#include <string>
#include <vector>

#include "parser_common.h"
#include "parsers/parser.h"

namespace vigil {

namespace {
const OutputTensor* byName(const std::vector<OutputTensor>& outputs, const char* name) {
  for (const auto& t : outputs)
    if (t.name == name) return &t;
  return nullptr;
}
}  // namespace

std::vector<Detection> decodeSsd(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params) {
  parsers::checkClasses(ParserKind::Ssd, params);
  const int C = params.numClasses;
  const std::string boxesLayout = "boxes [B, N, 4] (x1, y1, x2, y2 normalised 0..1)";
  const std::string scoresLayout = "scores [B, N, C] = [B, N, " + std::to_string(C) + "]";
  if (outputs.size() < 2) {
    throw std::runtime_error("the model produced " + std::to_string(outputs.size()) + " output(s) but parser ssd expects two: " +
                             boxesLayout + " and " + scoresLayout + " — check the manifest's parser");
  }
  const OutputTensor* boxes = byName(outputs, "boxes");
  const OutputTensor* scores = byName(outputs, "scores");
  if (!boxes || !scores) {  // not named: by order
    boxes = &outputs[0];
    scores = &outputs[1];
  }
  const std::string expected = boxesLayout + " and " + scoresLayout;
  auto shape3 = [](const OutputTensor& t, int64_t* b, int64_t* n, int64_t* k) {
    if (t.dims.size() == 3)
      *b = t.dims[0], *n = t.dims[1], *k = t.dims[2];
    else if (t.dims.size() == 2)
      *b = 1, *n = t.dims[0], *k = t.dims[1];
    else
      return false;
    return *b > 0 && *n >= 0;
  };
  int64_t bB = 0, bN = 0, bK = 0, sB = 0, sN = 0, sK = 0;
  if (!shape3(*boxes, &bB, &bN, &bK) || bK != 4) parsers::throwLayoutError(ParserKind::Ssd, *boxes, boxesLayout);
  if (!shape3(*scores, &sB, &sN, &sK)) parsers::throwLayoutError(ParserKind::Ssd, *scores, scoresLayout);
  if (sK != C) {
    std::string hint = "last dimension " + std::to_string(sK) + " != C = " + std::to_string(C);
    if (sK == C + 1) hint += "; the model has a background class: add it as label 0";
    parsers::throwLayoutError(ParserKind::Ssd, *scores, scoresLayout, hint);
  }
  if (sN != bN || sB != bB) {
    parsers::throwLayoutError(ParserKind::Ssd, *scores, expected,
                              "boxes '" + boxes->name + "' has shape " + parsers::shapeString(boxes->dims) + "; B and N must agree");
  }
  parsers::checkBatch(ParserKind::Ssd, *boxes, batchIndex, bB, expected);
  parsers::checkBatch(ParserKind::Ssd, *scores, batchIndex, sB, expected);

  const float W = static_cast<float>(params.netWidth), H = static_cast<float>(params.netHeight);
  const float* bx = boxes->data + static_cast<size_t>(batchIndex) * static_cast<size_t>(bN * 4);
  const float* sc = scores->data + static_cast<size_t>(batchIndex) * static_cast<size_t>(sN * sK);
  const float minThr = parsers::minPreClusterThreshold(params);
  std::vector<Detection> dets;
  for (int64_t i = 0; i < bN; ++i) {
    const float* row = sc + i * C;
    const float* b = bx + i * 4;
    for (int c = 0; c < C; ++c) {
      const float s = row[c];
      if (!(s >= minThr) || s < params.forClass(c).preClusterThreshold) continue;
      const float x1 = b[0] * W, y1 = b[1] * H, x2 = b[2] * W, y2 = b[3] * H;
      dets.push_back(Detection{Box{x1, y1, x2 - x1, y2 - y1}, c, s});
    }
  }
  return dets;
}

}  // namespace vigil
