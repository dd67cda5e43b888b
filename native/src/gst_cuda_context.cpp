#include "gst_cuda_context.h"

#include <dlfcn.h>

#include <mutex>

namespace vigil {

namespace {
// The few driver and GStreamer CUDA entry points needed, declared here: Debian ships libgstcuda
// without headers, and the driver API is only on machines with an NVIDIA driver.
using CUresult = int;
using CUdevice = int;
using CUcontext = void*;
using CuInit = CUresult (*)(unsigned);
using CuDeviceGet = CUresult (*)(CUdevice*, int);
using CuPrimaryRetain = CUresult (*)(CUcontext*, CUdevice);
using NewWrapped = GstObject* (*)(CUcontext, CUdevice);
using NewGstContext = GstContext* (*)(GstObject*);

struct Primary {
  GstContext* context = nullptr;
  std::string why;
};

Primary makePrimary(int device) {
  Primary p;
  void* cuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
  if (!cuda) {
    p.why = "no NVIDIA driver (libcuda.so.1)";
    return p;
  }
  void* gstCuda = dlopen("libgstcuda-1.0.so.0", RTLD_NOW | RTLD_GLOBAL);
  if (!gstCuda) {
    p.why = "GStreamer's CUDA library (libgstcuda-1.0.so.0, gstreamer1.0-plugins-bad) is missing";
    return p;
  }
  auto cuInit = reinterpret_cast<CuInit>(dlsym(cuda, "cuInit"));
  auto cuDeviceGet = reinterpret_cast<CuDeviceGet>(dlsym(cuda, "cuDeviceGet"));
  auto retain = reinterpret_cast<CuPrimaryRetain>(dlsym(cuda, "cuDevicePrimaryCtxRetain"));
  auto wrap = reinterpret_cast<NewWrapped>(dlsym(gstCuda, "gst_cuda_context_new_wrapped"));
  auto toGst = reinterpret_cast<NewGstContext>(dlsym(gstCuda, "gst_context_new_cuda_context"));
  auto load = reinterpret_cast<gboolean (*)()>(dlsym(gstCuda, "gst_cuda_load_library"));
  if (!cuInit || !cuDeviceGet || !retain || !wrap || !toGst || !load) {
    p.why = "libcuda or libgstcuda lacks an entry point (GStreamer 1.22 or newer needed)";
    return p;
  }
  CUdevice dev = 0;
  CUcontext ctx = nullptr;
  if (cuInit(0) != 0 || cuDeviceGet(&dev, device) != 0 || retain(&ctx, dev) != 0 || !ctx) {
    p.why = "CUDA device " + std::to_string(device) + " cannot be opened";
    return p;
  }
  // GStreamer's CUDA library resolves the driver on its own: it must have done so before wrapping.
  if (!load()) {
    p.why = "GStreamer's CUDA library cannot load the NVIDIA driver";
    return p;
  }
  GstObject* wrapped = wrap(ctx, dev);  // the primary context stays retained for the process
  if (!wrapped) {
    p.why = "GStreamer cannot wrap the CUDA primary context";
    return p;
  }
  p.context = toGst(wrapped);
  gst_object_unref(wrapped);  // the GstContext holds it
  if (!p.context) p.why = "GStreamer cannot make a context of the CUDA primary context";
  return p;
}
}  // namespace

GstContext* primaryCudaGstContext(std::string* why, int device) {
  static std::once_flag once;
  static Primary primary;
  std::call_once(once, [&] { primary = makePrimary(device); });
  if (why) *why = primary.why;
  return primary.context;
}

}  // namespace vigil
