// The analytics stage's plane geometry: polygon containment (concave, holes), line sides and
// crossings with direction and hysteresis.
#include "analytics/geometry.h"

#include <gtest/gtest.h>

using namespace vigil::analytics;

namespace {
// A "U" (concave): the notch between x 0.4..0.6 from the top down to y 0.6 is outside.
Polygon uShape() {
  return {{{{0.2f, 0.2f}, {0.4f, 0.2f}, {0.4f, 0.6f}, {0.6f, 0.6f}, {0.6f, 0.2f}, {0.8f, 0.2f}, {0.8f, 0.8f}, {0.2f, 0.8f}}}};
}
}  // namespace

TEST(AnalyticsGeometry, ConcavePolygonExcludesItsNotch) {
  const Polygon u = uShape();
  EXPECT_TRUE(contains(u, {0.3f, 0.3f}));   // left arm
  EXPECT_TRUE(contains(u, {0.7f, 0.3f}));   // right arm
  EXPECT_TRUE(contains(u, {0.5f, 0.7f}));   // bottom bar
  EXPECT_FALSE(contains(u, {0.5f, 0.3f}));  // in the notch
  EXPECT_FALSE(contains(u, {0.1f, 0.5f}));
  EXPECT_FALSE(contains(u, {0.5f, 0.9f}));
}

TEST(AnalyticsGeometry, HolesAreOutside) {
  Polygon p{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}, {{0.4f, 0.4f}, {0.6f, 0.4f}, {0.6f, 0.6f}, {0.4f, 0.6f}}}};
  EXPECT_TRUE(contains(p, {0.2f, 0.2f}));
  EXPECT_FALSE(contains(p, {0.5f, 0.5f}));  // in the hole
  EXPECT_TRUE(contains(p, {0.7f, 0.5f}));
  // A point inside a hole's ring but outside the outline is still outside.
  Polygon q{{{{0, 0}, {0.5f, 0}, {0.5f, 0.5f}, {0, 0.5f}}, {{0.6f, 0.6f}, {0.9f, 0.6f}, {0.9f, 0.9f}}}};
  EXPECT_FALSE(contains(q, {0.8f, 0.7f}));
}

TEST(AnalyticsGeometry, DegenerateRingsContainNothing) {
  EXPECT_FALSE(contains(Polygon{}, {0.5f, 0.5f}));
  EXPECT_FALSE(contains(Polygon{{{{0, 0}, {1, 1}}}}, {0.5f, 0.5f}));
}

TEST(AnalyticsGeometry, RightOfTheDirectedLineIsPositive) {
  // a→b pointing right on screen (y down): below the line is its right side.
  const Segment s{{0, 0.5f}, {1, 0.5f}};
  EXPECT_GT(signedDistance(s, {0.5f, 0.7f}), 0);
  EXPECT_LT(signedDistance(s, {0.5f, 0.3f}), 0);
  EXPECT_NEAR(signedDistance(s, {0.2f, 0.7f}), 0.2f, 1e-6);
  // Pointing down: the right side is the screen's left.
  const Segment d{{0.5f, 0}, {0.5f, 1}};
  EXPECT_GT(signedDistance(d, {0.3f, 0.5f}), 0);
  EXPECT_EQ(signedDistance(Segment{{0.3f, 0.3f}, {0.3f, 0.3f}}, {0.9f, 0.9f}), 0.f);
}

TEST(AnalyticsGeometry, PathsMeetTheSegmentOnlyBetweenItsEnds) {
  const Segment s{{0.2f, 0.5f}, {0.4f, 0.5f}};
  EXPECT_TRUE(pathMeetsSegment(s, {0.3f, 0.4f}, {0.3f, 0.6f}));
  EXPECT_FALSE(pathMeetsSegment(s, {0.8f, 0.4f}, {0.8f, 0.6f}));  // beyond b
  EXPECT_TRUE(pathMeetsSegment(s, {0.4f, 0.4f}, {0.4f, 0.6f}));   // through the end point
  EXPECT_FALSE(pathMeetsSegment(s, {0.3f, 0.1f}, {0.3f, 0.4f}));  // stops short
}

TEST(AnalyticsGeometry, CrossingBothWaysGivesInThenOut) {
  const Segment s{{0, 0.5f}, {1, 0.5f}};
  LineSide st;
  EXPECT_EQ(updateLineSide(s, 0.01f, {0.5f, 0.3f}, &st), Crossing::None);  // first sighting: side only
  EXPECT_EQ(st.side, -1);
  EXPECT_EQ(updateLineSide(s, 0.01f, {0.5f, 0.45f}, &st), Crossing::None);
  EXPECT_EQ(updateLineSide(s, 0.01f, {0.5f, 0.55f}, &st), Crossing::In);
  EXPECT_EQ(updateLineSide(s, 0.01f, {0.5f, 0.7f}, &st), Crossing::None);
  EXPECT_EQ(updateLineSide(s, 0.01f, {0.5f, 0.3f}, &st), Crossing::Out);
}

TEST(AnalyticsGeometry, JitterInsideTheBandCountsOnce) {
  const Segment s{{0, 0.5f}, {1, 0.5f}};
  LineSide st;
  updateLineSide(s, 0.01f, {0.5f, 0.4f}, &st);
  int in = 0, out = 0;
  // Crosses once, then hovers within ±0.008 of the line (inside the band) for 20 frames.
  const float ys[] = {0.52f, 0.498f, 0.507f, 0.492f, 0.505f, 0.495f, 0.508f, 0.493f, 0.501f, 0.499f};
  for (int k = 0; k < 2; ++k)
    for (float y : ys) {
      Crossing c = updateLineSide(s, 0.01f, {0.5f, y}, &st);
      in += c == Crossing::In;
      out += c == Crossing::Out;
    }
  EXPECT_EQ(in, 1);
  EXPECT_EQ(out, 0);
}

TEST(AnalyticsGeometry, PassingBeyondTheEndDoesNotCount) {
  const Segment s{{0.2f, 0.5f}, {0.4f, 0.5f}};
  LineSide st;
  updateLineSide(s, 0.01f, {0.8f, 0.3f}, &st);
  EXPECT_EQ(updateLineSide(s, 0.01f, {0.8f, 0.7f}, &st), Crossing::None);
  EXPECT_EQ(st.side, 1);                                                   // its side is known now: coming back across the segment counts
  EXPECT_EQ(updateLineSide(s, 0.01f, {0.3f, 0.3f}, &st), Crossing::None);  // path from (0.8,0.7) misses the segment
  EXPECT_EQ(updateLineSide(s, 0.01f, {0.3f, 0.7f}, &st), Crossing::In);
}
