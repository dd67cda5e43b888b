// The motion detector on synthetic frames: a still scene never moves, a moving square does, noise
// below the sensitivity does not, the hold keeps motion for a few frames, and bad settings are refused.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include "motion/motion.h"

using namespace vigil;
using namespace vigil::motion;

namespace {

// A grey I420-like luma frame (only the Y plane is read) with a bright square and optional noise.
struct LumaFrame {
  std::vector<uint8_t> y, uv;
  Image image;
  LumaFrame(int w, int h, uint8_t grey) : y(static_cast<size_t>(w) * h, grey), uv(static_cast<size_t>((w + 1) / 2) * ((h + 1) / 2), 128) {
    image = i420Image(y.data(), uv.data(), uv.data(), w, h);
  }
  void square(int x, int y0, int side, uint8_t value) {
    const int w = image.width;
    for (int r = y0; r < y0 + side && r < image.height; ++r)
      for (int c = x; c < x + side && c < w; ++c) y[static_cast<size_t>(r) * w + c] = value;
  }
  void noise(std::mt19937& rng, int amplitude) {
    std::uniform_int_distribution<int> d(-amplitude, amplitude);
    for (auto& p : y) p = static_cast<uint8_t>(std::clamp(int(p) + d(rng), 0, 255));
  }
};

constexpr int W = 640, H = 480;

}  // namespace

TEST(MotionDetector, StillSceneHasNoMotionAfterTheHold) {
  MotionDetector det(configForSensitivity(kDefaultSensitivity));
  LumaFrame f(W, H, 90);
  f.square(200, 150, 60, 220);  // a still object is part of the background
  EXPECT_TRUE(det.update(f.image).moving) << "the first frame counts as motion (nothing known yet)";
  const int hold = det.config().holdFrames;
  int moving = 0;
  for (int i = 0; i < 100; ++i) moving += det.update(f.image).moving ? 1 : 0;
  EXPECT_EQ(moving, hold) << "only the hold after the first frame";
  const MotionResult last = det.update(f.image);
  EXPECT_FALSE(last.moving);
  EXPECT_EQ(last.changed, 0.0);
  EXPECT_EQ(last.region.area(), 0.f);
}

TEST(MotionDetector, MovingSquareIsMotionWhereItMoves) {
  MotionDetector det(configForSensitivity(kDefaultSensitivity));
  LumaFrame still(W, H, 90);
  for (int i = 0; i < 20; ++i) det.update(still.image);
  ASSERT_FALSE(det.update(still.image).moving);
  // A 40-pixel square (0.5 % of the frame) walks right, 8 pixels a frame.
  for (int i = 0; i < 10; ++i) {
    LumaFrame f(W, H, 90);
    f.square(100 + 8 * i, 300, 40, 200);
    const MotionResult r = det.update(f.image);
    EXPECT_TRUE(r.moving) << "frame " << i;
    EXPECT_GT(r.changed, 0.0);
    // The changed cells cover the square (within one cell).
    const float cell = float(gridFor(W, H).cell);
    EXPECT_LE(r.region.x, 100 + 8 * i + cell);
    EXPECT_GE(r.region.right(), 100 + 8 * i + 40 - cell);
    EXPECT_LE(r.region.y, 300 + cell);
    EXPECT_GE(r.region.bottom(), 340 - cell);
  }
}

TEST(MotionDetector, NoiseBelowTheSensitivityIsNotMotion) {
  std::mt19937 rng(7);
  MotionDetector det(configForSensitivity(kDefaultSensitivity));
  LumaFrame base(W, H, 100);
  det.update(base.image);
  int moving = 0;
  for (int i = 0; i < 60; ++i) {
    LumaFrame f(W, H, 100);
    f.noise(rng, 12);  // sensor noise: ±12 levels per pixel, independent each frame
    if (i >= det.config().holdFrames)
      moving += det.update(f.image).moving ? 1 : 0;
    else
      det.update(f.image);
  }
  EXPECT_EQ(moving, 0) << "pixel noise averages out in the cells";
  // A faint 6-level change over a tenth of the frame: below the default's threshold, above the most sensitive's.
  MotionDetector keen(configForSensitivity(kMaxSensitivity));
  MotionDetector normal(configForSensitivity(kDefaultSensitivity));
  for (int i = 0; i < 20; ++i) keen.update(base.image), normal.update(base.image);
  LumaFrame faint(W, H, 100);
  faint.square(0, 0, 200, 108);
  EXPECT_FALSE(normal.update(faint.image).moving);
  EXPECT_TRUE(keen.update(faint.image).moving);
}

