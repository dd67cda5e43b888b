#include "source/record.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>

namespace vigil::sources {

namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int64_t fileBytes(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

bool isH26x(const GstCaps* caps, std::string* codec) {
  if (!caps || gst_caps_get_size(caps) == 0) return false;
  const char* name = gst_structure_get_name(gst_caps_get_structure(caps, 0));
  if (std::strcmp(name, "video/x-h264") == 0) {
    if (codec) *codec = "h264";
    return true;
  }
  if (std::strcmp(name, "video/x-h265") == 0) {
    if (codec) *codec = "h265";
    return true;
  }
  return false;
}

// Caps mp4mux takes as they are: length-prefixed access units with the parameter sets in codec_data
// (what parsebin's parser and the encoders give). Then the recorder needs no parser of its own: it
// would only parse every access unit a second time.
bool muxReady(const GstCaps* caps) {
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  const char* format = gst_structure_get_string(s, "stream-format");
  const char* alignment = gst_structure_get_string(s, "alignment");
  return format && alignment && std::strcmp(alignment, "au") == 0 &&
         (std::strcmp(format, "avc") == 0 || std::strcmp(format, "hvc1") == 0) && gst_structure_has_field(s, "codec_data");
}

// A unique element name with a prefix bench/record.ts looks for in thread names.
std::string recordingElementName(const char* prefix) {
  static std::atomic<unsigned> next{0};
  return prefix + std::to_string(next.fetch_add(1) % 100000);
}

// The tap: a queue that never drops (a lost access unit would break the recording until the next
// keyframe) into an appsink whose callbacks feed the writer.
GstElement* makeTap(GstElement* pipeline, SegmentWriter* writer, GstElement** queueOut) {
  // Named so that its streaming thread is "rectapN:src" (bench/record.ts reads recording's CPU by thread).
  GstElement* queue = gst_element_factory_make("queue", recordingElementName("rectap").c_str());
  GstElement* sink = gst_element_factory_make("appsink", nullptr);
  g_object_set(queue, "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time", static_cast<guint64>(5 * GST_SECOND), nullptr);
  g_object_set(sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, "max-buffers", 0u, nullptr);
  gst_bin_add_many(GST_BIN(pipeline), queue, sink, nullptr);
  gst_element_link(queue, sink);
  GstAppSinkCallbacks cbs{};
  cbs.new_sample = [](GstAppSink* s, gpointer w) {
    if (GstSample* sample = gst_app_sink_pull_sample(s)) {
      static_cast<SegmentWriter*>(w)->push(sample);
      gst_sample_unref(sample);
    }
    return GST_FLOW_OK;
  };
  // End of a file (also before each loop): the run ends with it, its last segment is closed.
  cbs.eos = [](GstAppSink*, gpointer w) { static_cast<SegmentWriter*>(w)->finish(); };
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cbs, writer, nullptr);
  gst_element_sync_state_with_parent(queue);
  gst_element_sync_state_with_parent(sink);
  *queueOut = queue;
  return sink;
}

GstPad* requestTeePad(GstElement* tee, GstElement* next) {
  GstElement* queue = gst_element_factory_make("queue", nullptr);
  g_object_set(queue, "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time", static_cast<guint64>(2 * GST_SECOND), nullptr);
  GstBin* bin = GST_BIN(gst_element_get_parent(tee));
  gst_bin_add(bin, queue);
  gst_object_unref(bin);
  gst_element_sync_state_with_parent(queue);
  gst_element_link(tee, queue);
  if (next) {
    gst_element_link(queue, next);
    return nullptr;
  }
  return gst_element_get_static_pad(queue, "src");
}

}  // namespace

SegmentWriter::SegmentWriter(std::string camera, RecordOptions options, std::function<int64_t(double)> wallOf,
                             std::function<void(SegmentInfo&&)> onSegment, std::function<void(const std::string&)> onError)
    : camera_(std::move(camera)),
      options_(std::move(options)),
      wallOf_(std::move(wallOf)),
      onSegment_(std::move(onSegment)),
      onError_(std::move(onError)) {
  g_mkdir_with_parents(options_.dir.c_str(), 0755);
}

