#include "source/export_boxes.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "overlay.h"
#include "source/export_pipeline.h"

namespace vigil::sources {

namespace {

// One recorded file decoded to packed RGB: filesrc → decodebin → videoconvert → RGB → appsink.
struct DecodedReader {
  GstElement* pipeline = nullptr;
  GstElement* sink = nullptr;
  ~DecodedReader() { disposePipeline(pipeline); }
  bool open(const std::string& file, std::string* error) {
    pipeline = gst_pipeline_new("export-decode");
    GstElement* src = gst_element_factory_make("filesrc", nullptr);
    GstElement* decode = gst_element_factory_make("decodebin", nullptr);
    GstElement* convert = gst_element_factory_make("videoconvert", nullptr);
    GstElement* filter = gst_element_factory_make("capsfilter", nullptr);
    sink = gst_element_factory_make("appsink", nullptr);
    if (!src || !decode || !convert || !filter || !sink) {
      *error = "a GStreamer element for decoding is missing (filesrc, decodebin, videoconvert, appsink)";
      return false;
    }
    GstCaps* rgb = gst_caps_from_string("video/x-raw,format=RGB");
    g_object_set(filter, "caps", rgb, nullptr);
    gst_caps_unref(rgb);
    g_object_set(src, "location", file.c_str(), nullptr);
    g_object_set(sink, "sync", FALSE, "max-buffers", 4u, "enable-last-sample", FALSE, nullptr);
    gst_bin_add_many(GST_BIN(pipeline), src, decode, convert, filter, sink, nullptr);
    gst_element_link(src, decode);
    gst_element_link_many(convert, filter, sink, nullptr);
    g_signal_connect(decode, "pad-added", G_CALLBACK(+[](GstElement*, GstPad* pad, gpointer convertElement) {
                       GstCaps* caps = gst_pad_get_current_caps(pad);
                       if (!caps) caps = gst_pad_query_caps(pad, nullptr);
                       const bool video = caps && gst_caps_get_size(caps) > 0 &&
                                          g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "video/");
                       if (caps) gst_caps_unref(caps);
                       GstPad* in = gst_element_get_static_pad(static_cast<GstElement*>(convertElement), "sink");
                       if (video && !gst_pad_is_linked(in)) gst_pad_link(pad, in);
                       gst_object_unref(in);
                     }),
                     convert);
    if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      *error = "cannot read " + file + ": " + busError(pipeline);
      return false;
    }
    return true;
  }
  // The next decoded frame; null at the end, on an error (then *error is set) or after 30 s without one.
  GstSample* next(std::string* error) {
    for (int waited = 0; waited < 30000; waited += 200) {
      if (GstSample* s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 200 * GST_MSECOND)) return s;
      if (gst_app_sink_is_eos(GST_APP_SINK(sink))) return nullptr;
      const std::string e = busError(pipeline);
      if (!e.empty()) {
        *error = e;
        return nullptr;
      }
    }
    *error = "no frame decoded within 30 s";
    return nullptr;
  }
};

// appsrc (RGB) → videoconvert → x264enc → h264parse → mp4mux → filesink.
struct EncodingWriter {
  GstElement* pipeline = nullptr;
  GstElement* src = nullptr;
  ~EncodingWriter() { disposePipeline(pipeline); }
  bool start(GstCaps* caps, const std::string& path, int quantizer, std::string* error) {
    pipeline = gst_pipeline_new("export-encode");
    src = gst_element_factory_make("appsrc", nullptr);
    GstElement* convert = gst_element_factory_make("videoconvert", nullptr);
    GstElement* encode = gst_element_factory_make("x264enc", nullptr);
    GstElement* parse = gst_element_factory_make("h264parse", nullptr);
    GstElement* mux = gst_element_factory_make("mp4mux", nullptr);
    GstElement* sink = gst_element_factory_make("filesink", nullptr);
    if (!src || !convert || !encode || !parse || !mux || !sink) {
      *error = "a GStreamer element for encoding is missing (x264enc: gstreamer1.0-plugins-ugly; mp4mux, h264parse: plugins-good/bad)";
      return false;
    }
    g_object_set(src, "caps", caps, "format", GST_FORMAT_TIME, "block", TRUE, "max-bytes", static_cast<guint64>(64 << 20), nullptr);
    gst_util_set_object_arg(G_OBJECT(encode), "speed-preset", "veryfast");
    gst_util_set_object_arg(G_OBJECT(encode), "pass", "quant");
    // No B-frames: with them mp4mux starts the file's timeline a few frames late (the decode delay),
    // and a player would show frame 0 at, say, 0.2 s.
    g_object_set(encode, "quantizer", static_cast<guint>(std::clamp(quantizer, 0, 50)), "bframes", 0u, nullptr);
    g_object_set(sink, "location", path.c_str(), nullptr);
    gst_bin_add_many(GST_BIN(pipeline), src, convert, encode, parse, mux, sink, nullptr);
    if (!gst_element_link_many(src, convert, encode, parse, mux, sink, nullptr) ||
        gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      *error = "cannot write " + path + ": " + busError(pipeline);
      return false;
    }
    return true;
  }
  bool finish(std::string* error) { return finishWriter(pipeline, src, 120, "the encoder", error); }
};

