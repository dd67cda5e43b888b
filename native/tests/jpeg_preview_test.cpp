// Preview JPEGs straight from decoded I420 planes: right size, right colours (limited → full range).
#include <gtest/gtest.h>
#include <jpeglib.h>

#include <cstdio>
#include <vector>

#include "jpeg.h"
#include "letterbox.h"
#include "support/test_support.h"

using namespace vigil;
using vigil::testing::I420Frame;

namespace {

// Decodes with libjpeg to RGB.
std::vector<uint8_t> decode(const std::vector<uint8_t>& j, int* w, int* h) {
  jpeg_decompress_struct d{};
  jpeg_error_mgr err{};
  d.err = jpeg_std_error(&err);
  jpeg_create_decompress(&d);
  jpeg_mem_src(&d, j.data(), j.size());
  jpeg_read_header(&d, TRUE);
  d.out_color_space = JCS_RGB;
  jpeg_start_decompress(&d);
  *w = static_cast<int>(d.output_width);
  *h = static_cast<int>(d.output_height);
  std::vector<uint8_t> rgb(size_t(*w) * *h * 3);
  while (d.output_scanline < d.output_height) {
    JSAMPROW row = rgb.data() + size_t(d.output_scanline) * *w * 3;
    jpeg_read_scanlines(&d, &row, 1);
  }
  jpeg_finish_decompress(&d);
  jpeg_destroy_decompress(&d);
  return rgb;
}

}  // namespace

TEST(JpegPreview, I420FramesEncodeAtOddSizesWithTrueColours) {
  struct Case {
    uint8_t y, u, v;
    int r, g, b;
  };
  // BT.601 limited-range red, green, blue, white and black.
  const Case cases[] = {{81, 90, 240, 255, 0, 0},
                        {145, 54, 34, 0, 255, 0},
                        {41, 240, 110, 0, 0, 255},
                        {235, 128, 128, 255, 255, 255},
                        {16, 128, 128, 0, 0, 0}};
  for (const auto& c : cases) {
    I420Frame f(1280, 720, c.y, c.u, c.v);
    for (auto [ow, oh] : {std::pair{640, 360}, std::pair{50, 29}, std::pair{1280, 720}}) {
      auto j = encodeJpeg(f.image, ow, oh, 90);
      int w = 0, h = 0;
      auto rgb = decode(j, &w, &h);
      ASSERT_EQ(w, ow);
      ASSERT_EQ(h, oh);
      const uint8_t* p = rgb.data() + (size_t(h / 2) * w + w / 2) * 3;
      EXPECT_NEAR(p[0], c.r, 12) << "Y" << int(c.y) << " at " << ow << "x" << oh;
      EXPECT_NEAR(p[1], c.g, 12) << "Y" << int(c.y) << " at " << ow << "x" << oh;
      EXPECT_NEAR(p[2], c.b, 12) << "Y" << int(c.y) << " at " << ow << "x" << oh;
    }
  }
}

TEST(JpegPreview, I420PreviewKeepsWhereThingsAre) {
  // A bright square in the top-left quarter of a dark frame stays in the top-left quarter.
  I420Frame f(320, 240, 16, 128, 128);
  for (int y = 20; y < 100; ++y)
    for (int x = 20; x < 140; ++x) f.y[size_t(y) * 320 + x] = 235;
  auto j = encodeJpeg(f.image, 160, 120, 90);
  int w = 0, h = 0;
  auto rgb = decode(j, &w, &h);
  auto at = [&](int x, int y) { return rgb[(size_t(y) * w + x) * 3 + 1]; };
  EXPECT_GT(at(40, 30), 200);
  EXPECT_LT(at(120, 90), 40);
  EXPECT_LT(at(5, 5), 40);
}