SegmentWriter::~SegmentWriter() {
  finish();
  if (caps_) gst_caps_unref(caps_);
}

std::string SegmentWriter::nextLocation() {
  // Named by the wall time the file opens (UTC), e.g. 20261202T073015.123Z.mp4; unique within the folder.
  const int64_t ms = nowMs();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
  char name[64];
  std::snprintf(name, sizeof name, "%s.%03dZ", stamp, static_cast<int>(ms % 1000));
  std::string path = options_.dir + "/" + name + ".mp4";
  for (int n = 1; g_file_test(path.c_str(), G_FILE_TEST_EXISTS); ++n) path = options_.dir + "/" + name + "-" + std::to_string(n) + ".mp4";
  return path;
}

gchar* SegmentWriter::formatLocation(GstElement*, guint, gpointer self) {
  return g_strdup(static_cast<SegmentWriter*>(self)->nextLocation().c_str());
}

bool SegmentWriter::startRun(GstCaps* caps, std::string* error) {
  std::string codec;
  if (!isH26x(caps, &codec)) {
    *error = "the recording tap delivered neither H.264 nor H.265";
    return false;
  }
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  gst_structure_get_int(s, "width", &width_);
  gst_structure_get_int(s, "height", &height_);
  codec_ = codec;
  GstElement* pipeline = gst_pipeline_new((camera_ + "-record").c_str());
  GstElement* src = gst_element_factory_make("appsrc", recordingElementName("recsrc").c_str());  // its thread: "recsrcN:src"
  const bool needParse = !muxReady(caps);
  GstElement* parse = needParse ? gst_element_factory_make(codec == "h264" ? "h264parse" : "h265parse", nullptr) : nullptr;
  GstElement* split = gst_element_factory_make("splitmuxsink", nullptr);
  if (!src || (needParse && !parse) || !split) {
    for (GstElement* e : {src, parse, split})
      if (e) gst_object_unref(gst_object_ref_sink(e));
    gst_object_unref(pipeline);
    *error =
        "the recording elements (appsrc, " + codec + "parse, splitmuxsink) are missing — install gstreamer1.0-plugins-base, -good and -bad";
    return false;
  }
  g_object_set(src, "caps", caps, "format", GST_FORMAT_TIME, "is-live", FALSE, "max-bytes", static_cast<guint64>(64 << 20), "block", FALSE,
               nullptr);
  GstStructure* muxProps =
      gst_structure_new("properties", "fragment-duration", G_TYPE_UINT, static_cast<guint>(options_.fragmentMs), nullptr);
  g_object_set(split, "max-size-time", static_cast<guint64>(options_.segmentSeconds * GST_SECOND), "async-finalize", TRUE, "muxer-factory",
               "mp4mux", "muxer-properties", muxProps, nullptr);
  gst_structure_free(muxProps);
  g_signal_connect(split, "format-location", G_CALLBACK(formatLocation), this);
  gst_bin_add_many(GST_BIN(pipeline), src, split, nullptr);
  if (parse) gst_bin_add(GST_BIN(pipeline), parse);
  if (!(parse ? gst_element_link_many(src, parse, split, nullptr) : gst_element_link(src, split))) {
    gst_object_unref(pipeline);
    *error = "cannot link the recording pipeline for " + codec;
    return false;
  }
  GstBus* bus = gst_element_get_bus(pipeline);
  gst_bus_set_sync_handler(bus, busHandler, this, nullptr);
  gst_object_unref(bus);
  {
    std::lock_guard lock(segMu_);
    eosSeen_ = false;
    ending_ = false;
    keyframes_.clear();
    closed_.clear();
    writtenEnd_ = GST_CLOCK_TIME_NONE;
  }
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    *error = "the recording pipeline cannot start (is " + options_.dir + " writable?)";
    return false;
  }
  pipeline_ = pipeline;
  appsrc_ = src;
  return true;
}

