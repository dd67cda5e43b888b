#pragma once
// Generated fixtures for tests and benchmarks: a tiny ONNX detector of bright squares (written
// with a minimal protobuf encoder) and H.264 clips of squares moving on a dark background.
#include <string>
#include <vector>

#include "vision.h"

namespace vigil::synthetic {

struct SquareDetectorSpec {
  int netWidth = 320, netHeight = 320;
  int window = 32;       // square size the detector looks for, network pixels
  int stride = 8;        // anchor spacing, network pixels
  float scoreThreshold = 0.8f;
  int workLayers = 0;    // extra 3x3 conv layers (output unused) that make inference cost like a real CNN
  int workChannels = 16;
};

// Writes DIR/squares.onnx and DIR/manifest.json (parser yolov8, one class "square"); returns the manifest path.
// The model: AveragePool(window, stride) brightness per anchor window → scores; constant window boxes.
std::string writeSquareDetector(const std::string& dir, const SquareDetectorSpec& spec = {});

struct MovingSquare {
  float x0 = 0, y0 = 0, vx = 0, vy = 0, size = 64;  // source pixels, pixels per frame
  Box at(int frame) const { return {x0 + vx * frame, y0 + vy * frame, size, size}; }
};

// Encodes `frames` frames (white squares on black) with x264 into an MP4 file. Throws on failure.
void writeSquaresClip(const std::string& path, int width, int height, int frames, int fps,
                      const std::vector<MovingSquare>& squares);

// The scene the integration tests use: 640x360, two squares moving horizontally in opposite
// directions, placed so that a 320x320 letterboxed detector with window 32 / stride 8 sees them.
std::vector<MovingSquare> testScene();

}  // namespace vigil::synthetic
