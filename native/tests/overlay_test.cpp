// The OSD's labels (overlay.h) and which stored boxes an export with --boxes draws on a frame
// (source/export_boxes.h: overlayBoxesAt).
#include <gtest/gtest.h>

#include <vector>

#include "overlay.h"
#include "source/export_boxes.h"

namespace {

using vigil::Box;
using vigil::sources::OverlayExport;
using vigil::sources::OverlaySweep;
using vigil::sources::OverlayTrack;

TEST(Overlay, LabelDrawsGlyphPixelsOnItsTagInsideTheImage) {
  const int w = 80, h = 40;
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3, 200);
  const uint8_t fg[3] = {0, 0, 0}, bg[3] = {0, 255, 0};
  vigil::drawLabel(rgb.data(), w, h, 10, 5, "A1", fg, bg, 1);
  auto px = [&](int x, int y) { return rgb.data() + (static_cast<size_t>(y) * w + x) * 3; };
  // Tag: margin 2 → the glyph 'A' starts at (12, 7); its top row is .XXX. so (12,7) is tag, (13,7) text.
  EXPECT_EQ(px(12, 7)[1], 255);
  EXPECT_EQ(px(13, 7)[1], 0);
  EXPECT_EQ(px(10 + vigil::labelWidth("A1", 1) + 4, 5)[0], 200);  // right of the tag: untouched
  EXPECT_EQ(vigil::labelWidth("A1", 2), 2 * 11);
  // Clipped at the edges: drawing off the picture touches nothing outside the buffer.
  vigil::drawLabel(rgb.data(), w, h, 75, 38, "PERSON #12", fg, bg, 3);
  vigil::drawLabel(rgb.data(), w, h, -20, -20, "?", fg, bg, 3);
}

TEST(Overlay, DetectionPutsTheTagAboveTheBoxOrInsideAtTheTop) {
  const int w = 200, h = 100;
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3, 0);
  const uint8_t c[3] = {0, 255, 0};
  vigil::drawDetection(rgb.data(), w, h, Box{50, 40, 60, 40}, "car", c);
  auto g = [&](int x, int y) { return rgb[(static_cast<size_t>(y) * w + x) * 3 + 1]; };
  EXPECT_EQ(g(50, 60), 255);  // left edge
  EXPECT_EQ(g(80, 60), 0);    // inside the box: the picture
  EXPECT_EQ(g(51, 30), 255);  // the tag above the box (11 px high at scale 1)
  vigil::drawDetection(rgb.data(), w, h, Box{120, 0, 60, 40}, "car", c);
  EXPECT_EQ(g(121, 5), 255);  // at the top edge the tag goes inside the box
}

OverlayExport job() {
  OverlayExport j;
  j.holdMs = 600;
  OverlayTrack a{"a", {{1000, {0, 0, 10, 10}}, {1500, {5, 0, 10, 10}}, {2000, {10, 0, 10, 10}}}};
  OverlayTrack b{"b", {{1800, {50, 50, 10, 10}}, {4000, {60, 50, 10, 10}}}};
  j.tracks = {a, b};
  return j;
}

TEST(Overlay, EachFrameShowsTheLatestStoredBoxOfEveryTrackAliveThen) {
  const OverlayExport j = job();
  OverlaySweep sweep;
  std::vector<std::pair<const OverlayTrack*, Box>> out;
  auto at = [&](double w) {
    vigil::sources::overlayBoxesAt(j, w, 20, &sweep, &out);
    std::vector<std::pair<std::string, float>> r;
    for (auto& [t, box] : out) r.emplace_back(t->label, box.x);
    return r;
  };
  using R = std::vector<std::pair<std::string, float>>;
  EXPECT_EQ(at(900), R{});                         // before the first box
  EXPECT_EQ(at(990), (R{{"a", 0}}));               // within half a frame of it
  EXPECT_EQ(at(1450), (R{{"a", 0}}));              // held until the next one
  EXPECT_EQ(at(1500), (R{{"a", 5}}));              // the box stored for that frame
  EXPECT_EQ(at(1900), (R{{"a", 5}, {"b", 50}}));   //
  EXPECT_EQ(at(2000), (R{{"a", 10}, {"b", 50}}));  // a's last box
  EXPECT_EQ(at(2100), (R{{"b", 50}}));             // a ended: never drawn after its last box
  EXPECT_EQ(at(3000), R{});                        // b's boxes are 2.2 s apart: held 600 ms only
  EXPECT_EQ(at(4000), (R{{"b", 60}}));
  EXPECT_EQ(at(5000), R{});
  EXPECT_TRUE(sweep.active.empty());
}

}  // namespace
