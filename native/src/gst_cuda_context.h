#pragma once
// NVDEC decoders and Vigil's CUDA code (letterbox kernel, ONNX Runtime's CUDA provider) in ONE CUDA
// context: the device's primary context, the one the CUDA runtime uses, handed to GStreamer as its
// "gst.cuda.context". Then a decoded frame's device pointer is valid for the pre-processing kernel
// and frames never leave GPU memory. Loaded at run time (libcuda, GStreamer's CUDA library), so
// builds and machines without them are unaffected.
#include <gst/gst.h>

#include <string>

namespace vigil {

// The primary context of CUDA device `device` as a GStreamer context, created once and kept for the
// process; null (with *why) when libcuda, libgstcuda-1.0 or the device is missing.
GstContext* primaryCudaGstContext(std::string* why = nullptr, int device = 0);

}  // namespace vigil
