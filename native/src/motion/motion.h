#pragma once
// Motion gating (Frigate's idea): a cheap per-camera motion detector that lets the batcher skip
// inference on still cameras. Each frame's luma is reduced to a coarse grid of cell means (about
// kGridWidth cells across), compared with a running background (an exponential average of past
// grids); a cell whose mean differs by more than the threshold has changed, and a frame moves when
// the changed cells cover at least the minimum area. Motion is held for a few frames after it stops
// so the tracker sees the objects settle. The whole frame is judged at once ("where" = anywhere).
#include <cstdint>
#include <vector>

#include "image.h"

namespace vigil::motion {

// The operator's sensitivity, 1 (only large, strong changes) .. 100 (a cell's faint flicker);
// main/api/registries.ts (MOTION_LIMITS) holds the same range.
constexpr int kMinSensitivity = 1;
constexpr int kMaxSensitivity = 100;
constexpr int kDefaultSensitivity = 50;
constexpr int kGridWidth = 80;  // cells across the frame (about; the cell is square, whole pixels)

struct MotionConfig {
  int threshold = 25;      // luma levels a cell's mean must move from the background
  double minArea = 0.002;  // share of the grid's cells that must change
  double alpha = 0.05;     // background update per analysed frame (exponential average)
  int holdFrames = 5;      // analysed frames still reported as moving after motion stops
};
// The detector's settings for a sensitivity; throws std::invalid_argument outside 1..100.
MotionConfig configForSensitivity(int sensitivity);

// How a frame is cut into cells: `cell` pixels square, sampled every `step` pixels in each direction.
struct Grid {
  int cols = 0, rows = 0, cell = 1, step = 1;
};
Grid gridFor(int width, int height);

// The mean luma of each cell (rows × cols, row-major) of a host frame; any PixelFormat (YUV: the Y
// plane; RGB kinds: BT.601 luma). Throws std::invalid_argument for a frame in GPU memory.
void cellMeans(const Image& image, const Grid& grid, std::vector<uint8_t>* out);

struct MotionResult {
  bool moving = false;  // motion now or within the hold
  double changed = 0;   // share of cells that changed in this frame
  Box region;           // frame pixels covering the changed cells (empty when none)
};

class MotionDetector {
 public:
  explicit MotionDetector(MotionConfig config = {});
  // Judges a frame from its cell means (cellMeans, or the CUDA kernel for frames in GPU memory).
  // The first frame, and a frame of another size, start the background again and count as motion.
  MotionResult update(const std::vector<uint8_t>& means, const Grid& grid, int width, int height);
  // Host frames: cellMeans + update.
  MotionResult update(const Image& image);
  const MotionConfig& config() const { return config_; }

 private:
  MotionConfig config_;
  Grid grid_;
  int width_ = 0, height_ = 0;
  std::vector<float> background_;
  std::vector<uint8_t> scratch_;
  int hold_ = 0;
};

}  // namespace vigil::motion