// Media time of a buffer time: its stream time in the sample's segment.
GstClockTime mediaTime(const GstSegment* seg, GstClockTime t) {
  if (!GST_CLOCK_TIME_IS_VALID(t) || !seg || seg->format != GST_FORMAT_TIME) return t;
  guint64 stream = 0;
  if (gst_segment_to_stream_time_full(seg, GST_FORMAT_TIME, t, &stream) == 1) return stream;
  return t;
}

}  // namespace

void overlayBoxesAt(const OverlayExport& job, double w, double tolerance, OverlaySweep* sweep,
                    std::vector<std::pair<const OverlayTrack*, Box>>* out) {
  out->clear();
  const auto& tracks = job.tracks;
  while (sweep->next < tracks.size() && (tracks[sweep->next].samples.empty() || tracks[sweep->next].samples.front().time <= w + tolerance))
    sweep->active.push_back(sweep->next++);
  auto ended = [&](size_t i) {
    return tracks[i].samples.empty() || tracks[i].samples.back().time + std::max(tolerance, 0.0) < w - job.holdMs;
  };
  sweep->active.erase(std::remove_if(sweep->active.begin(), sweep->active.end(), ended), sweep->active.end());
  for (size_t i : sweep->active) {
    const auto& s = tracks[i].samples;
    if (w > s.back().time + tolerance) continue;  // the track has ended: no box after its last one
    // The latest sample at or before w (within the tolerance).
    auto it = std::upper_bound(s.begin(), s.end(), w + tolerance, [](double t, const OverlaySample& x) { return t < x.time; });
    if (it == s.begin()) continue;
    --it;
    if (w - it->time > job.holdMs) continue;
    out->emplace_back(&tracks[i], it->box);
  }
}

