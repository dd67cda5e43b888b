// A source: its head (source/heads.h) and the one decode branch (source/decode.h) in a pipeline per
// connection attempt, the bus loop that notices errors, stalls and the end, and the supervisor that
// loops files and reconnects live sources.
#include "source.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "engine_info.h"
#include "source/decode.h"
#include "source/heads.h"
#include "source/record.h"

namespace vigil {

namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

const char* sourceStateName(SourceState s) {
  switch (s) {
    case SourceState::Connecting:
      return "connecting";
    case SourceState::Live:
      return "live";
    case SourceState::Reconnecting:
      return "reconnecting";
    case SourceState::Ended:
      return "ended";
    case SourceState::Error:
      return "error";
  }
  return "error";
}

void hostCopy(const Frame& frame, OwnedImage* out) {
  if (!frame.image.onDevice) {
    copyImage(frame.image, out);
    return;
  }
  if (!frame.download) throw std::runtime_error("a GPU frame without a way back to the host");
  frame.download(out);
}

struct Source::Pipeline {
  GstElement* pipeline = nullptr;
  GstElement* convert = nullptr;  // where decoded pads link
  ~Pipeline() {
    if (pipeline) {
      gst_element_set_state(pipeline, GST_STATE_NULL);
      gst_object_unref(pipeline);
    }
  }
};

Source::Source(std::string id, std::string uri, SourceOptions options, SourceCallbacks callbacks)
    : id_(std::move(id)), uri_(std::move(uri)), options_(options), callbacks_(std::move(callbacks)) {
  std::string err;
  if (!ensureGstreamer(&err)) throw std::runtime_error(err);
  kind_ = classifyUri(uri_);
  head_ = sources::makeSourceHead(id_, uri_, kind_, options_);
  if (options_.frameInterval < 1) options_.frameInterval = 1;
  sources::preferHardwareDecoders();
}

Source::~Source() { stop(); }

void Source::start() {
  thread_ = std::thread([this] { supervise(); });
}

void Source::stop() {
  stop_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Source::sleepInterruptible(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [this] { return stop_.load(); });
  return !stop_;
}

void Source::emitState(SourceState s) {
  if (callbacks_.onState) callbacks_.onState(s);
}

std::string Source::describeError(const std::string& msg, const std::string& debug, int code) const {
  std::string hint;
  std::string lower = msg + " " + debug;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower.find("unauthori") != std::string::npos || lower.find("401") != std::string::npos)
    hint = "check the user name and password in the URI";
  else if (lower.find("missing a plug-in") != std::string::npos || lower.find("no decoder") != std::string::npos ||
           lower.find("codec") != std::string::npos)
    hint = "no decoder for this codec is installed — install gstreamer1.0-libav or gstreamer1.0-plugins-bad/ugly";
  else if (lower.find("not found") != std::string::npos || lower.find("no such file") != std::string::npos)
    hint = kind_.scheme == "file" ? "check that the file exists" : "check the address";
  else if (lower.find("could not connect") != std::string::npos || lower.find("could not open") != std::string::npos ||
           lower.find("timeout") != std::string::npos || lower.find("timed out") != std::string::npos ||
           (kind_.live && (lower.find("could not read") != std::string::npos || lower.find("connection") != std::string::npos)))
    hint = kind_.live ? "check that the camera is reachable from this machine" : "check the path and permissions";
  else if (lower.find("demux") != std::string::npos || lower.find("decode") != std::string::npos ||
           lower.find("stream") != std::string::npos || lower.find("type") != std::string::npos)
    hint = "the media looks corrupt, truncated or in an unsupported container";
  else
    hint = "check the source";
  (void)code;
  return "camera '" + id_ + "': " + redactUri(uri_) + ": " + msg + " — " + hint;
}

