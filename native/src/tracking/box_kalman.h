#pragma once
// Constant-velocity Kalman filter over a box's centre and size (cx, cy, w, h and their velocities).
// With a diagonal process / measurement noise the 8-state filter splits exactly into four
// independent (position, velocity) filters, so each step is a handful of flops and no matrices.
#include "image.h"

namespace vigil::tracking {

class BoxKalman {
 public:
  void init(const Box& measured);
  void predict();  // one frame ahead
  void update(const Box& measured);
  Box box() const;

 private:
  struct Axis {
    float p = 0, v = 0;               // position and velocity
    float p00 = 0, p01 = 0, p11 = 0;  // covariance
    void predict(float qPos, float qVel);
    void update(float z, float r);
  };
  Axis axes_[4];  // cx, cy, w, h
};

}  // namespace vigil::tracking