void SegmentWriter::push(GstSample* sample) {
  GstBuffer* buf = gst_sample_get_buffer(sample);
  GstCaps* caps = gst_sample_get_caps(sample);
  if (!buf || !caps) return;
  std::lock_guard lock(mu_);
  if (failed_) return;
  const GstClockTime pts = GST_BUFFER_PTS(buf);
  const GstClockTime dts = GST_BUFFER_DTS_IS_VALID(buf) ? GST_BUFFER_DTS(buf) : pts;
  if (!GST_CLOCK_TIME_IS_VALID(pts)) return;
  const bool keyframe = !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
  // Time going back (a loop without an end-of-stream) or new caps: a new run.
  if (pipeline_ && ((GST_CLOCK_TIME_IS_VALID(lastPts_) && pts + GST_SECOND < lastPts_) || !gst_caps_is_equal(caps, caps_))) stopRun();
  if (!pipeline_) {
    if (!keyframe) return;  // a run starts at a keyframe
    std::string error;
    if (!startRun(caps, &error)) {
      failed_ = true;
      if (onError_) onError_("recording stopped: " + error);
      return;
    }
    if (caps_) gst_caps_unref(caps_);
    caps_ = gst_caps_ref(caps);
    base_ = std::min(pts, dts);
  }
  if (dts < base_ || pts < base_) return;  // before the run's first access unit (reordered frames of the previous GOP)
  lastPts_ = pts;
  GstBuffer* out = gst_buffer_copy(buf);  // shares the memory; own timestamps
  GST_BUFFER_PTS(out) = pts - base_;
  GST_BUFFER_DTS(out) = dts - base_;
  {
    // The end of what was written (the last segment of a run closes at its end-of-stream, whose
    // running time splitmuxsink does not advance).
    const GstClockTime end = pts - base_ + (GST_BUFFER_DURATION_IS_VALID(buf) ? GST_BUFFER_DURATION(buf) : 0);
    std::lock_guard seg(segMu_);
    if (!GST_CLOCK_TIME_IS_VALID(writtenEnd_) || end > writtenEnd_) writtenEnd_ = end;
  }
  if (keyframe) {
    // The clock's stream time is the decoded frames' pts: the tap's own pts when it passes the
    // source's stream through; for an encoded stream the running time (an encoder may offset its
    // timestamps, as x264enc does by 1000 h, which its segment undoes; the raw frames' running time is their pts).
    GstClockTime streamPts = pts;
    const GstSegment* segment = gst_sample_get_segment(sample);
    if (encoded_ && segment && segment->format == GST_FORMAT_TIME) {
      const GstClockTime rt = gst_segment_to_running_time(segment, GST_FORMAT_TIME, pts);
      if (GST_CLOCK_TIME_IS_VALID(rt)) streamPts = rt;
    }
    // Each file starts at media time 0 = its first keyframe's DTS (the frame itself shows at its PTS,
    // later when the stream reorders frames): the segment's clock is anchored there.
    const GstClockTime reorder = pts > dts ? pts - dts : 0;
    std::lock_guard seg(segMu_);
    keyframes_.emplace_back(pts - base_, streamPts >= reorder ? streamPts - reorder : 0);
    while (keyframes_.size() > 64) keyframes_.pop_front();
  }
  if (gst_app_src_push_buffer(GST_APP_SRC(appsrc_), out) != GST_FLOW_OK) {
    failed_ = true;
    if (onError_) onError_("recording stopped: the recording pipeline refused data");
  }
}

void SegmentWriter::finish() {
  std::lock_guard lock(mu_);
  stopRun();
}

void SegmentWriter::stopRun() {
  if (!pipeline_) return;
  {
    std::lock_guard seg(segMu_);
    ending_ = true;
  }
  gst_app_src_end_of_stream(GST_APP_SRC(appsrc_));
  {
    std::unique_lock seg(segMu_);
    eos_.wait_for(seg, std::chrono::seconds(10), [this] { return eosSeen_; });
  }
  gst_element_set_state(pipeline_, GST_STATE_NULL);
  gst_object_unref(pipeline_);
  pipeline_ = nullptr;
  finishClosed();  // the run's last segment ends with what was written
  appsrc_ = nullptr;
  lastPts_ = GST_CLOCK_TIME_NONE;
  std::lock_guard seg(segMu_);
  open_.clear();
}

