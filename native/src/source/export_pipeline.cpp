#include "source/export_pipeline.h"

#include <gst/app/gstappsrc.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vigil::sources {

std::string busError(GstElement* pipeline) {
  GstBus* bus = gst_element_get_bus(pipeline);
  std::string out;
  if (GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)) {
    GError* err = nullptr;
    gst_message_parse_error(m, &err, nullptr);
    out = err ? err->message : "unknown error";
    if (err) g_error_free(err);
    gst_message_unref(m);
  }
  gst_object_unref(bus);
  return out;
}

void disposePipeline(GstElement*& pipeline) {
  if (!pipeline) return;
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  pipeline = nullptr;
}

bool finishWriter(GstElement* pipeline, GstElement* appsrc, int timeoutSeconds, const std::string& what, std::string* error) {
  gst_app_src_end_of_stream(GST_APP_SRC(appsrc));
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* m = gst_bus_timed_pop_filtered(bus, static_cast<GstClockTime>(timeoutSeconds) * GST_SECOND,
                                             static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  gst_object_unref(bus);
  const bool ok = m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS;
  if (m && !ok) {
    GError* err = nullptr;
    gst_message_parse_error(m, &err, nullptr);
    *error = err ? err->message : "unknown error";
    if (err) g_error_free(err);
  } else if (!m) {
    *error = what + " did not finish within " + std::to_string(timeoutSeconds) + " s";
  }
  if (m) gst_message_unref(m);
  return ok;
}

ExportResult completeExport(ExportResult r, std::string error, GstElement*& writerPipeline, const std::string& part, const std::string& out,
                            GstClockTime last, const std::function<void(double)>& progress) {
  disposePipeline(writerPipeline);
  if (error.empty() && std::rename(part.c_str(), out.c_str()) != 0)
    error = "cannot move " + part + " to " + out + ": " + std::strerror(errno);
  if (!error.empty()) {
    std::remove(part.c_str());
    r.error = error;
    return r;
  }
  struct stat st {};
  if (::stat(out.c_str(), &st) == 0) r.bytes = st.st_size;
  r.durationSeconds = static_cast<double>(last) / GST_SECOND;
  if (progress) progress(1.0);
  r.ok = true;
  return r;
}

}  // namespace vigil::sources
