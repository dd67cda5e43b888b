#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "parsers/parser.h"

using vigil::Detection;
using vigil::OutputTensor;
using vigil::ParseParams;
using vigil::ParserKind;

namespace {

ParseParams params(int classes, float threshold = 0.3f) {
  ParseParams p;
  p.numClasses = classes;
  p.defaults.preClusterThreshold = threshold;
  p.defaults.nmsIou = 0.5f;
  p.defaults.topK = 100;
  return p;
}

// A candidate written into a hand-built tensor: centre box + scores.
struct Cand {
  float cx, cy, w, h;
  int cls;
  float score;
  float objectness = 1.f;  // yolov5 only
};

// [B, N, 5 + C]
std::vector<float> yoloV5Tensor(int batch, int n, int classes, const std::vector<std::vector<Cand>>& perImage) {
  const int k = 5 + classes;
  std::vector<float> d(static_cast<size_t>(batch * n * k), 0.f);
  for (int b = 0; b < batch; ++b)
    for (size_t i = 0; i < perImage[static_cast<size_t>(b)].size(); ++i) {
      const Cand& c = perImage[static_cast<size_t>(b)][i];
      float* row = d.data() + (b * n + static_cast<int>(i)) * k;
      row[0] = c.cx, row[1] = c.cy, row[2] = c.w, row[3] = c.h, row[4] = c.objectness;
      row[5 + c.cls] = c.score;
      row[5 + (c.cls + 1) % classes] = c.score * 0.5f;  // a weaker second class that must lose the argmax
    }
  return d;
}

// [B, 4 + C, N] when channelsFirst, else [B, N, 4 + C]
std::vector<float> yoloV8Tensor(int n, int classes, const std::vector<Cand>& cands, bool channelsFirst) {
  const int k = 4 + classes;
  std::vector<float> d(static_cast<size_t>(n * k), 0.f);
  auto at = [&](int anchor, int ch) -> float& {
    return channelsFirst ? d[static_cast<size_t>(ch * n + anchor)] : d[static_cast<size_t>(anchor * k + ch)];
  };
  for (size_t i = 0; i < cands.size(); ++i) {
    const Cand& c = cands[i];
    const int a = static_cast<int>(i);
    at(a, 0) = c.cx, at(a, 1) = c.cy, at(a, 2) = c.w, at(a, 3) = c.h;
    at(a, 4 + c.cls) = c.score;
  }
  return d;
}

const Detection* find(const std::vector<Detection>& dets, int cls, float score) {
  for (const auto& d : dets)
    if (d.classId == cls && std::abs(d.score - score) < 1e-5f) return &d;
  return nullptr;
}

std::string errorOf(ParserKind kind, const std::vector<OutputTensor>& outs, const ParseParams& p, int batchIndex = 0) {
  try {
    vigil::parseOutputs(kind, outs, batchIndex, p);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ParserNames, RoundTripAndRejectUnknown) {
  for (ParserKind k :
       {ParserKind::YoloV5, ParserKind::YoloV8, ParserKind::NanoDet, ParserKind::CenterNet, ParserKind::Ssd, ParserKind::Detr}) {
    ParserKind back{};
    ASSERT_TRUE(vigil::parseParserKind(vigil::parserName(k), &back));
    EXPECT_EQ(back, k);
  }
  ParserKind k{};
  EXPECT_TRUE(vigil::parseParserKind("yolov11", &k));
  EXPECT_EQ(k, ParserKind::YoloV8);
  EXPECT_TRUE(vigil::parseParserKind("rt-detr", &k));
  EXPECT_EQ(k, ParserKind::Detr);
  EXPECT_FALSE(vigil::parseParserKind("faster-rcnn", &k));
}

TEST(YoloV5, DecodesCentreBoxesWithObjectnessTimesClassScore) {
  const int C = 3, N = 6;
  auto data =
      yoloV5Tensor(2, N, C, {{{100, 100, 40, 20, 1, 0.9f, 0.8f}, {300, 200, 10, 10, 2, 0.9f, 0.2f}}, {{50, 60, 20, 30, 0, 0.7f, 1.0f}}});
  std::vector<OutputTensor> outs{{"output0", {2, N, 5 + C}, data.data()}};
  auto dets = vigil::parseOutputs(ParserKind::YoloV5, outs, 0, params(C));
  ASSERT_EQ(dets.size(), 1u);  // the second candidate scores 0.18 < 0.3
  EXPECT_EQ(dets[0].classId, 1);
  EXPECT_NEAR(dets[0].score, 0.72f, 1e-5);
  EXPECT_FLOAT_EQ(dets[0].box.x, 80.f);
  EXPECT_FLOAT_EQ(dets[0].box.y, 90.f);
  EXPECT_FLOAT_EQ(dets[0].box.w, 40.f);
  EXPECT_FLOAT_EQ(dets[0].box.h, 20.f);
  // Batch index 1 reads the second image.
  auto second = vigil::parseOutputs(ParserKind::YoloV5, outs, 1, params(C));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].classId, 0);
  EXPECT_FLOAT_EQ(second[0].box.x, 40.f);
}

