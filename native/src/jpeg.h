#pragma once
// JPEG encoding (libjpeg-turbo) for previews and snapshots, plus box drawing (the OSD).
#include <cstdint>
#include <vector>

#include "image.h"

namespace vigil {

// Encodes an image (RGB or I420), scaled (nearest neighbour) to outW x outH when they differ from the image.
std::vector<uint8_t> encodeJpeg(const Image& img, int outW, int outH, int quality = 80);

// Draws a box outline of `thickness` pixels into a tightly packed RGB buffer.
void drawBox(uint8_t* rgb, int width, int height, const Box& box, const uint8_t color[3], int thickness = 3);

// Reads a JPEG's dimensions from its SOF marker (0,0 when not a JPEG).
void jpegSize(const std::vector<uint8_t>& jpeg, int* width, int* height);

}  // namespace vigil