TEST(MotionDetector, SmallChangeNeedsTheMinimumArea) {
  // One 8x8 spot: one or two cells, under the default's 0.2 % of the grid but over the most sensitive's.
  LumaFrame base(W, H, 80), spot(W, H, 80);
  spot.square(320, 240, 8, 250);
  MotionDetector normal(configForSensitivity(kDefaultSensitivity)), keen(configForSensitivity(kMaxSensitivity)),
      dull(configForSensitivity(kMinSensitivity));
  for (int i = 0; i < 20; ++i) normal.update(base.image), keen.update(base.image), dull.update(base.image);
  EXPECT_FALSE(normal.update(spot.image).moving);
  EXPECT_FALSE(dull.update(spot.image).moving);
  // A 120-pixel square (4.7 % of the frame) is motion even for the least sensitive setting.
  LumaFrame big(W, H, 80);
  big.square(100, 100, 120, 250);
  EXPECT_TRUE(dull.update(big.image).moving);
  // The most sensitive one takes a 16-pixel spot (four cells, 0.08 % of the grid).
  LumaFrame spot2(W, H, 80);
  spot2.square(320, 240, 16, 250);
  EXPECT_TRUE(keen.update(spot2.image).moving);
}

TEST(MotionDetector, HoldsMotionForAFewFramesThenStops) {
  MotionConfig c = configForSensitivity(kDefaultSensitivity);
  c.holdFrames = 3;
  c.alpha = 1.0;  // the background is the previous frame: a change lasts one frame
  MotionDetector det(c);
  LumaFrame a(W, H, 60), b(W, H, 60);
  b.square(300, 200, 80, 200);
  for (int i = 0; i < 5; ++i) det.update(a.image);
  ASSERT_FALSE(det.update(a.image).moving);
  EXPECT_TRUE(det.update(b.image).moving);
  EXPECT_TRUE(det.update(a.image).moving) << "the square left: changed again";
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(det.update(a.image).moving) << "hold frame " << i;
  EXPECT_FALSE(det.update(a.image).moving);
}

TEST(MotionDetector, ANewFrameSizeStartsTheBackgroundAgain) {
  MotionDetector det;
  LumaFrame a(W, H, 60), small(320, 240, 60);
  for (int i = 0; i < 20; ++i) det.update(a.image);
  ASSERT_FALSE(det.update(a.image).moving);
  EXPECT_TRUE(det.update(small.image).moving);
}

TEST(MotionDetector, PackedRgbFramesUseTheirLuma) {
  std::vector<uint8_t> grey(static_cast<size_t>(W) * H * 3, 90), moved = grey;
  for (int r = 100; r < 180; ++r)
    for (int c = 100; c < 180; ++c) moved[(static_cast<size_t>(r) * W + c) * 3 + 1] = 250;  // green square
  MotionDetector det;
  const Image a = packedImage(PixelFormat::Bgr, grey.data(), W, H), b = packedImage(PixelFormat::Bgr, moved.data(), W, H);
  for (int i = 0; i < 20; ++i) det.update(a);
  ASSERT_FALSE(det.update(a).moving);
  EXPECT_TRUE(det.update(b).moving);
  std::vector<uint8_t> means;
  cellMeans(a, gridFor(W, H), &means);
  EXPECT_EQ(means.front(), 90) << "grey stays grey";
}

TEST(MotionDetector, GridIsAboutEightyCellsAcrossWithWholePixelCells) {
  const Grid g = gridFor(1920, 1080);
  EXPECT_EQ(g.cell, 24);
  EXPECT_EQ(g.cols, 80);
  EXPECT_EQ(g.rows, 45);
  const Grid small = gridFor(64, 48);  // narrower than the grid: one pixel per cell
  EXPECT_EQ(small.cell, 1);
  EXPECT_EQ(small.cols, 64);
  const Grid odd = gridFor(770, 577);  // partial cells at the edges are kept
  EXPECT_EQ(odd.cols * odd.cell >= 770, true);
  EXPECT_EQ(odd.rows * odd.cell >= 577, true);
}

TEST(MotionDetector, RefusesBadSettingsAndGpuFrames) {
  EXPECT_THROW(configForSensitivity(0), std::invalid_argument);
  EXPECT_THROW(configForSensitivity(101), std::invalid_argument);
  try {
    configForSensitivity(0);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("1 (least sensitive) to 100"), std::string::npos) << e.what();
  }
  LumaFrame f(W, H, 0);
  Image dev = f.image;
  dev.onDevice = true;
  std::vector<uint8_t> means;
  EXPECT_THROW(cellMeans(dev, gridFor(W, H), &means), std::invalid_argument);
  MotionDetector det;
  std::vector<uint8_t> wrong(3);
  EXPECT_THROW(det.update(wrong, gridFor(W, H), W, H), std::invalid_argument);
}
