#include "source/export.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>

#include "source/export_pipeline.h"

namespace vigil::sources {

namespace {

struct Writer {
  GstElement* pipeline = nullptr;
  GstElement* src = nullptr;
  ~Writer() { disposePipeline(pipeline); }
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
    if (!gst_element_link_many(src, parse, mux, sink, nullptr) ||
        gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      *error = "cannot write " + path + ": " + busError(pipeline);
      return false;
    }
    return true;
  }
  // Ends the file; false with *error when the muxer or the disk failed.
  bool finish(std::string* error) { return finishWriter(pipeline, src, 60, "the file", error); }
};

// Reads one recorded file: filesrc → qtdemux → appsink (the video track).
struct Reader {
  GstElement* pipeline = nullptr;
  GstElement* sink = nullptr;
  ~Reader() {
    if (pipeline) {
      gst_element_set_state(pipeline, GST_STATE_NULL);
      gst_object_unref(pipeline);
    }
  }
  // The next sample; null at the end, on an error (left on the bus) or after 30 s without data.
  GstSample* next() {
    for (int waited = 0; waited < 30000; waited += 200) {
      if (GstSample* s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 200 * GST_MSECOND)) return s;
      if (gst_app_sink_is_eos(GST_APP_SINK(sink))) return nullptr;
      GstBus* bus = gst_element_get_bus(pipeline);
      const bool failed = hasError(bus);
      gst_object_unref(bus);
      if (failed) return nullptr;
    }
    return nullptr;
  }
  static bool hasError(GstBus* bus) {
    GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    if (!m) return false;
    gst_bus_post(bus, m);  // left for busError()
    return true;
  }
  bool open(const std::string& file, std::string* error) {
    pipeline = gst_pipeline_new("export-reader");
    GstElement* src = gst_element_factory_make("filesrc", nullptr);
    GstElement* demux = gst_element_factory_make("qtdemux", nullptr);
    sink = gst_element_factory_make("appsink", nullptr);
    g_object_set(src, "location", file.c_str(), nullptr);
    g_object_set(sink, "sync", FALSE, "max-buffers", 64u, "enable-last-sample", FALSE, nullptr);
    gst_bin_add_many(GST_BIN(pipeline), src, demux, sink, nullptr);
    gst_element_link(src, demux);
    g_signal_connect(demux, "pad-added", G_CALLBACK(+[](GstElement*, GstPad* pad, gpointer appsink) {
                       GstCaps* caps = gst_pad_query_caps(pad, nullptr);
                       const bool video = caps && gst_caps_get_size(caps) > 0 &&
                                          g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "video/");
                       if (caps) gst_caps_unref(caps);
                       GstPad* in = gst_element_get_static_pad(static_cast<GstElement*>(appsink), "sink");
                       if (video && !gst_pad_is_linked(in)) gst_pad_link(pad, in);
                       gst_object_unref(in);
                     }),
                     sink);
    if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      *error = "cannot read " + file + ": " + busError(pipeline);
      return false;
    }
    return true;
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
  const GstClockTime from = fromSeconds > 0 ? static_cast<GstClockTime>(fromSeconds * GST_SECOND) : 0;
  const GstClockTime to = static_cast<GstClockTime>(toSeconds * GST_SECOND);
  // The joined timeline: each file follows the previous one (its first DTS right after the previous
  // file's last frame). held: the GOP before `from`, written from its keyframe on.
  struct Unit {
    GstBuffer* buf;
    GstClockTime pts, dts;  // on the joined timeline
  };
  std::vector<Unit> held;
  Writer writer;
  GstCaps* caps = nullptr;
  GstClockTime base = GST_CLOCK_TIME_NONE, last = 0, fileOffset = 0, nextOffset = 0;
  std::string error;
  bool done = false;
  auto push = [&](const Unit& u) {
    GstBuffer* o = gst_buffer_copy(u.buf);
    GST_BUFFER_PTS(o) = u.pts >= base ? u.pts - base : 0;
    GST_BUFFER_DTS(o) = u.dts >= base ? u.dts - base : 0;
    last = std::max(last, GST_BUFFER_PTS(o) + (GST_BUFFER_DURATION_IS_VALID(u.buf) ? GST_BUFFER_DURATION(u.buf) : 0));
    r.frames++;
    return gst_app_src_push_buffer(GST_APP_SRC(writer.src), o) == GST_FLOW_OK;
  };
  for (size_t fi = 0; fi < files.size() && error.empty() && !done; ++fi) {
    Reader reader;
    if (!reader.open(files[fi], &error)) break;
    fileOffset = nextOffset;
    GstClockTime fileBase = GST_CLOCK_TIME_NONE;
    int64_t fileFrames = 0;
    while (error.empty()) {
      GstSample* sample = reader.next();
      if (!sample) break;  // end of this file, or an error (checked below)
      GstBuffer* buf = gst_sample_get_buffer(sample);
      const GstSegment* seg = gst_sample_get_segment(sample);
      auto streamTime = [seg](GstClockTime t) {
        if (!GST_CLOCK_TIME_IS_VALID(t) || !seg || seg->format != GST_FORMAT_TIME || seg->start < seg->time) return t;
        const GstClockTime shift = seg->start - seg->time;
        return t >= shift ? t - shift : 0;
      };
      GstClockTime pts = buf ? streamTime(GST_BUFFER_PTS(buf)) : GST_CLOCK_TIME_NONE;
      GstClockTime dts = buf && GST_BUFFER_DTS_IS_VALID(buf) ? streamTime(GST_BUFFER_DTS(buf)) : pts;
      if (!GST_CLOCK_TIME_IS_VALID(pts)) pts = dts;
      if (!GST_CLOCK_TIME_IS_VALID(pts)) {
        gst_sample_unref(sample);
        continue;
      }
      if (!GST_CLOCK_TIME_IS_VALID(fileBase)) fileBase = std::min(pts, dts);
      ++fileFrames;
      Unit u{buf, fileOffset + (pts >= fileBase ? pts - fileBase : 0), fileOffset + (dts >= fileBase ? dts - fileBase : 0)};
      const GstClockTime duration = GST_BUFFER_DURATION_IS_VALID(buf) ? GST_BUFFER_DURATION(buf) : GST_SECOND / 30;
      nextOffset = std::max(nextOffset, u.dts + duration);
      const bool key = !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
      if (u.pts < from && !GST_CLOCK_TIME_IS_VALID(base)) {
        if (key) {
          for (auto& h : held) gst_buffer_unref(h.buf);
          held.clear();
        }
        if (key || !held.empty()) held.push_back({gst_buffer_ref(buf), u.pts, u.dts});
        gst_sample_unref(sample);
        continue;
      }
      if (u.dts > to) {
        gst_sample_unref(sample);
        done = true;
        break;
      }
      if (!GST_CLOCK_TIME_IS_VALID(base)) {
        if (held.empty() && !key) {  // no keyframe yet: nothing decodable to copy
          gst_sample_unref(sample);
          continue;
        }
        const Unit& first = held.empty() ? u : held.front();
        base = std::min(first.pts, first.dts);
        caps = gst_caps_ref(gst_sample_get_caps(sample));
        if (!writer.start(caps, part, &error)) {
          gst_sample_unref(sample);
          break;
        }
        for (auto& h : held)
          if (error.empty() && !push(h)) error = "the export writer stopped: " + busError(writer.pipeline);
      } else if (GstCaps* now = gst_sample_get_caps(sample); now && caps && !gst_caps_is_equal(now, caps)) {
        gst_app_src_set_caps(GST_APP_SRC(writer.src), now);
        gst_caps_replace(&caps, now);
      }
      if (error.empty() && !push(u)) error = "the export writer stopped: " + busError(writer.pipeline);
      if (progress && to > from)
        progress(std::min(1.0, static_cast<double>(u.pts - std::min(u.pts, from)) / static_cast<double>(to - from)));
      gst_sample_unref(sample);
    }
    // A file cut short by a killed engine may end in an error after its last whole fragment: what
    // was read counts; a file that gives nothing is an error.
    if (error.empty() && !done && fileFrames == 0) {
      const std::string readError = busError(reader.pipeline);
      error = "cannot read " + files[fi] + (readError.empty() ? ": no video in it" : ": " + readError);
    }
  }
  for (auto& h : held) gst_buffer_unref(h.buf);
  if (caps) gst_caps_unref(caps);
  if (error.empty() && !GST_CLOCK_TIME_IS_VALID(base)) error = "no recorded video in the range";
  if (error.empty() && !writer.finish(&error)) error = "cannot finish " + out + ": " + error;
  return completeExport(r, error, writer.pipeline, part, out, last, progress);
}

}  // namespace vigil::sources
