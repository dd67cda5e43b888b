#include <gtest/gtest.h>

#include "image.h"
#include "parsers/parser.h"

using vigil::Box;

namespace {
void expectBoxNear(const Box& a, const Box& b, float tol = 1e-3f) {
  EXPECT_NEAR(a.x, b.x, tol);
  EXPECT_NEAR(a.y, b.y, tol);
  EXPECT_NEAR(a.w, b.w, tol);
  EXPECT_NEAR(a.h, b.h, tol);
}
}  // namespace

TEST(Iou, IdenticalBoxesOverlapFully) { EXPECT_FLOAT_EQ(vigil::iou(Box{10, 10, 20, 30}, Box{10, 10, 20, 30}), 1.f); }

TEST(Iou, DisjointAndTouchingBoxesDoNotOverlap) {
  EXPECT_EQ(vigil::iou(Box{0, 0, 10, 10}, Box{20, 20, 5, 5}), 0.f);
  EXPECT_EQ(vigil::iou(Box{0, 0, 10, 10}, Box{10, 0, 10, 10}), 0.f);  // shared edge only
}

TEST(Iou, PartialOverlapAndContainment) {
  // Half-shifted squares: intersection 50, union 150.
  EXPECT_NEAR(vigil::iou(Box{0, 0, 10, 10}, Box{5, 0, 10, 10}), 1.f / 3.f, 1e-6);
  // Inner box of a quarter of the area.
  EXPECT_NEAR(vigil::iou(Box{0, 0, 20, 20}, Box{5, 5, 10, 10}), 0.25f, 1e-6);
  // Symmetric.
  EXPECT_FLOAT_EQ(vigil::iou(Box{3, 4, 10, 7}, Box{6, 1, 9, 9}), vigil::iou(Box{6, 1, 9, 9}, Box{3, 4, 10, 7}));
}

TEST(Iou, DegenerateBoxesGiveZero) {
  EXPECT_EQ(vigil::iou(Box{0, 0, 0, 0}, Box{0, 0, 0, 0}), 0.f);
  EXPECT_EQ(vigil::iou(Box{0, 0, -5, 10}, Box{0, 0, 10, 10}), 0.f);
}

TEST(OutputTensor, SizeIsProductOfDims) {
  vigil::OutputTensor t{"out", {1, 84, 8400}, nullptr};
  EXPECT_EQ(t.size(), 84u * 8400u);
  EXPECT_EQ(vigil::OutputTensor{}.size(), 0u);
}

TEST(Letterbox, KeepAspectUsesUniformScaleAndCentredPadding) {
  auto t = vigil::letterboxGeometry(1280, 720, 640, 640, true);
  EXPECT_FLOAT_EQ(t.scaleX, 0.5f);
  EXPECT_FLOAT_EQ(t.scaleY, 0.5f);
  EXPECT_FLOAT_EQ(t.padX, 0.f);
  EXPECT_FLOAT_EQ(t.padY, (640.f - 360.f) / 2.f);
  // A portrait frame pads left and right instead.
  auto p = vigil::letterboxGeometry(480, 960, 640, 640, true);
  EXPECT_FLOAT_EQ(p.scaleX, 640.f / 960.f);
  EXPECT_FLOAT_EQ(p.padX, (640.f - 480.f * 640.f / 960.f) / 2.f);
  EXPECT_FLOAT_EQ(p.padY, 0.f);
}

TEST(Letterbox, StretchScalesAxesIndependentlyWithoutPadding) {
  auto t = vigil::letterboxGeometry(768, 576, 640, 640, false);
  EXPECT_FLOAT_EQ(t.scaleX, 640.f / 768.f);
  EXPECT_FLOAT_EQ(t.scaleY, 640.f / 576.f);
  EXPECT_EQ(t.padX, 0.f);
  EXPECT_EQ(t.padY, 0.f);
  // The same source box lands differently under stretch and letterbox.
  auto lb = vigil::letterboxGeometry(768, 576, 640, 640, true);
  Box src{100, 100, 50, 100};
  Box a = vigil::toNetwork(t, src), b = vigil::toNetwork(lb, src);
  EXPECT_NEAR(a.h / a.w, (100.f * 640 / 576) / (50.f * 640 / 768), 1e-4);  // aspect distorted
  EXPECT_NEAR(b.h / b.w, 2.f, 1e-4);                                       // aspect kept
  EXPECT_NEAR(b.y, 100.f * (640.f / 768.f) + (640.f - 576.f * 640.f / 768.f) / 2.f, 1e-3);
}

TEST(Letterbox, RoundTripsSourceBoxesThroughNetworkSpace) {
  for (bool keep : {true, false}) {
    for (auto [sw, sh] : {std::pair{1920, 1080}, std::pair{768, 576}, std::pair{480, 960}, std::pair{640, 640}}) {
      auto t = vigil::letterboxGeometry(sw, sh, 416, 320, keep);
      for (Box b : {Box{0, 0, 10, 10}, Box{sw * 0.25f, sh * 0.5f, sw * 0.3f, sh * 0.2f}, Box{sw - 40.f, sh - 30.f, 40, 30}}) {
        expectBoxNear(vigil::toSource(t, vigil::toNetwork(t, b)), b, 1e-2f);
      }
    }
  }
}

TEST(Letterbox, ToSourceClipsToTheFrame) {
  auto t = vigil::letterboxGeometry(1280, 720, 640, 640, true);  // 140 px of padding top and bottom
  // A box reaching into the top padding and past the right edge.
  Box net{600, 100, 100, 100};
  Box src = vigil::toSource(t, net);
  EXPECT_FLOAT_EQ(src.x, 1200.f);
  EXPECT_FLOAT_EQ(src.y, 0.f);
  EXPECT_FLOAT_EQ(src.right(), 1280.f);
  EXPECT_FLOAT_EQ(src.bottom(), (200.f - 140.f) * 2.f);
  // Entirely inside the padding: an empty box on the frame edge.
  Box pad = vigil::toSource(t, Box{10, 10, 50, 50});
  EXPECT_EQ(pad.area(), 0.f);
  EXPECT_GE(pad.y, 0.f);
}
