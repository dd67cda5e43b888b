#include "batch_preprocess.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "cuda/gpu_preprocess.h"
#include "inference.h"

namespace vigil {

// ---- WorkerPool ----

WorkerPool::WorkerPool(int participants) {
  for (int i = 1; i < std::max(1, participants); ++i) threads_.emplace_back([this, i] { loop(i); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  start_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::loop(int index) {
  unsigned long seen = 0;
  while (true) {
    const std::function<void(int)>* task = nullptr;
    {
      std::unique_lock lock(mu_);
      start_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      task = task_;
    }
    std::exception_ptr err;
    try {
      (*task)(index);
    } catch (...) {
      err = std::current_exception();
    }
    std::lock_guard lock(mu_);
    if (err && !error_) error_ = err;
    if (--pending_ == 0) done_.notify_one();
  }
}

void WorkerPool::runOnAll(const std::function<void(int)>& task) {
  if (threads_.empty()) {
    task(0);
    return;
  }
  {
    std::lock_guard lock(mu_);
    task_ = &task;
    pending_ = static_cast<int>(threads_.size());
    error_ = nullptr;
    ++generation_;
  }
  start_.notify_all();
  std::exception_ptr mine;
  try {
    task(0);
  } catch (...) {
    mine = std::current_exception();
  }
  std::unique_lock lock(mu_);
  done_.wait(lock, [&] { return pending_ == 0; });
  task_ = nullptr;
  if (mine) std::rethrow_exception(mine);
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void WorkerPool::parallelFor(size_t count, const std::function<void(size_t)>& fn) {
  const size_t workers = static_cast<size_t>(size());
  if (workers <= 1 || count <= 1) {
    for (size_t i = 0; i < count; ++i) fn(i);
    return;
  }
  runOnAll([&](int w) {
    for (size_t i = static_cast<size_t>(w); i < count; i += workers) fn(i);
  });
}

int defaultPreprocessThreads(int batch, bool inferenceOnCpu) {
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  // On the CPU provider ONNX Runtime wants the cores; on a GPU provider they are free for letterboxing.
  const int byCores = inferenceOnCpu ? std::clamp(cores / 4, 1, 4) : std::clamp(cores / 2, 1, 8);
  return std::clamp(byCores, 1, std::max(1, batch));
}

// ---- BatchPreprocessor ----

BatchPreprocessor::BatchPreprocessor(const ModelManifest& manifest, int threads)
    : format_(manifest.input), imageFloats_(floatsPerImage(manifest.input)), pool_(std::max(1, threads)) {
  for (int i = 0; i < pool_.size(); ++i) cpu_.push_back(std::make_unique<CpuLetterbox>(format_));
}

BatchPreprocessor::~BatchPreprocessor() = default;

void BatchPreprocessor::enableGpu(InferenceSession& session, int buffers) {
  note_.clear();
  if (session.provider() != "CUDAExecutionProvider") {
    note_ = "inference runs on " + session.provider();
    return;
  }
  if (const char* force = std::getenv("VIGIL_PREPROCESS"); force && std::string(force) == "cpu") {
    note_ = "VIGIL_PREPROCESS=cpu";
    return;
  }
  if (!session.acceptsDeviceInput()) {
    note_ = "the CUDA session offers no device memory for IO binding";
    return;
  }
  std::string why;
  if (!gpu::gpuPreprocessAvailable(&why)) {
    note_ = why;
    return;
  }
  try {
    auto pre = std::make_unique<gpu::GpuPreprocessor>();
    // The idle CPU pool gathers the frames into pinned memory (about 3 MB per 1080p frame).
    pre->setParallelFor([this](size_t count, const std::function<void(size_t)>& body) { pool_.parallelFor(count, body); });
    const size_t floats = imageFloats_ * static_cast<size_t>(session.maxBatch());
    std::vector<std::unique_ptr<gpu::DeviceTensor>> tensors;
    for (int i = 0; i < std::max(2, buffers); ++i) tensors.push_back(std::make_unique<gpu::DeviceTensor>(floats));
    session.setDeviceInput(tensors[0]->data());
    gpu_ = std::move(pre);
    deviceInput_ = std::move(tensors);
  } catch (const std::exception& e) {
    session.setDeviceInput(nullptr);
    deviceInput_.clear();
    note_ = e.what();
  }
}

std::vector<LetterboxTransform> BatchPreprocessor::runCpu(const std::vector<const Image*>& images, float* tensor) {
  std::vector<LetterboxTransform> transforms(images.size());
  const int workers = std::min(pool_.size(), static_cast<int>(images.size()));
  if (workers <= 1) {
    for (size_t i = 0; i < images.size(); ++i) transforms[i] = cpu_[0]->run(*images[i], tensor + i * imageFloats_);
    return transforms;
  }
  // Frame i goes to participant i % size: each keeps its own per-size tables, so no locking.
  pool_.runOnAll([&](int w) {
    for (size_t i = static_cast<size_t>(w); i < images.size(); i += static_cast<size_t>(pool_.size()))
      transforms[i] = cpu_[static_cast<size_t>(w)]->run(*images[i], tensor + i * imageFloats_);
  });
  return transforms;
}

std::vector<float> BatchPreprocessor::deviceInputToHost() const {
  return deviceInput_.empty() ? std::vector<float>{} : deviceInput_[0]->toHost();
}

float* BatchPreprocessor::input(int buffer) const {
  if (!gpu_) return nullptr;
  return deviceInput_[static_cast<size_t>(std::clamp(buffer, 0, buffers() - 1))]->data();
}

std::vector<LetterboxTransform> BatchPreprocessor::run(const std::vector<const Image*>& images, InferenceSession& session, int buffer) {
  if (!gpu_) {
    for (const Image* img : images)
      if (img->onDevice)
        throw std::runtime_error("a frame in GPU memory reached the CPU pre-processing — the source must deliver host frames here");
    return runCpu(images, session.inputFor(0));
  }
  // The same geometry as the CPU path, so boxes map back identically.
  std::vector<LetterboxTransform> transforms(images.size());
  std::vector<gpu::BatchFrame> frames(images.size());
  for (size_t i = 0; i < images.size(); ++i) {
    transforms[i] = letterboxGeometry(images[i]->width, images[i]->height, format_.width, format_.height, format_.keepAspect);
    frames[i].image = *images[i];
    frames[i].transform = &transforms[i];
    frames[i].memory = images[i]->onDevice ? gpu::FrameMemory::Device : gpu::FrameMemory::Host;
  }
  gpu_->run(frames, gpu::FrameMemory::Host, format_, *deviceInput_[static_cast<size_t>(std::clamp(buffer, 0, buffers() - 1))], 0);
  gpu_->synchronize();  // ONNX Runtime reads the tensor on its own stream
  return transforms;
}

}  // namespace vigil
