// NanoDet and CenterNet decoders, called directly on hand-built output tensors.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "parsers/parser.h"

using namespace vigil;

namespace {

ParseParams nanoParams() {
  ParseParams p;
  p.numClasses = 3;
  p.netWidth = 32;
  p.netHeight = 16;
  p.strides = {8, 16};  // 4×2 + 2×1 = 10 anchors
  p.regMax = 3;         // 4 bins per side
  p.defaults.preClusterThreshold = 0.5f;
  return p;
}

constexpr int kNanoChannels = 3 + 4 * 4;

// A logit vector whose softmax expectation over 4 bins is exactly `bin` (one-hot with a huge margin).
void setDistance(float* side, int bin) {
  for (int k = 0; k < 4; ++k) side[k] = k == bin ? 50.f : -50.f;
}

}  // namespace

TEST(NanoDetDecoder, DecodesAnchorCentreDistancesAndBestClass) {
  ParseParams p = nanoParams();
  std::vector<float> data(10 * kNanoChannels, 0.f);
  // anchor 5 = stride 8, row 1, column 1 → centre (12, 12)
  float* a = &data[5 * kNanoChannels];
  a[0] = 0.2f;
  a[2] = 0.9f;
  setDistance(a + 3, 1);   // left 1 bin × 8 = 8
  setDistance(a + 7, 0);   // top 0
  setDistance(a + 11, 2);  // right 16
  setDistance(a + 15, 3);  // bottom 24
  // anchor 9 = stride 16, row 0, column 1 → centre (24, 8), below threshold
  data[9 * kNanoChannels + 1] = 0.4f;
  OutputTensor t{"output", {1, 10, kNanoChannels}, data.data()};
  auto dets = decodeNanoDet({t}, 0, p);
  ASSERT_EQ(dets.size(), 1u);
  EXPECT_EQ(dets[0].classId, 2);
  EXPECT_FLOAT_EQ(dets[0].score, 0.9f);
  EXPECT_NEAR(dets[0].box.x, 4.f, 1e-3);
  EXPECT_NEAR(dets[0].box.y, 12.f, 1e-3);
  EXPECT_NEAR(dets[0].box.w, 24.f, 1e-3);
  EXPECT_NEAR(dets[0].box.h, 24.f, 1e-3);
}

TEST(NanoDetDecoder, SoftmaxExpectationBetweenBins) {
  ParseParams p = nanoParams();
  std::vector<float> data(10 * kNanoChannels, 0.f);
  float* a = &data[9 * kNanoChannels];  // stride 16, centre (24, 8)
  a[1] = 0.8f;
  // equal logits: expectation (0+1+2+3)/4 = 1.5 bins → 24 px on every side
  for (int k = 0; k < 16; ++k) a[3 + k] = 0.f;
  OutputTensor t{"output", {1, 10, kNanoChannels}, data.data()};
  auto dets = decodeNanoDet({t}, 0, p);
  ASSERT_EQ(dets.size(), 1u);
  EXPECT_NEAR(dets[0].box.x, 0.f, 1e-3);
  EXPECT_NEAR(dets[0].box.y, -16.f, 1e-3);
  EXPECT_NEAR(dets[0].box.w, 48.f, 1e-3);
}

TEST(NanoDetDecoder, PerClassThresholdApplies) {
  ParseParams p = nanoParams();
  p.perClass.resize(3, p.defaults);
  p.perClass[1].preClusterThreshold = 0.3f;
  std::vector<float> data(10 * kNanoChannels, 0.f);
  data[0 * kNanoChannels + 1] = 0.4f;  // class 1 passes its lower threshold
  data[1 * kNanoChannels + 0] = 0.4f;  // class 0 does not
  OutputTensor t{"output", {1, 10, kNanoChannels}, data.data()};
  auto dets = decodeNanoDet({t}, 0, p);
  ASSERT_EQ(dets.size(), 1u);
  EXPECT_EQ(dets[0].classId, 1);
}

TEST(NanoDetDecoder, SecondBatchImage) {
  ParseParams p = nanoParams();
  std::vector<float> data(2 * 10 * kNanoChannels, 0.f);
  data[(10 + 3) * kNanoChannels + 0] = 0.7f;
  OutputTensor t{"output", {2, 10, kNanoChannels}, data.data()};
  EXPECT_TRUE(decodeNanoDet({t}, 0, p).empty());
  EXPECT_EQ(decodeNanoDet({t}, 1, p).size(), 1u);
  EXPECT_THROW(decodeNanoDet({t}, 2, p), std::runtime_error);
}

TEST(NanoDetDecoder, WrongLayoutNamesTensorAndExpectation) {
  ParseParams p = nanoParams();
  std::vector<float> data(10 * 20, 0.f);
  OutputTensor t{"scores", {1, 10, 20}, data.data()};
  try {
    decodeNanoDet({t}, 0, p);
    FAIL() << "expected a layout error";
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("'scores'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[1, 10, 20]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[B, 10, 19]"), std::string::npos) << msg;
  }
  EXPECT_THROW(decodeNanoDet({}, 0, p), std::runtime_error);
}

TEST(CenterNetDecoder, ScalesNormalisedBoxesToNetworkPixels) {
  ParseParams p;
  p.numClasses = 80;
  p.netWidth = 512;
  p.netHeight = 256;
  p.defaults.preClusterThreshold = 0.3f;
  std::vector<float> data = {
      0.25f, 0.5f, 0.5f, 1.0f, 0.9f, 0.f,   // person, kept
      0.1f,  0.1f, 0.2f, 0.2f, 0.2f, 2.f,   // car, below threshold
      0.6f,  0.6f, 0.6f, 0.7f, 0.8f, 17.f,  // zero width, dropped
  };
  OutputTensor t{"detections", {1, 3, 6}, data.data()};
  auto dets = decodeCenterNet({t}, 0, p);
  ASSERT_EQ(dets.size(), 1u);
  EXPECT_EQ(dets[0].classId, 0);
  EXPECT_FLOAT_EQ(dets[0].score, 0.9f);
  EXPECT_FLOAT_EQ(dets[0].box.x, 128.f);
  EXPECT_FLOAT_EQ(dets[0].box.y, 128.f);
  EXPECT_FLOAT_EQ(dets[0].box.w, 128.f);
  EXPECT_FLOAT_EQ(dets[0].box.h, 128.f);
}

TEST(CenterNetDecoder, ClassIdOutsideLabelsIsAClearError) {
  ParseParams p;
  p.numClasses = 2;
  std::vector<float> data = {0.1f, 0.1f, 0.2f, 0.2f, 0.9f, 5.f};
  OutputTensor t{"detections", {1, 1, 6}, data.data()};
  try {
    decodeCenterNet({t}, 0, p);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("class id 5"), std::string::npos) << e.what();
  }
}

TEST(CenterNetDecoder, WrongLayoutIsRejected) {
  ParseParams p;
  std::vector<float> data(100 * 4, 0.f);
  OutputTensor t{"boxes", {1, 100, 4}, data.data()};
  EXPECT_THROW(decodeCenterNet({t}, 0, p), std::runtime_error);
}