GstBusSyncReply SegmentWriter::busHandler(GstBus*, GstMessage* m, gpointer self) {
  static_cast<SegmentWriter*>(self)->onMessage(m);
  return GST_BUS_DROP;
}

void SegmentWriter::onMessage(GstMessage* m) {
  switch (GST_MESSAGE_TYPE(m)) {
    case GST_MESSAGE_EOS: {
      std::lock_guard seg(segMu_);
      eosSeen_ = true;
      eos_.notify_all();
      return;
    }
    case GST_MESSAGE_ERROR: {
      GError* err = nullptr;
      gst_message_parse_error(m, &err, nullptr);
      const std::string what = err ? err->message : "unknown error";
      if (err) g_error_free(err);
      if (onError_) onError_("recording failed: " + what + " — check that " + options_.dir + " is writable and the disk has room");
      std::lock_guard seg(segMu_);
      eosSeen_ = true;  // nothing more will come
      eos_.notify_all();
      return;
    }
    case GST_MESSAGE_ELEMENT:
      break;
    default:
      return;
  }
  const GstStructure* s = gst_message_get_structure(m);
  if (!s) return;
  const bool opened = gst_structure_has_name(s, "splitmuxsink-fragment-opened");
  const bool closed = gst_structure_has_name(s, "splitmuxsink-fragment-closed");
  if (!opened && !closed) return;
  const char* location = gst_structure_get_string(s, "location");
  guint64 rt = 0;
  if (!location || !gst_structure_get_uint64(s, "running-time", &rt)) return;
  std::vector<std::pair<std::string, OpenSegment>> done;  // closed, with their end known: reported below
  {
    std::lock_guard seg(segMu_);
    if (opened) {
      // The segment starts with the keyframe shown at this running time (splitmuxsink counts a
      // keyframe's PTS): the stream time of its DTS is the file's media time 0.
      OpenSegment o;
      o.openRunningTime = rt;
      GstClockTime best = GST_CLOCK_TIME_NONE;
      for (const auto& [krt, kpts] : keyframes_) {
        const GstClockTime d = krt > rt ? krt - rt : rt - krt;
        if (!GST_CLOCK_TIME_IS_VALID(best) || d < best) {
          best = d;
          o.startPts = static_cast<double>(kpts) / GST_SECOND;
        }
      }
      open_[location] = o;
      // A segment that was cut ends where the next one opens (its closing message may come earlier
      // or later, with the running time of whatever was queued meanwhile).
      for (auto it = closed_.begin(); it != closed_.end();) {
        if (it->second.openRunningTime < rt) {
          it->second.endRunningTime = rt;
          done.push_back(*it);
          it = closed_.erase(it);
        } else {
          ++it;
        }
      }
    } else {
      auto it = open_.find(location);
      if (it == open_.end()) return;
      OpenSegment o = it->second;
      open_.erase(it);
      bool later = false;  // a segment opened after this one already: this one ends there
      for (const auto& [path, other] : open_)
        if (other.openRunningTime > o.openRunningTime && (!later || other.openRunningTime < o.endRunningTime)) {
          o.endRunningTime = other.openRunningTime;
          later = true;
        }
      if (later)
        done.emplace_back(location, o);
      else
        closed_.emplace_back(location, o);  // ends at the next opening, or at the run's end (finishClosed)
    }
  }
  for (auto& [path, o] : done) report(path, o);
}

void SegmentWriter::finishClosed() {
  std::vector<std::pair<std::string, OpenSegment>> done;
  {
    std::lock_guard seg(segMu_);
    for (auto& [path, o] : closed_) {
      o.endRunningTime = writtenEnd_;
      done.emplace_back(path, o);
    }
    closed_.clear();
  }
  for (auto& [path, o] : done) report(path, o);
}

