// Placeholders for decoders written on another branch (nanodet.cpp, centernet.cpp), so that this
// branch links on its own. Each compiles to nothing once the real file sits beside this one;
// delete this file when both have been merged.
#include <stdexcept>

#include "vision.h"

namespace vigil {

#if !__has_include("nanodet.cpp")
std::vector<Detection> decodeNanoDet(const std::vector<OutputTensor>&, int, const ParseParams&) {
  throw std::runtime_error("parser nanodet is not built into this engine — use a yolov5, yolov8 or ssd model");
}
#endif

#if !__has_include("centernet.cpp")
std::vector<Detection> decodeCenterNet(const std::vector<OutputTensor>&, int, const ParseParams&) {
  throw std::runtime_error("parser centernet is not built into this engine — use a yolov5, yolov8 or ssd model");
}
#endif

}  // namespace vigil
