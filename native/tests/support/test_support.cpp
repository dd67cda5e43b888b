#include "test_support.h"

#include <algorithm>
#include <cstdlib>
#include <random>

namespace vigil::testing {

std::filesystem::path tmpRoot(const std::string& suite) {
  const char* t = std::getenv("VIGIL_TEST_TMP");
  std::filesystem::path p = std::filesystem::path(t ? t : std::filesystem::temp_directory_path().string()) / suite;
  std::filesystem::create_directories(p);
  return p;
}

I420Frame::I420Frame(int w, int h, unsigned seed) {
  const int ys = w + 5, cw = (w + 1) / 2, ch = (h + 1) / 2, cs = cw + 3;
  y.resize(size_t(ys) * size_t(h));
  u.resize(size_t(cs) * size_t(ch));
  v.resize(size_t(cs) * size_t(ch));
  std::mt19937 rng(seed);
  sx = int(rng() % unsigned(w / 2));
  sy = int(rng() % unsigned(h / 2));
  side = std::min(w, h) / 4;
  for (int r = 0; r < h; ++r)
    for (int c = 0; c < w; ++c) {
      const bool square = c >= sx && c < sx + side && r >= sy && r < sy + side;
      y[size_t(r) * size_t(ys) + size_t(c)] = square ? 235 : uint8_t(16 + (unsigned(c) * 7 + unsigned(r) * 3 + seed) % 60);
    }
  for (int r = 0; r < ch; ++r)
    for (int c = 0; c < cw; ++c) {
      u[size_t(r) * size_t(cs) + size_t(c)] = uint8_t(110 + (unsigned(c + r) + seed) % 30);
      v[size_t(r) * size_t(cs) + size_t(c)] = uint8_t(120 + (unsigned(2 * c) + seed) % 20);
    }
  image = i420Image(y.data(), u.data(), v.data(), w, h);
  image.strides[0] = ys;
  image.strides[1] = image.strides[2] = cs;
}

I420Frame::I420Frame(int w, int h, uint8_t Y, uint8_t U, uint8_t V)
    : y(size_t(w) * size_t(h), Y), u(size_t(w / 2) * size_t(h / 2), U), v(size_t(w / 2) * size_t(h / 2), V) {
  image = i420Image(y.data(), u.data(), v.data(), w, h);
  image.strides[1] = image.strides[2] = w / 2;
}

bool I420Frame::onSquare(const Box& b) const {
  const float cx = b.x + b.w / 2, cy = b.y + b.h / 2;
  return cx >= float(sx) && cx <= float(sx + side) && cy >= float(sy) && cy <= float(sy + side);
}

}  // namespace vigil::testing