ExportResult exportWithBoxes(OverlayExport job, const std::string& out, const std::function<void(double)>& progress) {
  ExportResult r;
  if (job.segments.empty()) {
    r.error = "no recorded segment in the range";
    return r;
  }
  for (const auto& s : job.segments)
    if (!g_file_test(s.path.c_str(), G_FILE_TEST_IS_REGULAR)) {
      r.error = "the recorded segment " + s.path + " is missing (deleted by retention meanwhile?)";
      return r;
    }
  for (auto& t : job.tracks)
    std::sort(t.samples.begin(), t.samples.end(), [](const OverlaySample& a, const OverlaySample& b) { return a.time < b.time; });
  std::stable_sort(job.tracks.begin(), job.tracks.end(), [](const OverlayTrack& a, const OverlayTrack& b) {
    return (a.samples.empty() ? 0 : a.samples.front().time) < (b.samples.empty() ? 0 : b.samples.front().time);
  });
  const std::string part = out + ".part";
  EncodingWriter writer;
  GstCaps* caps = nullptr;
  int width = 0, height = 0;
  // The output's timeline follows the frames' wall times, so a frame the decoder could not show
  // (the leading B-frames of a segment's first GOP, whose references are in the previous file)
  // leaves its time to the frame before, as it would play live; a pause longer than kMaxGap (recording off)
  // is left out, as the stream copy does.
  constexpr double kMaxGapMs = 1000;
  GstClockTime last = 0, lastPts = GST_CLOCK_TIME_NONE;
  double lastWall = 0;
  OverlaySweep sweep;
  std::vector<std::pair<const OverlayTrack*, Box>> shown;
  static const uint8_t kColor[3] = {0, 255, 0};  // the snapshots' box colour (engine/osd.cpp)
  std::string error;
  bool done = false;
  for (size_t fi = 0; fi < job.segments.size() && error.empty() && !done; ++fi) {
    const OverlaySegment& seg = job.segments[fi];
    DecodedReader reader;
    if (!reader.open(seg.path, &error)) break;
    int64_t decoded = 0;
    std::string readError;
    while (error.empty()) {
      GstSample* sample = reader.next(&readError);
      if (!sample) break;
      ++decoded;
      GstBuffer* buf = gst_sample_get_buffer(sample);
      const GstClockTime t = buf ? mediaTime(gst_sample_get_segment(sample), GST_BUFFER_PTS(buf)) : GST_CLOCK_TIME_NONE;
      const double wall = seg.start + (GST_CLOCK_TIME_IS_VALID(t) ? static_cast<double>(t) / 1e6 : 0);
      if (!GST_CLOCK_TIME_IS_VALID(t) || wall < job.from) {
        gst_sample_unref(sample);
        continue;
      }
      if (wall > job.to) {
        gst_sample_unref(sample);
        done = true;
        break;
      }
      GstCaps* now = gst_sample_get_caps(sample);
      GstStructure* st = now ? gst_caps_get_structure(now, 0) : nullptr;
      int w = 0, h = 0;
      if (st) gst_structure_get_int(st, "width", &w), gst_structure_get_int(st, "height", &h);
      if (!caps) {
        width = w, height = h;
        caps = gst_caps_ref(now);
        if (!writer.start(caps, part, job.quantizer, &error)) {
          gst_sample_unref(sample);
          break;
        }
      } else if (w != width || h != height) {
        error = "the recorded picture size changes from " + std::to_string(width) + "x" + std::to_string(height) + " to " +
                std::to_string(w) + "x" + std::to_string(h) + " in " + seg.path + " — export the range in parts";
        gst_sample_unref(sample);
        break;
      }
      GstMapInfo in;
      if (!gst_buffer_map(buf, &in, GST_MAP_READ)) {
        gst_sample_unref(sample);
        continue;
      }
      // Rows of packed RGB may be padded to 4 bytes: draw on a tight copy, write it back padded.
      const size_t tight = static_cast<size_t>(width) * 3, stride = (tight + 3) & ~size_t(3);
      if (height <= 0 || in.size < stride * static_cast<size_t>(height - 1) + tight) {
        gst_buffer_unmap(buf, &in);
        gst_sample_unref(sample);
        error = "a decoded frame of " + seg.path + " is smaller than its caps say";
        break;
      }
      std::vector<uint8_t> rgb(tight * static_cast<size_t>(height));
      for (int y = 0; y < height; ++y)
        std::memcpy(rgb.data() + static_cast<size_t>(y) * tight, in.data + static_cast<size_t>(y) * stride, tight);
      gst_buffer_unmap(buf, &in);
      const GstClockTime duration = GST_BUFFER_DURATION_IS_VALID(buf) ? GST_BUFFER_DURATION(buf) : GST_SECOND / 30;
      // A stored box belongs to this frame when its time is within half a frame of the frame's.
      overlayBoxesAt(job, wall, static_cast<double>(duration) / 2e6, &sweep, &shown);
      for (auto& [track, box] : shown) drawDetection(rgb.data(), width, height, box, track->label, kColor);
      GstBuffer* o = gst_buffer_new_allocate(nullptr, stride * static_cast<size_t>(height), nullptr);
      GstMapInfo om;
      gst_buffer_map(o, &om, GST_MAP_WRITE);
      for (int y = 0; y < height; ++y)
        std::memcpy(om.data + static_cast<size_t>(y) * stride, rgb.data() + static_cast<size_t>(y) * tight, tight);
      gst_buffer_unmap(o, &om);
      const double gap = wall - lastWall;
      const GstClockTime pts = !GST_CLOCK_TIME_IS_VALID(lastPts) ? 0
                               : gap > 0 && gap <= kMaxGapMs     ? lastPts + static_cast<GstClockTime>(gap * 1e6)
                                                                 : lastPts + duration;
      lastPts = pts, lastWall = wall;
      GST_BUFFER_PTS(o) = pts;
      GST_BUFFER_DTS(o) = GST_CLOCK_TIME_NONE;
      GST_BUFFER_DURATION(o) = duration;
      last = std::max(last, pts + duration);
      gst_sample_unref(sample);
      if (gst_app_src_push_buffer(GST_APP_SRC(writer.src), o) != GST_FLOW_OK) {
        error = "the encoder stopped: " + busError(writer.pipeline);
        break;
      }
      if (r.frames++ == 0) r.firstWallMs = wall;
      if (progress && job.to > job.from) progress(std::clamp((wall - job.from) / (job.to - job.from), 0.0, 1.0));
    }
    if (error.empty() && !done && decoded == 0)
      error = "cannot read " + seg.path + (readError.empty() ? ": no video in it" : ": " + readError);
  }
  if (caps) gst_caps_unref(caps);
  if (error.empty() && r.frames == 0) error = "no recorded video in the range";
  if (error.empty() && !writer.finish(&error)) error = "cannot finish " + out + ": " + error;
  return completeExport(r, error, writer.pipeline, part, out, last, progress);
}

}  // namespace vigil::sources
