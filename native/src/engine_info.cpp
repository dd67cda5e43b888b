#include "engine_info.h"

#include <gst/gst.h>
#include <onnxruntime_cxx_api.h>

#include <mutex>

#include "gpu_info.h"
#include "version.h"

namespace vigil {

bool ensureGstreamer(std::string* error) {
  static std::once_flag once;
  static bool ok = false;
  static std::string reason;
  std::call_once(once, [] {
    GError* err = nullptr;
    ok = gst_init_check(nullptr, nullptr, &err);
    if (!ok) {
      reason = std::string("GStreamer failed to initialise: ") + (err ? err->message : "unknown error") +
               " — check that the GStreamer 1.x runtime is installed (apt-get install gstreamer1.0-plugins-base)";
      if (err) g_error_free(err);
    }
  });
  if (!ok && error) *error = reason;
  return ok;
}

EngineInfo queryEngineInfo() {
  EngineInfo info;
  info.engineVersion = kEngineVersion;
  std::string err;
  if (ensureGstreamer(&err)) {
    gchar* v = gst_version_string();
    info.gstreamerVersion = v;
    g_free(v);
    for (const char* name : {"nvh264dec", "nvh265dec", "nvav1dec", "nvv4l2decoder", "v4l2h264dec"}) {
      if (GstElementFactory* f = gst_element_factory_find(name)) {
        info.hardwareDecoders.emplace_back(name);
        if (std::string(name).rfind("nv", 0) == 0) info.nvdec = true;
        gst_object_unref(f);
      }
    }
  } else {
    info.gstreamerVersion = "unavailable: " + err;
  }
  info.onnxRuntimeVersion = Ort::GetVersionString();
  info.executionProviders = Ort::GetAvailableProviders();
  info.gpuName = nvidiaGpuName();
  return info;
}

}  // namespace vigil
