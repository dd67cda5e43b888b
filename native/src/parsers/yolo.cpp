// YOLO output decoders: v5 ([B, N, 5 + C], objectness × class) and v8/v11 ([B, 4 + C, N] or transposed).
#include <algorithm>
#include <string>
#include <vector>

#include "parser_common.h"
#include "parsers/parser.h"

namespace vigil {

namespace {

Detection centreBox(float cx, float cy, float w, float h, int cls, float score) {
  return Detection{Box{cx - w * 0.5f, cy - h * 0.5f, w, h}, cls, score};
}

// Accepts [B, N, K] and, for single-image exports, [N, K]; returns false for anything else.
bool rows3(const OutputTensor& t, int64_t* batch, int64_t* rows, int64_t* cols) {
  if (t.dims.size() == 3) {
    *batch = t.dims[0], *rows = t.dims[1], *cols = t.dims[2];
  } else if (t.dims.size() == 2) {
    *batch = 1, *rows = t.dims[0], *cols = t.dims[1];
  } else {
    return false;
  }
  return *batch > 0 && *rows >= 0 && *cols > 0;
}

template <typename Fits>
const OutputTensor& pickOutput(ParserKind kind, const std::vector<OutputTensor>& outputs, const std::string& expected, Fits fits) {
  for (const auto& o : outputs)
    if (fits(o)) return o;
  return parsers::singleOutput(kind, outputs, expected);  // none fits: the first one, to name it in the error
}

}  // namespace

std::vector<Detection> decodeYoloV5(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params) {
  parsers::checkClasses(ParserKind::YoloV5, params);
  const int C = params.numClasses;
  const std::string expected =
      "[B, N, 5 + C] = [B, N, " + std::to_string(5 + C) + "] (cx, cy, w, h, objectness, " + std::to_string(C) + " class scores)";
  // Exports with extra outputs (raw feature maps) put the decoded one first or among them: pick it.
  const OutputTensor& t = pickOutput(ParserKind::YoloV5, outputs, expected, [C](const OutputTensor& o) {
    return (o.dims.size() == 3 || o.dims.size() == 2) && o.dims.back() == 5 + C;
  });
  int64_t B = 0, N = 0, K = 0;
  if (!rows3(t, &B, &N, &K)) parsers::throwLayoutError(ParserKind::YoloV5, t, expected);
  if (K != 5 + C) {
    std::string hint = "last dimension " + std::to_string(K) + " != 5 + " + std::to_string(C);
    if (K == 4 + C || (t.dims.size() == 3 && t.dims[1] == 4 + C)) hint += "; this looks like a yolov8 output";
    parsers::throwLayoutError(ParserKind::YoloV5, t, expected, hint);
  }
  parsers::checkBatch(ParserKind::YoloV5, t, batchIndex, B, expected);

  const float minThr = parsers::minPreClusterThreshold(params);
  const float* base = t.data + static_cast<size_t>(batchIndex) * static_cast<size_t>(N * K);
  std::vector<Detection> dets;
  for (int64_t i = 0; i < N; ++i) {
    const float* row = base + i * K;
    const float obj = row[4];
    if (!(obj >= minThr)) continue;  // class scores are <= 1, so objectness bounds the final score
    int best = 0;
    float bestScore = row[5];
    for (int c = 1; c < C; ++c) {
      if (row[5 + c] > bestScore) bestScore = row[5 + c], best = c;
    }
    const float score = obj * bestScore;
    if (score >= params.forClass(best).preClusterThreshold) dets.push_back(centreBox(row[0], row[1], row[2], row[3], best, score));
  }
  return dets;
}

std::vector<Detection> decodeYoloV8(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params) {
  parsers::checkClasses(ParserKind::YoloV8, params);
  const int C = params.numClasses;
  const std::string expected = "[B, 4 + C, N] = [B, " + std::to_string(4 + C) + ", N] (cx, cy, w, h, " + std::to_string(C) +
                               " class scores), or the transposed [B, N, " + std::to_string(4 + C) + "]";
  const OutputTensor& t = pickOutput(ParserKind::YoloV8, outputs, expected, [C](const OutputTensor& o) {
    const size_t r = o.dims.size();
    return (r == 3 || r == 2) && (o.dims[r - 2] == 4 + C || o.dims[r - 1] == 4 + C);
  });
  int64_t B = 0, D1 = 0, D2 = 0;
  if (!rows3(t, &B, &D1, &D2)) parsers::throwLayoutError(ParserKind::YoloV8, t, expected);
  bool channelsFirst;
  if (D1 == 4 + C)
    channelsFirst = true;  // canonical layout wins when N happens to equal 4 + C
  else if (D2 == 4 + C)
    channelsFirst = false;
  else {
    std::string hint = "neither dimension is 4 + " + std::to_string(C);
    if (D2 == 5 + C) hint += "; this looks like a yolov5 output (with objectness)";
    parsers::throwLayoutError(ParserKind::YoloV8, t, expected, hint);
  }
  parsers::checkBatch(ParserKind::YoloV8, t, batchIndex, B, expected);

  const float* base = t.data + static_cast<size_t>(batchIndex) * static_cast<size_t>(D1 * D2);
  std::vector<Detection> dets;
  if (!channelsFirst) {
    const int64_t N = D1, K = D2;
    for (int64_t i = 0; i < N; ++i) {
      const float* row = base + i * K;
      int best = 0;
      float bestScore = row[4];
      for (int c = 1; c < C; ++c) {
        if (row[4 + c] > bestScore) bestScore = row[4 + c], best = c;
      }
      if (bestScore >= params.forClass(best).preClusterThreshold)
        dets.push_back(centreBox(row[0], row[1], row[2], row[3], best, bestScore));
    }
    return dets;
  }
  // [4 + C, N]: walk class rows contiguously, keeping the running best per anchor (cache friendly).
  const int64_t N = D2;
  thread_local std::vector<float> bestScore;
  thread_local std::vector<int> bestClass;
  bestScore.assign(static_cast<size_t>(N), 0.f);
  bestClass.assign(static_cast<size_t>(N), 0);
  if (C > 0) std::copy(base + 4 * N, base + 5 * N, bestScore.begin());
  float* __restrict best = bestScore.data();
  int* __restrict bestC = bestClass.data();
  for (int c = 1; c < C; ++c) {
    const float* __restrict row = base + (4 + c) * N;
    for (int64_t i = 0; i < N; ++i) {  // branch-free so the compiler can vectorise it
      const float s = row[i], b = best[i];
      const int higher = -static_cast<int>(s > b);  // all ones when this class wins
      bestC[i] = (bestC[i] & ~higher) | (c & higher);
      best[i] = b < s ? s : b;
    }
  }
  for (int64_t i = 0; i < N; ++i) {
    const float s = bestScore[static_cast<size_t>(i)];
    const int cls = bestClass[static_cast<size_t>(i)];
    if (s >= params.forClass(cls).preClusterThreshold) {
      dets.push_back(centreBox(base[i], base[N + i], base[2 * N + i], base[3 * N + i], cls, s));
    }
  }
  return dets;
}

}  // namespace vigil
