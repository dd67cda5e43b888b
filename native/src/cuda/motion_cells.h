#pragma once
// Motion gating's cell means (motion/motion.h) for frames in GPU memory (NVDEC's NV12 / I420 kept on
// the device): one CUDA thread per cell reads the Y plane where it is, and only the small grid
// (about 80 × 45 bytes) comes back to the host. Same samples as the CPU (motion/cell_math.h).
#include <cstdint>
#include <vector>

#include "image.h"
#include "motion/motion.h"

namespace vigil::gpu {

// False when this build has no CUDA (the caller then infers the frame rather than judge it); throws
// std::runtime_error naming the CUDA call that failed, std::invalid_argument for a host frame or a
// format without a luma plane.
bool motionCellMeans(const Image& deviceFrame, const motion::Grid& grid, std::vector<uint8_t>* out);

}  // namespace vigil::gpu
