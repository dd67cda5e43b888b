#include "assignment.h"

#include <algorithm>
#include <limits>

namespace vigil::tracking {

int Assigner::find(int x) {
  while (parent_[static_cast<size_t>(x)] != x) {
    parent_[static_cast<size_t>(x)] = parent_[static_cast<size_t>(parent_[static_cast<size_t>(x)])];
    x = parent_[static_cast<size_t>(x)];
  }
  return x;
}

void Assigner::optimal(const std::vector<float>& iou, int rows, int cols, float minIou, std::vector<int>* rowToCol) {
  rowToCol->assign(static_cast<size_t>(rows), -1);
  if (rows == 0 || cols == 0) return;
  auto gated = [&](int r, int c) {
    const float x = iou[static_cast<size_t>(r * cols + c)];
    return x >= minIou && x > 0;
  };
  // Split into connected components of gated pairs: crowds decompose into small independent problems,
  // so the cubic Hungarian step runs on a handful of boxes at a time.
  parent_.resize(static_cast<size_t>(rows + cols));
  for (int i = 0; i < rows + cols; ++i) parent_[static_cast<size_t>(i)] = i;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      if (gated(r, c)) {
        const int a = find(r), b = find(rows + c);
        if (a != b) parent_[static_cast<size_t>(a)] = b;
      }
  // Group nodes by component root: linked lists through next_, heads indexed by root.
  head_.assign(static_cast<size_t>(rows + cols), -1);
  next_.resize(static_cast<size_t>(rows + cols));
  for (int x = rows + cols - 1; x >= 0; --x) {
    const int root = find(x);
    next_[static_cast<size_t>(x)] = head_[static_cast<size_t>(root)];
    head_[static_cast<size_t>(root)] = x;
  }
  for (int root = 0; root < rows + cols; ++root) {
    if (head_[static_cast<size_t>(root)] < 0) continue;
    compRows_.clear();
    compCols_.clear();
    for (int x = head_[static_cast<size_t>(root)]; x >= 0; x = next_[static_cast<size_t>(x)]) {
      if (x < rows)
        compRows_.push_back(x);
      else
        compCols_.push_back(x - rows);
    }
    if (compRows_.empty()) continue;  // a detection with no candidate track
    if (compCols_.empty()) continue;  // a track with no candidate detection
    const int n = static_cast<int>(compRows_.size()), m = static_cast<int>(compCols_.size());
    if (n == 1 && m == 1) {
      (*rowToCol)[static_cast<size_t>(compRows_[0])] = compCols_[0];  // joined by a gated pair
      continue;
    }
    sub_.resize(static_cast<size_t>(n) * static_cast<size_t>(m));
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < m; ++j)
        sub_[static_cast<size_t>(i * m + j)] =
            iou[static_cast<size_t>(compRows_[static_cast<size_t>(i)] * cols + compCols_[static_cast<size_t>(j)])];
    hungarian(n, m, minIou);
    for (int i = 0; i < n; ++i) {
      const int j = subRowToCol_[static_cast<size_t>(i)];
      if (j >= 0) (*rowToCol)[static_cast<size_t>(compRows_[static_cast<size_t>(i)])] = compCols_[static_cast<size_t>(j)];
    }
  }
}

void Assigner::hungarian(int rows, int cols, float minIou) {
  const std::vector<float>& iou = sub_;
  subRowToCol_.assign(static_cast<size_t>(rows), -1);
  // Shortest augmenting path Hungarian (O(n²m)) on cost = 1 - IoU, with n <= m: transpose if needed.
  const bool transposed = rows > cols;
  const int n = transposed ? cols : rows, m = transposed ? rows : cols;
  auto cost = [&](int i, int j) -> double {  // 1-based i in [1, n], j in [1, m]
    const float x = transposed ? iou[static_cast<size_t>((j - 1) * cols + (i - 1))] : iou[static_cast<size_t>((i - 1) * cols + (j - 1))];
    return x >= minIou ? 1.0 - x : 1.0;  // gated pairs cost as much as no overlap at all
  };
  const double inf = std::numeric_limits<double>::infinity();
  u_.assign(static_cast<size_t>(n + 1), 0.0);
  v_.assign(static_cast<size_t>(m + 1), 0.0);
  p_.assign(static_cast<size_t>(m + 1), 0);
  way_.assign(static_cast<size_t>(m + 1), 0);
  for (int i = 1; i <= n; ++i) {
    p_[0] = i;
    int j0 = 0;
    minv_.assign(static_cast<size_t>(m + 1), inf);
    used_.assign(static_cast<size_t>(m + 1), 0);
    do {
      used_[static_cast<size_t>(j0)] = 1;
      const int i0 = p_[static_cast<size_t>(j0)];
      double delta = inf;
      int j1 = 0;
      for (int j = 1; j <= m; ++j) {
        if (used_[static_cast<size_t>(j)]) continue;
        const double cur = cost(i0, j) - u_[static_cast<size_t>(i0)] - v_[static_cast<size_t>(j)];
        if (cur < minv_[static_cast<size_t>(j)]) minv_[static_cast<size_t>(j)] = cur, way_[static_cast<size_t>(j)] = j0;
        if (minv_[static_cast<size_t>(j)] < delta) delta = minv_[static_cast<size_t>(j)], j1 = j;
      }
      for (int j = 0; j <= m; ++j) {
        if (used_[static_cast<size_t>(j)]) {
          u_[static_cast<size_t>(p_[static_cast<size_t>(j)])] += delta;
          v_[static_cast<size_t>(j)] -= delta;
        } else {
          minv_[static_cast<size_t>(j)] -= delta;
        }
      }
      j0 = j1;
    } while (p_[static_cast<size_t>(j0)] != 0);
    do {
      const int j1 = way_[static_cast<size_t>(j0)];
      p_[static_cast<size_t>(j0)] = p_[static_cast<size_t>(j1)];
      j0 = j1;
    } while (j0);
  }
  for (int j = 1; j <= m; ++j) {
    const int i = p_[static_cast<size_t>(j)];
    if (i == 0) continue;
    const int row = transposed ? j - 1 : i - 1, col = transposed ? i - 1 : j - 1;
    if (const float x = iou[static_cast<size_t>(row * cols + col)]; x >= minIou && x > 0) subRowToCol_[static_cast<size_t>(row)] = col;
  }
}

void Assigner::greedy(const std::vector<float>& iou, int rows, int cols, float minIou, std::vector<int>* rowToCol) {
  rowToCol->assign(static_cast<size_t>(rows), -1);
  pairs_.clear();
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const float x = iou[static_cast<size_t>(r * cols + c)];
      if (x >= minIou && x > 0) pairs_.push_back(Pair{x, r, c});
    }
  std::sort(pairs_.begin(), pairs_.end(), [](const Pair& a, const Pair& b) {
    if (a.iou != b.iou) return a.iou > b.iou;
    return a.row != b.row ? a.row < b.row : a.col < b.col;
  });
  rowTaken_.assign(static_cast<size_t>(rows), 0);
  colTaken_.assign(static_cast<size_t>(cols), 0);
  for (const Pair& p : pairs_) {
    if (rowTaken_[static_cast<size_t>(p.row)] || colTaken_[static_cast<size_t>(p.col)]) continue;
    rowTaken_[static_cast<size_t>(p.row)] = colTaken_[static_cast<size_t>(p.col)] = 1;
    (*rowToCol)[static_cast<size_t>(p.row)] = p.col;
  }
}

}  // namespace vigil::tracking
