#include "source/export.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>

namespace vigil::sources {

namespace {

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

struct Writer {
  GstElement* pipeline = nullptr;
  GstElement* src = nullptr;
  ~Writer() {
    if (pipeline) {
      gst_element_set_state(pipeline, GST_STATE_NULL);
      gst_object_unref(pipeline);
    }
  }
  bool start(GstCaps* caps, const std::string& path, std::string* error) {
    const char* name = gst_structure_get_name(gst_caps_get_structure(caps, 0));
    const bool h265 = std::strcmp(name, "video/x-h265") == 0;
    if (!h265 && std::strcmp(name, "video/x-h264") != 0) {
      *error = std::string("the recording holds ") + name + ", not H.264/H.265";
      return false;
    }
    pipeline = gst_pipeline_new("export-writer");
    src = gst_element_factory_make("appsrc", nullptr);
    GstElement* parse = gst_element_factory_make(h265 ? "h265parse" : "h264parse", nullptr);
    GstElement* mux = gst_element_factory_make("mp4mux", nullptr);
    GstElement* sink = gst_element_factory_make("filesink", nullptr);
    g_object_set(src, "caps", caps, "format", GST_FORMAT_TIME, "block", TRUE, "max-bytes", static_cast<guint64>(16 << 20), nullptr);
    g_object_set(sink, "location", path.c_str(), nullptr);
    gst_bin_add_many(GST_BIN(pipeline), src, parse, mux, sink, nullptr);
    if (!gst_element_link_many(src, parse, mux, sink, nullptr) || gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      *error = "cannot write " + path + ": " + busError(pipeline);
      return false;
    }
    return true;
  }
  // Ends the file; false with *error when the muxer or the disk failed.
  bool finish(std::string* error) {
    gst_app_src_end_of_stream(GST_APP_SRC(src));
    GstBus* bus = gst_element_get_bus(pipeline);
    GstMessage* m = gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    gst_object_unref(bus);
    bool ok = m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS;
    if (m && !ok) {
      GError* err = nullptr;
      gst_message_parse_error(m, &err, nullptr);
      *error = err ? err->message : "unknown error";
      if (err) g_error_free(err);
    } else if (!m) {
      *error = "the file was not finished within 60 s";
    }
    if (m) gst_message_unref(m);
    return ok;
  }
};

}  // namespace

ExportResult exportSegments(const std::vector<std::string>& files, const std::string& out, double fromSeconds, double toSeconds,
                            const std::function<void(double)>& progress) {
  ExportResult r;
  if (files.empty()) {
    r.error = "no recorded segment in the range";
    return r;
  }
  for (const auto& f : files)
    if (!g_file_test(f.c_str(), G_FILE_TEST_IS_REGULAR)) {
      r.error = "the recorded segment " + f + " is missing (deleted by retention meanwhile?)";
      return r;
    }
  const std::string part = out + ".part";
  GstElement* reader = gst_pipeline_new("export-reader");
  GstElement* split = gst_element_factory_make("splitmuxsrc", nullptr);
  GstElement* sink = gst_element_factory_make("appsink", nullptr);
  if (!split || !sink) {
    r.error = "splitmuxsrc is missing — install gstreamer1.0-plugins-good";
    gst_object_unref(reader);
    return r;
  }
  g_object_set(sink, "sync", FALSE, "max-buffers", 64u, "enable-last-sample", FALSE, nullptr);
  gst_bin_add_many(GST_BIN(reader), split, sink, nullptr);
  g_signal_connect(split, "format-location", G_CALLBACK(+[](GstElement*, gpointer data) -> GStrv {
                     const auto* list = static_cast<const std::vector<std::string>*>(data);
                     GStrv v = g_new0(gchar*, list->size() + 1);
                     for (size_t i = 0; i < list->size(); ++i) v[i] = g_strdup((*list)[i].c_str());
                     return v;
                   }),
                   const_cast<std::vector<std::string>*>(&files));
  g_signal_connect(split, "pad-added", G_CALLBACK(+[](GstElement*, GstPad* pad, gpointer appsink) {
                     GstPad* in = gst_element_get_static_pad(static_cast<GstElement*>(appsink), "sink");
                     if (!gst_pad_is_linked(in)) gst_pad_link(pad, in);
                     gst_object_unref(in);
                   }),
                   sink);
  if (gst_element_set_state(reader, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    r.error = "cannot read the recorded segments: " + busError(reader);
    gst_element_set_state(reader, GST_STATE_NULL);
    gst_object_unref(reader);
    return r;
  }
  const GstClockTime from = fromSeconds > 0 ? static_cast<GstClockTime>(fromSeconds * GST_SECOND) : 0;
  const GstClockTime to = static_cast<GstClockTime>(toSeconds * GST_SECOND);
  std::vector<GstBuffer*> held;  // the GOP before `from`: the copy starts at its keyframe
  Writer writer;
  GstCaps* caps = nullptr;
  GstClockTime base = GST_CLOCK_TIME_NONE, last = 0;
  std::string error;
  auto push = [&](GstBuffer* b) {
    GstBuffer* o = gst_buffer_copy(b);
    const GstClockTime pts = GST_BUFFER_PTS(b), dts = GST_BUFFER_DTS_IS_VALID(b) ? GST_BUFFER_DTS(b) : pts;
    GST_BUFFER_PTS(o) = pts >= base ? pts - base : 0;
    GST_BUFFER_DTS(o) = dts >= base ? dts - base : 0;
    last = std::max(last, GST_BUFFER_PTS(o) + (GST_BUFFER_DURATION_IS_VALID(b) ? GST_BUFFER_DURATION(b) : 0));
    r.frames++;
    return gst_app_src_push_buffer(GST_APP_SRC(writer.src), o) == GST_FLOW_OK;
  };
  while (error.empty()) {
    GstSample* sample = gst_app_sink_pull_sample(GST_APP_SINK(sink));
    if (!sample) break;  // end of the last file (or an error: checked below)
    GstBuffer* buf = gst_sample_get_buffer(sample);
    GstClockTime pts = buf ? GST_BUFFER_PTS(buf) : GST_CLOCK_TIME_NONE;
    const GstClockTime dts = buf && GST_BUFFER_DTS_IS_VALID(buf) ? GST_BUFFER_DTS(buf) : pts;
    if (!GST_CLOCK_TIME_IS_VALID(pts)) pts = dts;
    const bool key = buf && !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
    if (!GST_CLOCK_TIME_IS_VALID(pts)) {
      gst_sample_unref(sample);
      continue;
    }
    if (pts < from && !GST_CLOCK_TIME_IS_VALID(base)) {
      if (key) {
        for (GstBuffer* b : held) gst_buffer_unref(b);
        held.clear();
      }
      if (key || !held.empty()) held.push_back(gst_buffer_ref(buf));
      gst_sample_unref(sample);
      continue;
    }
    if (dts > to) {
      gst_sample_unref(sample);
      break;
    }
    if (!GST_CLOCK_TIME_IS_VALID(base)) {
      if (held.empty() && !key) {  // no keyframe yet: nothing decodable to copy
        gst_sample_unref(sample);
        continue;
      }
      GstBuffer* first = held.empty() ? buf : held.front();
      const GstClockTime fpts = GST_BUFFER_PTS(first), fdts = GST_BUFFER_DTS_IS_VALID(first) ? GST_BUFFER_DTS(first) : fpts;
      base = std::min(fpts, fdts);
      caps = gst_caps_ref(gst_sample_get_caps(sample));
      if (!writer.start(caps, part, &error)) {
        gst_sample_unref(sample);
        break;
      }
      for (GstBuffer* b : held)
        if (!push(b)) error = "the export writer stopped: " + busError(writer.pipeline);
    } else if (GstCaps* now = gst_sample_get_caps(sample); now && caps && !gst_caps_is_equal(now, caps)) {
      gst_app_src_set_caps(GST_APP_SRC(writer.src), now);
      gst_caps_replace(&caps, now);
    }
    if (error.empty() && !push(buf)) error = "the export writer stopped: " + busError(writer.pipeline);
    if (progress && to > from) progress(std::min(1.0, static_cast<double>(pts - std::min(pts, from)) / static_cast<double>(to - from)));
    gst_sample_unref(sample);
  }
  for (GstBuffer* b : held) gst_buffer_unref(b);
  if (error.empty()) {
    const std::string readError = busError(reader);
    if (!readError.empty()) error = "cannot read the recorded segments: " + readError;
  }
  gst_element_set_state(reader, GST_STATE_NULL);
  gst_object_unref(reader);
  if (caps) gst_caps_unref(caps);
  if (error.empty() && !GST_CLOCK_TIME_IS_VALID(base)) error = "no recorded video in the range";
  if (error.empty() && !writer.finish(&error)) error = "cannot finish " + out + ": " + error;
  if (!error.empty()) {
    if (writer.pipeline) gst_element_set_state(writer.pipeline, GST_STATE_NULL);
    std::remove(part.c_str());
    r.error = error;
    return r;
  }
  gst_element_set_state(writer.pipeline, GST_STATE_NULL);
  if (std::rename(part.c_str(), out.c_str()) != 0) {
    r.error = "cannot move " + part + " to " + out + ": " + std::strerror(errno);
    std::remove(part.c_str());
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