void Source::supervise() {
  int failures = 0;
  emitState(SourceState::Connecting);
  while (!stop_) {
    std::string error;
    const bool refusedBefore = deviceFramesRefused_;
    bool ok = runOnce(&error);
    if (stop_) break;
    if (!ok && deviceFramesRefused_ && !refusedBefore) continue;  // at once, with host frames
    if (ok) {                                                     // ended (file without loop)
      emitState(SourceState::Ended);
      break;
    }
    if (!kind_.live) {
      emitState(SourceState::Error);
      if (callbacks_.onError) callbacks_.onError(error);
      break;
    }
    // Live sources come back by themselves: reconnect with exponential backoff, 1 s … 30 s.
    if (decoded_ > 0) failures = 0;
    if (options_.maxRetries >= 0 && failures >= options_.maxRetries) {
      emitState(SourceState::Error);
      if (callbacks_.onError) callbacks_.onError(error + " (gave up after " + std::to_string(failures + 1) + " attempts)");
      break;
    }
    decoded_ = 0;
    int backoff = std::min(30, 1 << std::min(failures, 5));
    ++failures;
    emitState(SourceState::Reconnecting);
    if (callbacks_.onError) callbacks_.onError(error + " (reconnecting in " + std::to_string(backoff) + " s)");
    if (!sleepInterruptible(std::chrono::seconds(backoff))) break;
  }
}

int Source::onSample(GstAppSink* appsink) {
  GstSample* sample = gst_app_sink_pull_sample(appsink);
  if (!sample) return GST_FLOW_EOS;
  if (stop_) {
    gst_sample_unref(sample);
    return GST_FLOW_FLUSHING;
  }
  const int64_t n = decoded_++;
  lastFrameMs_ = nowMs();
  if (options_.record.enabled()) {
    GstBuffer* b = gst_sample_get_buffer(sample);
    if (b && GST_BUFFER_PTS_IS_VALID(b)) {
      const double pts = static_cast<double>(GST_BUFFER_PTS(b)) / GST_SECOND;
      std::lock_guard lock(anchorMu_);
      if (!anchors_.empty() && pts < anchors_.back().first - 1.0) anchors_.clear();  // a loop: stream time starts again
      anchors_.emplace_back(pts, lastFrameMs_);
      while (anchors_.size() > 1024) anchors_.pop_front();
    }
  }
  if (n == 0) emitState(SourceState::Live);
  if (n % options_.frameInterval != 0) {
    gst_sample_unref(sample);
    return GST_FLOW_OK;
  }
  Frame f;
  const bool mapped = sources::frameFromSample(sample, &f);
  gst_sample_unref(sample);
  if (!mapped) return GST_FLOW_OK;
  f.seq = seq_++;
  f.wallMs = lastFrameMs_;
  f.decodedAt = std::chrono::steady_clock::now();
  if (callbacks_.onFrame) callbacks_.onFrame(std::move(f));
  return GST_FLOW_OK;
}

