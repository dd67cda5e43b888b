// The GPU pre-processing API in a build without CUDA: every entry point reports why.
#ifndef VIGIL_HAS_CUDA
#include <stdexcept>

#include "cuda/gpu_preprocess.h"

namespace vigil::gpu {

static const char* kNoCuda =
    "CUDA pre-processing unavailable: Vigil was built without CUDA (no nvcc found, or -DVIGIL_CUDA=OFF) — "
    "install the CUDA toolkit and rebuild, or use the CPU pre-processing";

bool builtWithCuda() { return false; }
bool gpuPreprocessAvailable(std::string* reason, int) {
  if (reason) *reason = kNoCuda;
  return false;
}

struct DeviceTensor::Impl {};
DeviceTensor::DeviceTensor(size_t, int) { throw std::runtime_error(kNoCuda); }
DeviceTensor::~DeviceTensor() = default;
DeviceTensor::DeviceTensor(DeviceTensor&&) noexcept = default;
DeviceTensor& DeviceTensor::operator=(DeviceTensor&&) noexcept = default;
float* DeviceTensor::data() const { return nullptr; }
size_t DeviceTensor::size() const { return 0; }
int DeviceTensor::device() const { return -1; }
std::vector<float> DeviceTensor::toHost() const { throw std::runtime_error(kNoCuda); }
void DeviceTensor::fromHost(const float*, size_t) { throw std::runtime_error(kNoCuda); }

struct GpuPreprocessor::Impl {};
GpuPreprocessor::GpuPreprocessor(int) { throw std::runtime_error(kNoCuda); }
GpuPreprocessor::~GpuPreprocessor() = default;
std::vector<LetterboxTransform> GpuPreprocessor::run(const std::vector<BatchFrame>&, FrameMemory, const TensorFormat&, float*, size_t,
                                                     int) {
  throw std::runtime_error(kNoCuda);
}
void GpuPreprocessor::synchronize() {}
void GpuPreprocessor::setParallelFor(ParallelFor) {}
void* GpuPreprocessor::stream() const { return nullptr; }
int GpuPreprocessor::device() const { return -1; }

}  // namespace vigil::gpu
#endif