TEST(YoloV8, DecodesBothOrientationsIdentically) {
  const int C = 4, N = 12;  // N > 4 + C: the transposed layout is unambiguous
  std::vector<Cand> cands{{320, 240, 100, 200, 0, 0.95f}, {100, 100, 30, 30, 3, 0.6f}, {500, 400, 50, 50, 2, 0.1f}};
  auto cf = yoloV8Tensor(N, C, cands, true);
  auto tr = yoloV8Tensor(N, C, cands, false);
  auto a = vigil::parseOutputs(ParserKind::YoloV8, {{"output0", {1, 4 + C, N}, cf.data()}}, 0, params(C));
  auto b = vigil::parseOutputs(ParserKind::YoloV8, {{"output0", {1, N, 4 + C}, tr.data()}}, 0, params(C));
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].classId, b[i].classId);
    EXPECT_FLOAT_EQ(a[i].score, b[i].score);
    EXPECT_FLOAT_EQ(a[i].box.x, b[i].box.x);
    EXPECT_FLOAT_EQ(a[i].box.h, b[i].box.h);
  }
  // Sorted best first, centre → top-left converted.
  EXPECT_EQ(a[0].classId, 0);
  EXPECT_FLOAT_EQ(a[0].box.x, 270.f);
  EXPECT_FLOAT_EQ(a[0].box.y, 140.f);
  EXPECT_EQ(a[1].classId, 3);
}

TEST(Thresholds, PerClassPreClusterThresholdOverridesDefault) {
  const int C = 3, N = 10;
  std::vector<Cand> cands{{100, 100, 20, 20, 0, 0.35f}, {300, 100, 20, 20, 1, 0.35f}, {500, 100, 20, 20, 2, 0.15f}};
  auto d = yoloV8Tensor(N, C, cands, true);
  ParseParams p = params(C, 0.3f);
  p.perClass.resize(2, p.defaults);
  p.perClass[0].preClusterThreshold = 0.5f;  // class 0 stricter; class 2 falls back to the default 0.3
  p.perClass[1].preClusterThreshold = 0.3f;
  auto dets = vigil::parseOutputs(ParserKind::YoloV8, {{"out", {1, 4 + C, N}, d.data()}}, 0, p);
  ASSERT_EQ(dets.size(), 1u);
  EXPECT_EQ(dets[0].classId, 1);
  p.perClass.resize(3, p.defaults);
  p.perClass[2].preClusterThreshold = 0.1f;  // now class 2 passes too
  dets = vigil::parseOutputs(ParserKind::YoloV8, {{"out", {1, 4 + C, N}, d.data()}}, 0, p);
  EXPECT_EQ(dets.size(), 2u);
  EXPECT_NE(find(dets, 2, 0.15f), nullptr);
}

TEST(Nms, SuppressesOverlapsOnlyWithinAClass) {
  ParseParams p = params(2);
  std::vector<Detection> dets{
      {{100, 100, 50, 50}, 0, 0.9f},  // kept
      {{105, 102, 50, 50}, 0, 0.8f},  // overlaps the first, same class: suppressed
      {{102, 101, 50, 50}, 1, 0.7f},  // overlaps, other class: kept
      {{400, 400, 50, 50}, 0, 0.6f},  // no overlap: kept
  };
  auto kept = vigil::nmsPerClass(dets, p);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_NE(find(kept, 0, 0.9f), nullptr);
  EXPECT_EQ(find(kept, 0, 0.8f), nullptr);
  EXPECT_NE(find(kept, 1, 0.7f), nullptr);
  EXPECT_NE(find(kept, 0, 0.6f), nullptr);
  EXPECT_GE(kept[0].score, kept[1].score);
  EXPECT_GE(kept[1].score, kept[2].score);
}

