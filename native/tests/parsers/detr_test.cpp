#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "parsers/parser.h"

using namespace vigil;

namespace {
float logit(float p) { return std::log(p / (1 - p)); }
}  // namespace

TEST(DetrParser, SigmoidScoresAndNormalisedCentreBoxesToNetworkPixels) {
  // Batch 2, 3 queries, 2 classes; image 1 holds the interesting values.
  std::vector<float> logits(2 * 3 * 2, logit(0.01f)), boxes(2 * 3 * 4, 0.5f);
  float* L = logits.data() + 6;
  float* B = boxes.data() + 12;
  L[0 * 2 + 1] = logit(0.9f);  // query 0, class 1
  L[2 * 2 + 0] = logit(0.4f);  // query 2, class 0
  const float q0[] = {0.5f, 0.25f, 0.2f, 0.1f}, q2[] = {0.1f, 0.9f, 0.1f, 0.2f};
  std::copy(q0, q0 + 4, B);
  std::copy(q2, q2 + 4, B + 8);
  std::vector<OutputTensor> outs{{"logits", {2, 3, 2}, logits.data()}, {"pred_boxes", {2, 3, 4}, boxes.data()}};
  ParseParams p;
  p.numClasses = 2;
  p.netWidth = 640;
  p.netHeight = 480;
  p.defaults.preClusterThreshold = 0.3f;
  auto dets = decodeDetr(outs, 1, p);
  ASSERT_EQ(dets.size(), 2u);
  EXPECT_EQ(dets[0].classId, 1);
  EXPECT_NEAR(dets[0].score, 0.9f, 1e-5);
  EXPECT_NEAR(dets[0].box.x, 0.5f * 640 - 0.1f * 640, 1e-3);
  EXPECT_NEAR(dets[0].box.y, 0.25f * 480 - 0.05f * 480, 1e-3);
  EXPECT_NEAR(dets[0].box.w, 128.f, 1e-3);
  EXPECT_NEAR(dets[0].box.h, 48.f, 1e-3);
  EXPECT_EQ(dets[1].classId, 0);
  EXPECT_NEAR(dets[1].box.x, 0.05f * 640, 1e-3);
  EXPECT_TRUE(decodeDetr(outs, 0, p).empty());
}

TEST(DetrParser, WrongShapesNameTheTensorsAndTheLayout) {
  std::vector<float> a(2 * 5), b(2 * 4);
  std::vector<OutputTensor> outs{{"logits", {1, 2, 5}, a.data()}, {"pred_boxes", {1, 2, 4}, b.data()}};
  ParseParams p;
  p.numClasses = 80;
  try {
    decodeDetr(outs, 0, p);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("5 classes but the manifest lists 80"), std::string::npos) << e.what();
  }
  outs[1].dims = {1, 2, 3};
  EXPECT_THROW(decodeDetr(outs, 0, p), std::runtime_error);
}
