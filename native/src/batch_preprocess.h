#pragma once
// Letterboxing a whole batch into the network input: on the CPU with a persistent worker pool, or on
// the GPU (one CUDA kernel per batch into a device tensor that ONNX Runtime reads through IO
// binding) when the session runs on the CUDA execution provider and this build has CUDA.
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "image.h"
#include "letterbox.h"
#include "manifest.h"

namespace vigil {

class InferenceSession;
namespace gpu {
class GpuPreprocessor;
class DeviceTensor;
}  // namespace gpu

// Threads that live as long as the pool; runOnAll hands every participant the same task.
class WorkerPool {
 public:
  explicit WorkerPool(int participants);  // the calling thread is participant 0
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return static_cast<int>(threads_.size()) + 1; }
  // Runs task(i) for every participant i (0 on the calling thread) and returns when all are done;
  // rethrows the first exception a participant threw.
  void runOnAll(const std::function<void(int)>& task);
  // Runs fn(0..count-1) spread over the participants (participant w takes w, w+size(), ...); serial
  // when there is one participant or one item.
  void parallelFor(size_t count, const std::function<void(size_t)>& fn);

 private:
  void loop(int index);
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable start_, done_;
  const std::function<void(int)>* task_ = nullptr;
  unsigned long generation_ = 0;
  int pending_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

// Pre-processing threads when the config gives none: enough for the batch, leaving cores to
// decoding and (on the CPU provider) to ONNX Runtime.
int defaultPreprocessThreads(int batch, bool inferenceOnCpu);

class BatchPreprocessor {
 public:
  BatchPreprocessor(const ModelManifest& manifest, int threads);
  ~BatchPreprocessor();
  BatchPreprocessor(const BatchPreprocessor&) = delete;
  BatchPreprocessor& operator=(const BatchPreprocessor&) = delete;

  // Switches to GPU pre-processing when `session` runs on CUDA, the build has CUDA and a device is
  // usable; otherwise stays on the CPU and note() says why. VIGIL_PREPROCESS=cpu forces the CPU.
  // `buffers`: device input tensors (at least 2: one filled while another is inferred).
  void enableGpu(InferenceSession& session, int buffers = 2);

  // Letterboxes images[i] into batch slot i of input buffer `buffer` (0 .. buffers()-1); returns each
  // transform. Frames in GPU memory (NVDEC) need the CUDA path. Then session.run(n, input(buffer)).
  std::vector<LetterboxTransform> run(const std::vector<const Image*>& images, InferenceSession& session, int buffer = 0);
  // Input buffers: enableGpu's count on the CUDA path (the next batch is letterboxed while earlier
  // ones are inferred), else 1.
  int buffers() const { return gpu_ ? static_cast<int>(deviceInput_.size()) : 1; }
  // Buffer `buffer` as the session's input: device memory on the CUDA path, null (the session's own
  // host buffer) on the CPU.
  float* input(int buffer) const;
  // True when the sources may hand over frames in GPU memory (the CUDA path reads them in place).
  bool readsDeviceFrames() const { return gpu_ != nullptr; }
  // CPU path into a host tensor of images.size() slots (also what tests compare); serial when the pool has one thread.
  std::vector<LetterboxTransform> runCpu(const std::vector<const Image*>& images, float* tensor);

  const char* path() const { return gpu_ ? "cuda" : "cpu"; }
  const std::string& note() const { return note_; }
  int threads() const { return pool_.size(); }
  // The CUDA path's input tensor copied to the host (tests); empty on the CPU path.
  std::vector<float> deviceInputToHost() const;

 private:
  TensorFormat format_;
  size_t imageFloats_;
  std::vector<std::unique_ptr<CpuLetterbox>> cpu_;  // one per pool participant (per-size tables)
  WorkerPool pool_;
  std::unique_ptr<gpu::GpuPreprocessor> gpu_;
  std::vector<std::unique_ptr<gpu::DeviceTensor>> deviceInput_;
  std::string note_;
};

}  // namespace vigil
