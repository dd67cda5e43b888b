// Motion cell means in a build without CUDA: frames in GPU memory cannot be judged (they are inferred).
#ifndef VIGIL_HAS_CUDA
#include "cuda/motion_cells.h"

namespace vigil::gpu {

bool motionCellMeans(const Image&, const motion::Grid&, std::vector<uint8_t>*) { return false; }

}  // namespace vigil::gpu
#endif
