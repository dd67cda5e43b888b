#pragma once
// CUDA letterbox pre-processing, usable without CUDA headers (opaque handles). One kernel launch
// turns a batch of frames of different sizes (NV12 / I420 / RGB / BGR / RGBA / BGRA, host or device
// memory) into a float NCHW / NHWC tensor in device memory, ready to bind as an ONNX Runtime input
// (IO binding: wrap DeviceTensor::data() with the CUDA EP's OrtMemoryInfo). Same maths as
// the CPU letterbox (letterbox.h; shared arithmetic in cuda/preprocess_math.h). In a build without CUDA (VIGIL_HAS_CUDA undefined)
// gpuPreprocessAvailable() returns false with the reason and the constructors throw it.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "image.h"

namespace vigil::gpu {

// True when this build has CUDA and a usable device exists; otherwise false and *reason says why
// ("built without CUDA — ...", "no CUDA device: ...").
bool gpuPreprocessAvailable(std::string* reason = nullptr, int device = 0);
bool builtWithCuda();

// Float buffer in device memory (cudaMalloc), freed on destruction.
class DeviceTensor {
 public:
  explicit DeviceTensor(size_t floats, int device = 0);  // throws std::runtime_error when no GPU
  ~DeviceTensor();
  DeviceTensor(DeviceTensor&&) noexcept;
  DeviceTensor& operator=(DeviceTensor&&) noexcept;
  DeviceTensor(const DeviceTensor&) = delete;
  DeviceTensor& operator=(const DeviceTensor&) = delete;

  float* data() const;  // device pointer
  size_t size() const;  // floats
  size_t bytes() const { return size() * sizeof(float); }
  int device() const;
  std::vector<float> toHost() const;               // synchronous copy
  void fromHost(const float* src, size_t floats);  // synchronous copy

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

enum class FrameMemory { Host, Device };

struct BatchFrame {
  Image image;                                    // planes in host or device memory (see FrameMemory)
  const LetterboxTransform* transform = nullptr;  // null: letterboxGeometry() from the tensor format
  FrameMemory memory = FrameMemory::Host;         // where this frame's planes are, when run() is told Host
};

// Owns a CUDA stream, staging buffers for host frames and the per-frame descriptors. Not thread-safe:
// one per batcher thread.
class GpuPreprocessor {
 public:
  explicit GpuPreprocessor(int device = 0);  // throws std::runtime_error when no GPU
  ~GpuPreprocessor();
  GpuPreprocessor(const GpuPreprocessor&) = delete;
  GpuPreprocessor& operator=(const GpuPreprocessor&) = delete;

  // Writes frames[i] into slot firstSlot + i of `deviceTensor` (capacity in floats), one kernel
  // launch for the whole batch. Host frames are uploaded first. `memory` Device: every frame is in
  // device memory; Host: each frame's own BatchFrame::memory says (a batch may mix NVDEC frames with
  // frames of software decoders). Returns each frame's transform.
  // Asynchronous on this preprocessor's stream: call synchronize() before another stream reads the tensor.
  std::vector<LetterboxTransform> run(const std::vector<BatchFrame>& frames, FrameMemory memory, const TensorFormat& format,
                                      float* deviceTensor, size_t capacityFloats, int firstSlot = 0);
  std::vector<LetterboxTransform> run(const std::vector<BatchFrame>& frames, FrameMemory memory, const TensorFormat& format,
                                      DeviceTensor& tensor, int firstSlot = 0) {
    return run(frames, memory, format, tensor.data(), tensor.size(), firstSlot);
  }
  void synchronize();
  // Host frames are gathered into pinned memory by `parallelFor(count, body)` (e.g. a worker pool
  // calling body(0..count-1)) instead of by the calling thread alone.
  using ParallelFor = std::function<void(size_t count, const std::function<void(size_t)>& body)>;
  void setParallelFor(ParallelFor parallelFor);
  void* stream() const;  // the cudaStream_t, for callers that order work on it
  int device() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::gpu
