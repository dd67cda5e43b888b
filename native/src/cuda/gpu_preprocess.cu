// CUDA letterbox pre-processing: one launch per batch, each frame into its slot of the tensor.
#include <cuda_runtime.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cuda/gpu_preprocess.h"
#include "cuda/preprocess_math.h"

namespace vigil::gpu {
namespace {

void check(cudaError_t err, const std::string& what) {
  if (err != cudaSuccess)
    throw std::runtime_error("CUDA pre-processing: " + what + " failed: " + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")");
}

struct Job {
  pp::Image im;
  pp::Geometry g;
  int slot;
};

__global__ void letterboxKernel(const Job* __restrict__ jobs, pp::Norm n, float* __restrict__ out, int W, int H, int nhwc) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= W || y >= H) return;
  const Job job = jobs[blockIdx.z];
  float px[3];
  pp::outputPixel(job.im, job.g, n, x, y, px);
  const size_t plane = static_cast<size_t>(W) * H;
  float* base = out + static_cast<size_t>(job.slot) * plane * 3;
  const size_t i = static_cast<size_t>(y) * W + x;
  if (nhwc) {
    base[i * 3 + 0] = px[0];
    base[i * 3 + 1] = px[1];
    base[i * 3 + 2] = px[2];
  } else {
    base[i] = px[0];
    base[plane + i] = px[1];
    base[2 * plane + i] = px[2];
  }
}

}  // namespace

bool builtWithCuda() { return true; }

bool gpuPreprocessAvailable(std::string* reason, int device) {
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    if (reason) *reason = std::string("no CUDA device: ") + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")";
    cudaGetLastError();
    return false;
  }
  if (device < 0 || device >= count) {
    if (reason) *reason = "no CUDA device " + std::to_string(device) + " (" + std::to_string(count) + " found)";
    return false;
  }
  if ((err = cudaSetDevice(device)) == cudaSuccess) {
    cudaFuncAttributes attr{};
    err = cudaFuncGetAttributes(&attr, letterboxKernel);  // fails when no kernel image fits this GPU
  }
  if (err != cudaSuccess) {
    if (reason)
      *reason = std::string("CUDA device ") + std::to_string(device) + " unusable: " + cudaGetErrorName(err) + " (" +
                cudaGetErrorString(err) + ")";
    cudaGetLastError();
    return false;
  }
  if (reason) reason->clear();
  return true;
}

static void requireGpu(int device) {
  std::string why;
  if (!gpuPreprocessAvailable(&why, device)) throw std::runtime_error("CUDA pre-processing unavailable: " + why);
}

// ---- DeviceTensor ----
struct DeviceTensor::Impl {
  float* ptr = nullptr;
  size_t n = 0;
  int device = 0;
  ~Impl() {
    if (ptr) {
      cudaSetDevice(device);
      cudaFree(ptr);
    }
  }
};

DeviceTensor::DeviceTensor(size_t floats, int device) : impl_(std::make_unique<Impl>()) {
  if (floats == 0) throw std::invalid_argument("DeviceTensor: size must be positive");
  requireGpu(device);
  impl_->device = device;
  check(cudaMalloc(reinterpret_cast<void**>(&impl_->ptr), floats * sizeof(float)),
        "cudaMalloc(" + std::to_string(floats * sizeof(float)) + " bytes)");
  impl_->n = floats;
}
DeviceTensor::~DeviceTensor() = default;
DeviceTensor::DeviceTensor(DeviceTensor&&) noexcept = default;
DeviceTensor& DeviceTensor::operator=(DeviceTensor&&) noexcept = default;
float* DeviceTensor::data() const { return impl_ ? impl_->ptr : nullptr; }
size_t DeviceTensor::size() const { return impl_ ? impl_->n : 0; }
int DeviceTensor::device() const { return impl_ ? impl_->device : -1; }

std::vector<float> DeviceTensor::toHost() const {
  std::vector<float> host(size());
  check(cudaSetDevice(device()), "cudaSetDevice");
  check(cudaMemcpy(host.data(), data(), bytes(), cudaMemcpyDeviceToHost), "copying the tensor to the host");
  return host;
}