TEST(Nms, UsesEachClassesIouThreshold) {
  ParseParams p = params(2);
  p.perClass.resize(2, p.defaults);
  p.perClass[1].nmsIou = 0.9f;  // class 1 tolerates heavy overlap (crowds)
  // IoU of these two boxes is 1/3 (half shifted).
  std::vector<Detection> dets{{{0, 0, 10, 10}, 0, 0.9f}, {{5, 0, 10, 10}, 0, 0.8f}, {{0, 0, 10, 10}, 1, 0.9f}, {{5, 0, 10, 10}, 1, 0.8f}};
  p.perClass[0].nmsIou = 0.3f;
  auto kept = vigil::nmsPerClass(dets, p);
  EXPECT_EQ(kept.size(), 3u);
  EXPECT_EQ(find(kept, 0, 0.8f), nullptr);
  EXPECT_NE(find(kept, 1, 0.8f), nullptr);
}

TEST(Nms, TopKPerClassAndMaxDetectionsOverall) {
  const int C = 2, N = 20;
  std::vector<Cand> cands;
  for (int i = 0; i < 6; ++i) cands.push_back({50.f + 60 * i, 50, 40, 40, 0, 0.9f - 0.05f * i});    // 6 of class 0, disjoint
  for (int i = 0; i < 6; ++i) cands.push_back({50.f + 60 * i, 300, 40, 40, 1, 0.88f - 0.05f * i});  // 6 of class 1
  auto d = yoloV8Tensor(N, C, cands, false);
  ParseParams p = params(C);
  p.perClass.resize(2, p.defaults);
  p.perClass[0].topK = 2;
  p.perClass[1].topK = 4;
  std::vector<OutputTensor> outs{{"out", {1, N, 4 + C}, d.data()}};
  auto dets = vigil::parseOutputs(ParserKind::YoloV8, outs, 0, p);
  ASSERT_EQ(dets.size(), 6u);
  int c0 = 0;
  for (const auto& x : dets) c0 += x.classId == 0;
  EXPECT_EQ(c0, 2);
  EXPECT_NE(find(dets, 0, 0.9f), nullptr);
  EXPECT_NE(find(dets, 0, 0.85f), nullptr);  // the two best of class 0
  p.maxDetections = 3;
  dets = vigil::parseOutputs(ParserKind::YoloV8, outs, 0, p);
  ASSERT_EQ(dets.size(), 3u);
  EXPECT_FLOAT_EQ(dets[0].score, 0.9f);
  EXPECT_FLOAT_EQ(dets[1].score, 0.88f);
  EXPECT_FLOAT_EQ(dets[2].score, 0.85f);
}

TEST(Ssd, DecodesNormalisedCornersToNetworkPixelsForEveryClassOverThreshold) {
  const int C = 3, N = 4;
  std::vector<float> boxes(N * 4, 0.f), scores(N * C, 0.f);
  auto setBox = [&](int i, float x1, float y1, float x2, float y2) {
    boxes[i * 4] = x1, boxes[i * 4 + 1] = y1, boxes[i * 4 + 2] = x2, boxes[i * 4 + 3] = y2;
  };
  setBox(0, 0.1f, 0.2f, 0.3f, 0.6f);
  scores[0 * C + 2] = 0.8f;
  scores[0 * C + 1] = 0.4f;  // also over threshold: SSD scores classes independently
  setBox(1, 0.5f, 0.5f, 0.9f, 0.9f);
  scores[1 * C + 0] = 0.2f;  // below threshold
  ParseParams p = params(C);
  p.netWidth = 300;
  p.netHeight = 200;
  // Given in the opposite order: matched by name.
  std::vector<OutputTensor> outs{{"scores", {1, N, C}, scores.data()}, {"boxes", {1, N, 4}, boxes.data()}};
  auto dets = vigil::parseOutputs(ParserKind::Ssd, outs, 0, p);
  ASSERT_EQ(dets.size(), 2u);
  EXPECT_EQ(dets[0].classId, 2);
  EXPECT_NEAR(dets[0].box.x, 30.f, 1e-4);
  EXPECT_NEAR(dets[0].box.y, 40.f, 1e-4);
  EXPECT_NEAR(dets[0].box.w, 60.f, 1e-4);
  EXPECT_NEAR(dets[0].box.h, 80.f, 1e-4);
  EXPECT_EQ(dets[1].classId, 1);
  // Unnamed outputs are taken in order.
  std::vector<OutputTensor> ordered{{"a", {1, N, 4}, boxes.data()}, {"b", {1, N, C}, scores.data()}};
  EXPECT_EQ(vigil::parseOutputs(ParserKind::Ssd, ordered, 0, p).size(), 2u);
}

