#pragma once
// Labels for the OSD: text in a 5×7 bitmap font on a filled tag, drawn into a tightly packed RGB
// buffer like drawBox (jpeg.h). Letters are drawn upper-case; characters the font lacks show as '?'.
#include <cstdint>
#include <string>

#include "image.h"

namespace vigil {

// Pixel size of `text` at `scale` (each font pixel is scale × scale), without the tag's margin.
int labelWidth(const std::string& text, int scale);
int labelHeight(int scale);

// Draws `text` on a tag filled with `background`, its top-left corner at (x, y), clipped to the image.
void drawLabel(uint8_t* rgb, int width, int height, int x, int y, const std::string& text, const uint8_t color[3],
               const uint8_t background[3], int scale);

// A detection as the OSD shows it: the box outline and its label on a tag of the box's colour just
// above the box (inside it when the box touches the top edge). Line and text size follow the height.
void drawDetection(uint8_t* rgb, int width, int height, const Box& box, const std::string& label, const uint8_t color[3]);

}  // namespace vigil