void DeviceTensor::fromHost(const float* src, size_t floats) {
  if (floats > size())
    throw std::invalid_argument("DeviceTensor::fromHost: " + std::to_string(floats) + " floats do not fit in " + std::to_string(size()));
  check(cudaSetDevice(device()), "cudaSetDevice");
  check(cudaMemcpy(data(), src, floats * sizeof(float), cudaMemcpyHostToDevice), "copying to the tensor");
}

// ---- GpuPreprocessor ----
struct GpuPreprocessor::Impl {
  int device = 0;
  cudaStream_t stream = nullptr;
  cudaEvent_t done = nullptr;
  uint8_t* staging = nullptr;  // device copy of host frames
  size_t stagingBytes = 0;
  uint8_t* pinned = nullptr;  // host frames gathered in page-locked memory: one truly asynchronous upload
  size_t pinnedBytes = 0;
  GpuPreprocessor::ParallelFor parallelFor;
  Job* hostJobs = nullptr;  // pinned
  Job* deviceJobs = nullptr;
  size_t jobCapacity = 0;

  ~Impl() {
    cudaSetDevice(device);
    if (stream) cudaStreamSynchronize(stream);
    if (staging) cudaFree(staging);
    if (pinned) cudaFreeHost(pinned);
    if (deviceJobs) cudaFree(deviceJobs);
    if (hostJobs) cudaFreeHost(hostJobs);
    if (done) cudaEventDestroy(done);
    if (stream) cudaStreamDestroy(stream);
  }

  void reserveJobs(size_t n) {
    if (n <= jobCapacity) return;
    check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    if (deviceJobs) cudaFree(deviceJobs);
    if (hostJobs) cudaFreeHost(hostJobs);
    deviceJobs = nullptr;
    hostJobs = nullptr;
    jobCapacity = 0;
    check(cudaMallocHost(reinterpret_cast<void**>(&hostJobs), n * sizeof(Job)), "cudaMallocHost(frame table)");
    check(cudaMalloc(reinterpret_cast<void**>(&deviceJobs), n * sizeof(Job)), "cudaMalloc(frame table)");
    jobCapacity = n;
  }

  void reserveStaging(size_t bytes) {
    if (bytes <= stagingBytes) return;
    check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    if (staging) cudaFree(staging);
    staging = nullptr;
    stagingBytes = 0;
    const size_t want = bytes + bytes / 4;  // headroom for the next batch
    check(cudaMalloc(reinterpret_cast<void**>(&staging), want), "cudaMalloc(" + std::to_string(want) + " bytes staging)");
    stagingBytes = want;
    if (pinned) cudaFreeHost(pinned);
    pinned = nullptr;
    pinnedBytes = 0;
    check(cudaMallocHost(reinterpret_cast<void**>(&pinned), want), "cudaMallocHost(" + std::to_string(want) + " bytes staging)");
    pinnedBytes = want;
  }
};

GpuPreprocessor::GpuPreprocessor(int device) : impl_(std::make_unique<Impl>()) {
  requireGpu(device);
  impl_->device = device;
  check(cudaSetDevice(device), "cudaSetDevice");
  check(cudaStreamCreateWithFlags(&impl_->stream, cudaStreamNonBlocking), "cudaStreamCreate");
  check(cudaEventCreateWithFlags(&impl_->done, cudaEventDisableTiming), "cudaEventCreate");
}
GpuPreprocessor::~GpuPreprocessor() = default;