TEST(MalformedOutputs, YoloV8ShapeMismatchNamesTensorShapeAndLayout) {
  std::vector<float> d(1 * 84 * 10, 0.f);
  std::string msg = errorOf(ParserKind::YoloV8, {{"output0", {1, 84, 10}, d.data()}}, params(3));
  EXPECT_NE(msg.find("'output0'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[1, 84, 10]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[B, 4 + C, N]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("labels"), std::string::npos) << msg;
}

TEST(MalformedOutputs, YoloV5GivenAYoloV8OutputSaysSo) {
  std::vector<float> d(1 * 10 * 7, 0.f);  // [1, N, 4 + C] with C = 3
  std::string msg = errorOf(ParserKind::YoloV5, {{"output0", {1, 10, 7}, d.data()}}, params(3));
  EXPECT_NE(msg.find("'output0'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[B, N, 5 + C]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("yolov8"), std::string::npos) << msg;
}

TEST(MalformedOutputs, WrongRankBatchIndexAndMissingOutputs) {
  std::vector<float> d(64, 0.f);
  EXPECT_NE(errorOf(ParserKind::YoloV8, {{"feat", {1, 2, 4, 8}, d.data()}}, params(3)).find("'feat'"), std::string::npos);
  std::string batch = errorOf(ParserKind::YoloV8, {{"out", {1, 7, 8}, d.data()}}, params(3), 1);
  EXPECT_NE(batch.find("batch"), std::string::npos) << batch;
  EXPECT_NE(errorOf(ParserKind::YoloV5, {}, params(3)).find("no outputs"), std::string::npos);
  std::string ssd = errorOf(ParserKind::Ssd, {{"boxes", {1, 8, 4}, d.data()}}, params(3));
  EXPECT_NE(ssd.find("two"), std::string::npos) << ssd;
}

TEST(MalformedOutputs, SsdScoresWithBackgroundClassSuggestsTheFix) {
  std::vector<float> boxes(8 * 4, 0.f), scores(8 * 4, 0.f);
  std::string msg = errorOf(ParserKind::Ssd, {{"boxes", {1, 8, 4}, boxes.data()}, {"scores", {1, 8, 4}, scores.data()}}, params(3));
  EXPECT_NE(msg.find("'scores'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[1, 8, 4]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("background"), std::string::npos) << msg;
}

TEST(YoloV5, PicksTheDecodedOutputAmongRawFeatureMaps) {
  const int C = 2, N = 4;
  auto data = yoloV5Tensor(1, N, C, {{{64, 64, 32, 32, 1, 0.9f, 0.9f}}});
  std::vector<float> feature(1 * 3 * 8 * 8 * (5 + C), 0.f);
  std::vector<OutputTensor> outs{{"onnx::Sigmoid_350", {1, 3, 8, 8, 5 + C}, feature.data()}, {"output0", {1, N, 5 + C}, data.data()}};
  auto dets = vigil::parseOutputs(ParserKind::YoloV5, outs, 0, params(C));
  ASSERT_EQ(dets.size(), 1u);
  EXPECT_EQ(dets[0].classId, 1);
}

TEST(MalformedOutputs, NoClassesIsRejectedBeforeReadingTheTensor) {
  std::vector<float> d(5 * 4, 0.f);
  for (ParserKind k : {ParserKind::YoloV5, ParserKind::YoloV8, ParserKind::Ssd}) {
    std::string msg = errorOf(k, {{"out", {1, 4, 5}, d.data()}, {"scores", {1, 4, 0}, d.data()}}, params(0));
    EXPECT_NE(msg.find("labels"), std::string::npos) << msg;
  }
  EXPECT_THROW(vigil::decodeYoloV8({{"out", {1, 4, 5}, d.data()}}, 0, params(0)), std::runtime_error);
}
