// Motion cell means on the GPU: one thread per cell over the frame's Y plane in device memory; the
// grid is copied back (a few kilobytes) for the detector's background comparison on the CPU.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "cuda/motion_cells.h"
#include "motion/cell_math.h"

namespace vigil::gpu {
namespace {

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess)
    throw std::runtime_error(std::string("CUDA motion cells: ") + what + " failed: " + cudaGetErrorName(err) + " (" +
                             cudaGetErrorString(err) + ")");
}

__global__ void cellMeansKernel(motion::LumaPlane plane, int width, int height, int cell, int step, int cols, int rows,
                                uint8_t* __restrict__ out) {
  const int cx = blockIdx.x * blockDim.x + threadIdx.x;
  const int cy = blockIdx.y * blockDim.y + threadIdx.y;
  if (cx >= cols || cy >= rows) return;
  out[cy * cols + cx] = motion::cellMean(plane, width, height, cell, step, cx, cy);
}

// One device buffer per calling thread (the batcher), grown as needed.
struct Scratch {
  uint8_t* data = nullptr;
  size_t bytes = 0;
  int device = -1;
  cudaStream_t stream = nullptr;
  ~Scratch() { release(); }
  void release() {
    if (device < 0) return;
    cudaSetDevice(device);
    if (stream) cudaStreamDestroy(stream);
    if (data) cudaFree(data);
    data = nullptr, stream = nullptr, bytes = 0, device = -1;
  }
};

}  // namespace

bool motionCellMeans(const Image& frame, const motion::Grid& grid, std::vector<uint8_t>* out) {
  if (!frame.onDevice) throw std::invalid_argument("CUDA motion cells: the frame is in host memory — use motion::cellMeans");
  if (frame.format != PixelFormat::Nv12 && frame.format != PixelFormat::I420)
    throw std::invalid_argument(std::string("CUDA motion cells: ") + pixelFormatName(frame.format) + " frames are not read on the GPU");
  if (!frame.planes[0] || frame.width <= 0 || frame.height <= 0 || frame.strides[0] < frame.width)
    throw std::invalid_argument("CUDA motion cells: the frame has no usable Y plane");
  // The frame's own device (NVDEC decodes into the primary context of the GPU that holds it).
  cudaPointerAttributes attr{};
  check(cudaPointerGetAttributes(&attr, frame.planes[0]), "cudaPointerGetAttributes");
  if (attr.type != cudaMemoryTypeDevice && attr.type != cudaMemoryTypeManaged)
    throw std::invalid_argument("CUDA motion cells: the frame's Y plane is not device memory");
  thread_local Scratch scratch;
  const size_t cells = static_cast<size_t>(grid.cols) * grid.rows;
  if (scratch.device != attr.device || scratch.bytes < cells) {
    scratch.release();
    check(cudaSetDevice(attr.device), "cudaSetDevice");
    scratch.device = attr.device;
    check(cudaStreamCreateWithFlags(&scratch.stream, cudaStreamNonBlocking), "cudaStreamCreate");
    check(cudaMalloc(&scratch.data, cells), "cudaMalloc");
    scratch.bytes = cells;
  }
  check(cudaSetDevice(attr.device), "cudaSetDevice");
  const dim3 block(32, 8);
  const dim3 blocks((grid.cols + block.x - 1) / block.x, (grid.rows + block.y - 1) / block.y);
  cellMeansKernel<<<blocks, block, 0, scratch.stream>>>(motion::LumaPlane{frame.planes[0], frame.strides[0]}, frame.width, frame.height,
                                                        grid.cell, grid.step, grid.cols, grid.rows, scratch.data);
  check(cudaGetLastError(), "launching the cell-means kernel");
  out->resize(cells);
  check(cudaMemcpyAsync(out->data(), scratch.data, cells, cudaMemcpyDeviceToHost, scratch.stream), "copying the cells to the host");
  check(cudaStreamSynchronize(scratch.stream), "running the cell-means kernel");
  return true;
}

}  // namespace vigil::gpu