std::vector<LetterboxTransform> GpuPreprocessor::run(const std::vector<BatchFrame>& frames, FrameMemory memory, const TensorFormat& format,
                                                     float* deviceTensor, size_t capacityFloats, int firstSlot) {
  validateTensorFormat(format);
  if (frames.empty()) return {};
  if (!deviceTensor) throw std::invalid_argument("GpuPreprocessor::run: device tensor is null");
  if (firstSlot < 0) throw std::invalid_argument("GpuPreprocessor::run: negative first slot");
  const size_t perImage = floatsPerImage(format);
  const size_t slotsNeeded = static_cast<size_t>(firstSlot) + frames.size();
  if (slotsNeeded * perImage > capacityFloats)
    throw std::invalid_argument("GpuPreprocessor::run: tensor holds " + std::to_string(capacityFloats / perImage) + " images of " +
                                std::to_string(format.width) + "x" + std::to_string(format.height) + " but slots up to " +
                                std::to_string(slotsNeeded) + " were asked for");
  if (frames.size() > 65535) throw std::invalid_argument("GpuPreprocessor::run: at most 65535 frames per launch");

  Impl& m = *impl_;
  check(cudaSetDevice(m.device), "cudaSetDevice");
  check(cudaEventSynchronize(m.done), "waiting for the previous batch");  // the pinned frame table is reused
  m.reserveJobs(frames.size());

  std::vector<LetterboxTransform> transforms(frames.size());
  auto onHost = [&](size_t i) { return memory == FrameMemory::Host && frames[i].memory == FrameMemory::Host; };
  size_t staged = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const Image& img = frames[i].image;
    validateImage(img, ("frame " + std::to_string(i)).c_str());
    transforms[i] = frames[i].transform ? *frames[i].transform
                                        : letterboxGeometry(img.width, img.height, format.width, format.height, format.keepAspect);
    if (transforms[i].scaleX <= 0 || transforms[i].scaleY <= 0)
      throw std::invalid_argument("frame " + std::to_string(i) + ": transform scales must be positive");
    if (onHost(i))
      for (int p = 0; p < planeCount(img.format); ++p) staged += (planeBytes(img, p) + 255) / 256 * 256;
  }
  if (staged > 0) m.reserveStaging(staged);

  struct HostCopy {
    uint8_t* dst;
    const uint8_t* src;
    size_t bytes;
  };
  std::vector<HostCopy> copies;
  size_t offset = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const Image& img = frames[i].image;
    Job& job = m.hostJobs[i];
    std::memset(&job, 0, sizeof(Job));
    for (int p = 0; p < planeCount(img.format); ++p) {
      job.im.stride[p] = img.strides[p];
      if (onHost(i)) {
        const size_t bytes = planeBytes(img, p);
        copies.push_back({m.pinned + offset, img.planes[p], bytes});  // the previous upload finished (event above)
        job.im.plane[p] = m.staging + offset;
        offset += (bytes + 255) / 256 * 256;
      } else {
        job.im.plane[p] = img.planes[p];
      }
    }
    job.im.width = img.width;
    job.im.height = img.height;
    job.im.format = static_cast<int>(img.format);
    job.im.matrix = static_cast<int>(img.matrix);
    job.g = {transforms[i].scaleX, transforms[i].scaleY, transforms[i].padX, transforms[i].padY};
    job.slot = firstSlot + static_cast<int>(i);
  }
  auto copyOne = [&](size_t k) { std::memcpy(copies[k].dst, copies[k].src, copies[k].bytes); };
  if (m.parallelFor && copies.size() > 1) {
    m.parallelFor(copies.size(), copyOne);
  } else {
    for (size_t k = 0; k < copies.size(); ++k) copyOne(k);
  }
  if (offset > 0) check(cudaMemcpyAsync(m.staging, m.pinned, offset, cudaMemcpyHostToDevice, m.stream), "uploading the frames");
  check(cudaMemcpyAsync(m.deviceJobs, m.hostJobs, frames.size() * sizeof(Job), cudaMemcpyHostToDevice, m.stream),
        "uploading the frame table");

  pp::Norm n{};
  for (int c = 0; c < 3; ++c) {
    n.mean[c] = format.mean[c];
    n.scale[c] = format.scale[c];
  }
  n.pad = format.padValue;
  n.bgr = format.bgr ? 1 : 0;
  const dim3 block(32, 8);
  const dim3 grid((format.width + block.x - 1) / block.x, (format.height + block.y - 1) / block.y, static_cast<unsigned>(frames.size()));
  letterboxKernel<<<grid, block, 0, m.stream>>>(m.deviceJobs, n, deviceTensor, format.width, format.height,
                                                format.layout == TensorLayout::Nhwc ? 1 : 0);
  check(cudaGetLastError(), "launching the letterbox kernel");
  check(cudaEventRecord(m.done, m.stream), "cudaEventRecord");
  return transforms;
}

void GpuPreprocessor::synchronize() {
  check(cudaSetDevice(impl_->device), "cudaSetDevice");
  check(cudaStreamSynchronize(impl_->stream), "running the letterbox kernel");
}
void GpuPreprocessor::setParallelFor(ParallelFor parallelFor) { impl_->parallelFor = std::move(parallelFor); }
void* GpuPreprocessor::stream() const { return impl_->stream; }
int GpuPreprocessor::device() const { return impl_->device; }

}  // namespace vigil::gpu