void SegmentWriter::report(const std::string& location, const OpenSegment& o) {
  SegmentInfo info;
  info.camera = camera_;
  info.path = location;
  info.codec = codec_;
  info.width = width_;
  info.height = height_;
  info.encoded = encoded_;
  info.startPts = o.startPts;
  const GstClockTime end = o.endRunningTime;
  info.durationSeconds =
      GST_CLOCK_TIME_IS_VALID(end) && end > o.openRunningTime ? static_cast<double>(end - o.openRunningTime) / GST_SECOND : 0;
  // Anchored at the segment's middle: its frames' wall times fit best there (a file's first frames
  // are decoded before its clock runs; a live stream drifts slowly).
  const double half = info.durationSeconds / 2;
  info.startMs = wallOf_ ? wallOf_(o.startPts + half) - static_cast<int64_t>(std::llround(half * 1000)) : nowMs();
  info.endMs = info.startMs + static_cast<int64_t>(std::llround(info.durationSeconds * 1000));
  info.bytes = fileBytes(location);
  if (onSegment_) onSegment_(std::move(info));
}

void linkParsedPad(GstElement* pipeline, GstPad* pad, GstElement* decoder, SegmentWriter* writer, bool* encodeDecoded) {
  GstCaps* caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, nullptr);
  const bool video =
      caps && gst_caps_get_size(caps) > 0 && g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "video/");
  const bool h26x = video && isH26x(caps, nullptr);
  if (caps) gst_caps_unref(caps);
  GstPad* decoderSink = gst_element_get_static_pad(decoder, "sink");
  const bool taken = gst_pad_is_linked(decoderSink);
  if (!video || taken) {  // audio, data, a second video stream: consumed, not recorded
    GstElement* sink = gst_element_factory_make("fakesink", nullptr);
    g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
    gst_bin_add(GST_BIN(pipeline), sink);
    gst_element_sync_state_with_parent(sink);
    GstPad* in = gst_element_get_static_pad(sink, "sink");
    gst_pad_link(pad, in);
    gst_object_unref(in);
    gst_object_unref(decoderSink);
    return;
  }
  if (!h26x || !writer) {
    *encodeDecoded = writer != nullptr;
    if (writer) writer->setEncoded(true);
    gst_pad_link(pad, decoderSink);
    gst_object_unref(decoderSink);
    return;
  }
  gst_object_unref(decoderSink);
  GstElement* tee = gst_element_factory_make("tee", nullptr);
  gst_bin_add(GST_BIN(pipeline), tee);
  gst_element_sync_state_with_parent(tee);
  GstElement* tapQueue = nullptr;
  makeTap(pipeline, writer, &tapQueue);
  gst_element_link(tee, tapQueue);
  requestTeePad(tee, decoder);
  GstPad* in = gst_element_get_static_pad(tee, "sink");
  gst_pad_link(pad, in);
  gst_object_unref(in);
}

GstPad* encodeTee(GstElement* pipeline, GstPad* pad, SegmentWriter* writer) {
  GstElement* tee = gst_element_factory_make("tee", nullptr);
  GstElement* queue = gst_element_factory_make("queue", nullptr);
  GstElement* convert = gst_element_factory_make("videoconvert", nullptr);
  GstElement* encoder = gst_element_factory_make("nvh264enc", nullptr);
  const bool nvenc = encoder != nullptr;
  if (!encoder) encoder = gst_element_factory_make("x264enc", nullptr);
  GstElement* parse = gst_element_factory_make("h264parse", nullptr);
  if (!tee || !queue || !convert || !encoder || !parse) {
    for (GstElement* e : {tee, queue, convert, encoder, parse})
      if (e) gst_object_unref(gst_object_ref_sink(e));
    return nullptr;
  }
  if (nvenc) {
    gst_util_set_object_arg(G_OBJECT(encoder), "preset", "low-latency-hq");
    g_object_set(encoder, "gop-size", 60, nullptr);
  } else {
    gst_util_set_object_arg(G_OBJECT(encoder), "tune", "zerolatency");
    gst_util_set_object_arg(G_OBJECT(encoder), "speed-preset", "veryfast");
    g_object_set(encoder, "key-int-max", 60u, nullptr);
  }
  g_object_set(queue, "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time", static_cast<guint64>(2 * GST_SECOND), nullptr);
  gst_bin_add_many(GST_BIN(pipeline), tee, queue, convert, encoder, parse, nullptr);
  gst_element_link_many(tee, queue, convert, encoder, parse, nullptr);
  GstElement* tapQueue = nullptr;
  makeTap(pipeline, writer, &tapQueue);
  gst_element_link(parse, tapQueue);
  for (GstElement* e : {tee, queue, convert, encoder, parse}) gst_element_sync_state_with_parent(e);
  writer->setEncoded(true);
  GstPad* in = gst_element_get_static_pad(tee, "sink");
  gst_pad_link(pad, in);
  gst_object_unref(in);
  return requestTeePad(tee, nullptr);
}