int64_t Source::wallOf(double pts) {
  // The recording runs ahead of decoding (files: by the decode queue): wait, a few seconds at most,
  // until the frame at `pts` has been decoded, so its own wall time anchors the segment.
  for (int waited = 0; waited < 3000 && !stop_ && decoding_; waited += 10) {
    {
      std::lock_guard lock(anchorMu_);
      if (!anchors_.empty() && anchors_.back().first >= pts) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard lock(anchorMu_);
  if (anchors_.empty()) return nowMs();
  // The decoded frame nearest in stream time (exact for the segment's own first frames while they are
  // still in the history: 1024 frames), extrapolated linearly from there.
  auto best = anchors_.back();
  for (const auto& a : anchors_)
    if (std::abs(a.first - pts) < std::abs(best.first - pts)) best = a;
  return best.second + static_cast<int64_t>(std::llround((pts - best.first) * 1000));
}

bool Source::runOnce(std::string* error) {
  Pipeline p;
  // Recording: one writer per connection attempt (a reconnect starts new segments).
  std::unique_ptr<sources::SegmentWriter> writer;
  if (options_.record.enabled()) {
    {
      std::lock_guard lock(anchorMu_);
      anchors_.clear();
    }
    writer = std::make_unique<sources::SegmentWriter>(
        id_, options_.record, [this](double pts) { return wallOf(pts); }, callbacks_.onSegment,
        [this](const std::string& m) {
          if (callbacks_.onError) callbacks_.onError("camera '" + id_ + "': " + m);
        });
  }
  p.pipeline = gst_pipeline_new(id_.c_str());
  sources::HeadOutput head;
  if (!head_->build(p.pipeline, &head, error)) return false;
  sources::DecodeOptions decode;
  decode.dropStale = kind_.live || options_.realtime;
  decode.sync = kind_.scheme != "test" && !kind_.live && options_.realtime;
  decode.deviceFrames = options_.deviceFrames && !deviceFramesRefused_;
  sources::DecodeBranch branch;  // outlives the pipeline's streaming (stopped below)
  branch.recorder = writer.get();
  sources::buildDecodeBranch(p.pipeline, head, decode, &branch);

  GstAppSinkCallbacks cbs{};
  cbs.new_sample = [](GstAppSink* appsink, gpointer self) {
    return static_cast<GstFlowReturn>(static_cast<Source*>(self)->onSample(appsink));
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(branch.sink), &cbs, this, nullptr);

  GstBus* bus = gst_element_get_bus(p.pipeline);
  auto unrefBus = std::shared_ptr<GstBus>(bus, [](GstBus* b) { gst_object_unref(b); });
  sources::shareGpuContext(bus);
  if (gst_element_set_state(p.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The bus usually holds the reason.
    if (GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)) {
      GError* err = nullptr;
      gchar* dbg = nullptr;
      gst_message_parse_error(m, &err, &dbg);
      *error = describeError(err ? err->message : "cannot start", dbg ? dbg : "", err ? err->code : 0);
      if (err) g_error_free(err);
      g_free(dbg);
      gst_message_unref(m);
    } else {
      *error = describeError("the pipeline cannot start", "", 0);
    }
    gst_element_set_state(p.pipeline, GST_STATE_NULL);
    return false;
  }
  lastFrameMs_ = nowMs();
  decoding_ = true;
  const int64_t startMs = lastFrameMs_;
  bool ok = true;
  while (!stop_) {
    GstMessage* m = gst_bus_timed_pop_filtered(bus, 100 * GST_MSECOND, static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
    if (!m) {
      // A live source that stops sending is as good as gone: reconnect.
      if (kind_.live && nowMs() - lastFrameMs_ > options_.stallSeconds * 1000LL) {
        *error = describeError(decoded_ > 0 ? "no frames for " + std::to_string(options_.stallSeconds) + " s"
                                            : "no video within " + std::to_string(options_.stallSeconds) + " s (timed out)",
                               "", 0);
        ok = false;
        break;
      }
      if (!kind_.live && decoded_ == 0 && nowMs() - startMs > 30000) {
        *error = describeError("no video frame decoded within 30 s (timed out)", "", 0);
        ok = false;
        break;
      }
      continue;
    }
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
      GError* err = nullptr;
      gchar* dbg = nullptr;
      gst_message_parse_error(m, &err, &dbg);
      *error = describeError(err ? err->message : "unknown error", dbg ? dbg : "", err ? err->code : 0);
      // NVDEC output that is not NV12 (10-bit streams decode to P010): retry with host frames.
      if (branch.deviceLinked && decoded_ == 0 && dbg && std::strstr(dbg, "not-negotiated")) {
        deviceFramesRefused_ = true;
        *error = "retry with host frames";
      }
      if (err) g_error_free(err);
      g_free(dbg);
      gst_message_unref(m);
      ok = false;
      break;
    }
    gst_message_unref(m);  // EOS
    if (decoded_ == 0) {
      *error = describeError("the stream ended without a video frame (no video track, or the file is empty/truncated)", "", 0);
      ok = false;
      break;
    }
    if (options_.loop && !kind_.live) {
      if (!gst_element_seek_simple(p.pipeline, GST_FORMAT_TIME, static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT),
                                   0)) {
        *error = describeError("cannot seek back to the start to loop", "", 0);
        ok = false;
        break;
      }
      continue;
    }
    if (kind_.live) {
      *error = describeError("the stream ended", "", 0);
      ok = false;
    }
    break;
  }
  // Stop the streaming threads before the contexts they use go out of scope.
  gst_element_set_state(p.pipeline, GST_STATE_NULL);
  decoding_ = false;
  if (writer) writer->finish();  // the open segment is closed and reported
  return ok;
}

}  // namespace vigil
