#pragma once
// Track ↔ detection assignment on an IoU matrix (rows: tracks, columns: detections).
#include <vector>

namespace vigil::tracking {

// Reusable buffers so per-frame assignment does not allocate once warmed up.
class Assigner {
 public:
  // iou is rows×cols, row-major; entries below minIou are never matched. Fills rowToCol (-1: none).
  // Optimal (Hungarian, maximum total IoU) assignment.
  void optimal(const std::vector<float>& iou, int rows, int cols, float minIou, std::vector<int>* rowToCol);
  // Greedy: highest IoU pair first (DeepStream's IOU tracker).
  void greedy(const std::vector<float>& iou, int rows, int cols, float minIou, std::vector<int>* rowToCol);

 private:
  // Dense Hungarian on sub_ (rows×cols), writing sub-row → sub-column into subRowToCol_.
  void hungarian(int rows, int cols, float minIou);
  int find(int x);

  std::vector<int> parent_, head_, next_, compRows_, compCols_, subRowToCol_;
  std::vector<float> sub_;
  std::vector<double> u_, v_, minv_;
  std::vector<int> p_, way_;
  std::vector<char> used_;
  struct Pair {
    float iou;
    int row, col;
  };
  std::vector<Pair> pairs_;
  std::vector<char> rowTaken_, colTaken_;
};

}  // namespace vigil::tracking