RecordingProbe probeRecording(const std::string& path, int timeoutMs) {
  RecordingProbe r;
  if (!g_file_test(path.c_str(), G_FILE_TEST_IS_REGULAR)) {
    r.error = path + ": no such file";
    return r;
  }
  GstElement* pipeline = gst_pipeline_new("probe-recording");
  GstElement* src = gst_element_factory_make("filesrc", nullptr);
  GstElement* demux = gst_element_factory_make("qtdemux", nullptr);
  GstElement* sink = gst_element_factory_make("fakesink", nullptr);
  g_object_set(src, "location", path.c_str(), nullptr);
  g_object_set(sink, "sync", FALSE, nullptr);
  gst_bin_add_many(GST_BIN(pipeline), src, demux, sink, nullptr);
  gst_element_link(src, demux);
  struct Tally {
    GstElement* sink = nullptr;
    GstClockTime end = 0;
    bool any = false;
    std::string codec;
    int width = 0, height = 0;
    std::mutex mu;
  } tally;
  tally.sink = sink;
  g_signal_connect(demux, "pad-added", G_CALLBACK(+[](GstElement*, GstPad* pad, gpointer t) {
                     auto* tl = static_cast<Tally*>(t);
                     GstCaps* caps = gst_pad_query_caps(pad, nullptr);
                     std::string codec;
                     const bool h26x = isH26x(caps, &codec);
                     if (h26x) {
                       std::lock_guard lock(tl->mu);
                       tl->codec = codec;
                       const GstStructure* s = gst_caps_get_structure(caps, 0);
                       gst_structure_get_int(s, "width", &tl->width);
                       gst_structure_get_int(s, "height", &tl->height);
                     }
                     if (caps) gst_caps_unref(caps);
                     GstPad* in = gst_element_get_static_pad(tl->sink, "sink");
                     if (h26x && !gst_pad_is_linked(in)) gst_pad_link(pad, in);
                     gst_object_unref(in);
                   }),
                   &tally);
  GstPad* sinkPad = gst_element_get_static_pad(sink, "sink");
  gst_pad_add_probe(
      sinkPad, GST_PAD_PROBE_TYPE_BUFFER,
      +[](GstPad*, GstPadProbeInfo* info, gpointer t) {
        auto* tl = static_cast<Tally*>(t);
        GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
        if (b && GST_BUFFER_PTS_IS_VALID(b)) {
          const GstClockTime end = GST_BUFFER_PTS(b) + (GST_BUFFER_DURATION_IS_VALID(b) ? GST_BUFFER_DURATION(b) : 0);
          std::lock_guard lock(tl->mu);
          tl->end = std::max(tl->end, end);
          tl->any = true;
        }
        return GST_PAD_PROBE_OK;
      },
      &tally, nullptr);
  gst_object_unref(sinkPad);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* m = gst_bus_timed_pop_filtered(bus, static_cast<GstClockTime>(timeoutMs) * GST_MSECOND,
                                             static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
  std::string error;
  if (!m)
    error = "timed out after " + std::to_string(timeoutMs) + " ms";
  else if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
    GError* err = nullptr;
    gst_message_parse_error(m, &err, nullptr);
    error = err ? err->message : "unknown error";
    if (err) g_error_free(err);
  }
  if (m) gst_message_unref(m);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  std::lock_guard lock(tally.mu);
  // A file cut short by a crash may end in an error after its last whole fragment: what played counts.
  r.ok = tally.any;
  r.durationSeconds = static_cast<double>(tally.end) / GST_SECOND;
  r.codec = tally.codec;
  r.width = tally.width;
  r.height = tally.height;
  if (!r.ok) r.error = path + ": not a playable H.264/H.265 MP4" + (error.empty() ? "" : " (" + error + ")");
  return r;
}

}  // namespace vigil::sources
