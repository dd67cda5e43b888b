#include "jpeg.h"

#include <cstdio>  // before jpeglib.h, which uses FILE

#include <jpeglib.h>

#include <algorithm>
#include <stdexcept>

namespace vigil {

namespace {

// Decoded video is BT.601 limited range; JFIF's YCbCr is full range.
struct RangeTables {
  uint8_t luma[256], chroma[256];
  RangeTables() {
    for (int i = 0; i < 256; ++i) {
      luma[i] = static_cast<uint8_t>(std::clamp((i - 16) * 255 / 219, 0, 255));
      chroma[i] = static_cast<uint8_t>(std::clamp(128 + (i - 128) * 255 / 224, 0, 255));
    }
  }
};

// I420 frames go to libjpeg as raw 4:2:0 planes, sampled straight from the decoded planes:
// no RGB round trip and no colour conversion inside libjpeg.
void writeI420(jpeg_compress_struct& cinfo, const Image& img, int outW, int outH) {
  static const RangeTables range;
  const int padW = (outW + 15) & ~15, cW = padW / 2;
  std::vector<int> xmap(static_cast<size_t>(padW)), cxmap(static_cast<size_t>(cW));
  for (int x = 0; x < padW; ++x)
    xmap[size_t(x)] = std::min(img.width - 1, static_cast<int>((std::min(x, outW - 1) + 0.5) * img.width / outW));
  for (int x = 0; x < cW; ++x) cxmap[size_t(x)] = std::min((img.width - 1) / 2, xmap[size_t(2 * x)] / 2);
  std::vector<uint8_t> y(static_cast<size_t>(padW) * 16), u(static_cast<size_t>(cW) * 8), v(static_cast<size_t>(cW) * 8);
  JSAMPROW yRows[16], uRows[8], vRows[8];
  JSAMPARRAY planes[3] = {yRows, uRows, vRows};
  for (int r = 0; r < 16; ++r) yRows[r] = y.data() + static_cast<size_t>(r) * padW;
  for (int r = 0; r < 8; ++r) {
    uRows[r] = u.data() + static_cast<size_t>(r) * cW;
    vRows[r] = v.data() + static_cast<size_t>(r) * cW;
  }
  auto srcRow = [&](int oy) { return std::min(img.height - 1, static_cast<int>((std::min(oy, outH - 1) + 0.5) * img.height / outH)); };
  while (cinfo.next_scanline < cinfo.image_height) {
    const int y0 = static_cast<int>(cinfo.next_scanline);
    for (int r = 0; r < 16; ++r) {
      const uint8_t* row = img.planes[0] + static_cast<size_t>(srcRow(y0 + r)) * static_cast<size_t>(img.strides[0]);
      for (int x = 0; x < padW; ++x) yRows[r][x] = range.luma[row[xmap[size_t(x)]]];
    }
    for (int r = 0; r < 8; ++r) {
      const int sy = std::min((img.height - 1) / 2, srcRow(y0 + 2 * r) / 2);
      const uint8_t* ur = img.planes[1] + static_cast<size_t>(sy) * static_cast<size_t>(img.strides[1]);
      const uint8_t* vr = img.planes[2] + static_cast<size_t>(sy) * static_cast<size_t>(img.strides[2]);
      for (int x = 0; x < cW; ++x) {
        uRows[r][x] = range.chroma[ur[cxmap[size_t(x)]]];
        vRows[r][x] = range.chroma[vr[cxmap[size_t(x)]]];
      }
    }
    jpeg_write_raw_data(&cinfo, planes, 16);
  }
}

}  // namespace

std::vector<uint8_t> encodeJpeg(const Image& img, int outW, int outH, int quality) {
  if (img.onDevice) throw std::invalid_argument("encodeJpeg: the frame is in GPU memory — copy it to the host first (hostCopy)");
  if (outW <= 0 || outH <= 0) {
    outW = img.width;
    outH = img.height;
  }
  const bool raw = img.format == PixelFormat::I420 && img.width >= 2 && img.height >= 2;
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr jerr{};
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  unsigned char* mem = nullptr;
  unsigned long memSize = 0;
  jpeg_mem_dest(&cinfo, &mem, &memSize);
  cinfo.image_width = static_cast<JDIMENSION>(outW);
  cinfo.image_height = static_cast<JDIMENSION>(outH);
  cinfo.input_components = 3;
  cinfo.in_color_space = raw ? JCS_YCbCr : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  cinfo.dct_method = JDCT_IFAST;
  if (raw) {
    cinfo.raw_data_in = TRUE;
    cinfo.comp_info[0].h_samp_factor = cinfo.comp_info[0].v_samp_factor = 2;
    for (int c = 1; c < 3; ++c) cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
  }
  jpeg_start_compress(&cinfo, TRUE);
  if (raw) {
    writeI420(cinfo, img, outW, outH);
  } else {
    std::vector<uint8_t> row(static_cast<size_t>(outW) * 3);
    std::vector<int> xmap(static_cast<size_t>(outW));
    for (int x = 0; x < outW; ++x) xmap[size_t(x)] = std::min(img.width - 1, static_cast<int>((x + 0.5) * img.width / outW));
    while (cinfo.next_scanline < cinfo.image_height) {
      const int y = static_cast<int>(cinfo.next_scanline);
      const int sy = std::min(img.height - 1, static_cast<int>((y + 0.5) * img.height / outH));
      rowToRgb(img, sy, xmap.data(), outW, row.data());
      JSAMPROW rp = row.data();
      jpeg_write_scanlines(&cinfo, &rp, 1);
    }
  }
  jpeg_finish_compress(&cinfo);
  std::vector<uint8_t> out(mem, mem + memSize);
  jpeg_destroy_compress(&cinfo);
  free(mem);
  return out;
}

void drawBox(uint8_t* rgb, int width, int height, const Box& b, const uint8_t color[3], int t) {
  const int x1 = std::clamp(static_cast<int>(b.x), 0, width - 1), y1 = std::clamp(static_cast<int>(b.y), 0, height - 1);
  const int x2 = std::clamp(static_cast<int>(b.right()), 0, width - 1), y2 = std::clamp(static_cast<int>(b.bottom()), 0, height - 1);
  auto put = [&](int x, int y) {
    uint8_t* p = rgb + (static_cast<size_t>(y) * width + x) * 3;
    p[0] = color[0];
    p[1] = color[1];
    p[2] = color[2];
  };
  for (int k = 0; k < t; ++k) {
    for (int x = x1; x <= x2; ++x) {
      put(x, std::min(y1 + k, height - 1));
      put(x, std::max(y2 - k, 0));
    }
    for (int y = y1; y <= y2; ++y) {
      put(std::min(x1 + k, width - 1), y);
      put(std::max(x2 - k, 0), y);
    }
  }
}

void jpegSize(const std::vector<uint8_t>& j, int* w, int* h) {
  *w = *h = 0;
  if (j.size() < 4 || j[0] != 0xFF || j[1] != 0xD8) return;
  size_t i = 2;
  while (i + 9 < j.size()) {
    if (j[i] != 0xFF) return;
    uint8_t marker = j[i + 1];
    size_t len = (static_cast<size_t>(j[i + 2]) << 8) | j[i + 3];
    if (marker >= 0xC0 && marker <= 0xC3) {
      *h = (j[i + 5] << 8) | j[i + 6];
      *w = (j[i + 7] << 8) | j[i + 8];
      return;
    }
    i += 2 + len;
  }
}

}  // namespace vigil
