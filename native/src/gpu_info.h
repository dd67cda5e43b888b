#pragma once
// Whether the machine has an NVIDIA GPU, from the kernel driver's own listing (no CUDA needed): tells
// "inference runs on the CPU because there is no GPU" apart from "a GPU provider failed to load".
#include <string>

namespace vigil {

// The first NVIDIA GPU the kernel driver lists under `gpusDir` (one folder per GPU, named by PCI bus
// id, each with an `information` file holding a "Model:" line); empty when the folder is missing or
// lists none.
std::string nvidiaGpuName(const std::string& gpusDir = "/proc/driver/nvidia/gpus");

}  // namespace vigil
