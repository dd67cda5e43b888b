#pragma once
// One GStreamer pipeline per source: a head per kind (source/heads.h) → the one decode branch
// (source/decode.h) → frames on the source's own streaming thread, with a supervisor thread that
// watches the bus, loops files and reconnects live sources.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "image.h"

struct _GstAppSink;

namespace vigil {

namespace sources {
class SourceHead;
}

struct Frame {
  int64_t seq = 0;     // per-source sequence number of delivered frames
  double pts = 0;      // stream time, seconds
  int64_t wallMs = 0;  // wall clock at decode, ms since the epoch
  std::chrono::steady_clock::time_point decodedAt;
  Image image;                 // host planes, or NVDEC's NV12 planes in GPU memory (image.onDevice)
  std::shared_ptr<void> hold;  // keeps the decoded buffer mapped while the frame is in use
  // Frames in GPU memory: copies the pixels to the host (I420). Null for host frames.
  std::function<void(OwnedImage*)> download;
};

// The frame's pixels in host memory (I420 or RGB), whether it was decoded to the host or the GPU:
// what previews and snapshots read. Throws std::runtime_error when a GPU frame cannot be read back.
void hostCopy(const Frame& frame, OwnedImage* out);

// Video recording of a source (issue 16): the compressed stream as it arrives, in fragmented MP4
// segments cut at keyframes (source/record.h). Not H.264/H.265: encoded (NVENC, else x264).
struct RecordOptions {
  std::string dir;             // folder of this source's segments (created if missing); empty: not recorded
  double segmentSeconds = 60;  // a segment closes at the first keyframe after this long
  int fragmentMs = 1000;       // MP4 fragment length: a killed engine loses at most this much
  bool enabled() const { return !dir.empty(); }
};

// A closed segment. One clock: media time t of the file is stream time (a frame's pts) startPts + t
// and wall time startMs + 1000 t (the decode time of that frame). Media time 0 is the first keyframe's
// decode timestamp: with reordered (B-) frames the first picture shows a few frames after 0.
struct SegmentInfo {
  std::string camera, path, codec;  // codec: "h264" or "h265"
  int64_t startMs = 0, endMs = 0;
  double startPts = 0, durationSeconds = 0;
  int64_t bytes = 0;
  int width = 0, height = 0;
  bool encoded = false;  // the source was not H.264/H.265: encoded for recording
};

struct SourceOptions {
  bool loop = false;      // files: start again at the end
  bool realtime = false;  // files: play at the stream's rate (true) or as fast as possible
  std::string transport;  // rtsp: "tcp" or "udp" (default: rtspsrc's choice)
  int frameInterval = 1;  // deliver every Nth decoded frame (DeepStream drop-frame-interval)
  double detectFps = 0;   // at most this many frames per second of stream time go to inference (0: all)
  // Motion gating: no inference while the picture is still (sensitivity 1..100, motion/motion.h; 0: off).
  int motionSensitivity = 0;
  int stallSeconds = 10;  // live: no frame for this long → reconnect
  int maxRetries = -1;    // live: reconnect attempts in a row before giving up (-1: forever)
  // NVDEC: hand frames over in CUDA memory (NV12, the device's primary context) instead of copying
  // them to the host. Only for consumers that read device frames (the CUDA pre-processing); other
  // decoders still deliver host frames. VIGIL_DEVICE_FRAMES=0 turns it off.
  bool deviceFrames = false;
  RecordOptions record;
};

enum class SourceState { Connecting, Live, Reconnecting, Ended, Error };
const char* sourceStateName(SourceState s);

struct SourceCallbacks {
  // Called on the streaming thread; may block (backpressure for files played as fast as possible).
  std::function<void(Frame&&)> onFrame;
  std::function<void(const std::string& message)> onError;
  std::function<void(SourceState)> onState;
  // A recording segment closed (recording sources only); may be called from GStreamer threads.
  std::function<void(SegmentInfo&&)> onSegment;
};

// What a URI means to the engine; throws std::runtime_error for an unknown or malformed URI.
struct SourceKind {
  std::string scheme;
  bool live = false;
};
SourceKind classifyUri(const std::string& uri);
// The URI with any password replaced by ***, for messages.
std::string redactUri(const std::string& uri);

class Source {
 public:
  // Throws std::runtime_error for a URI the engine cannot handle (unknown scheme, bad parameters).
  Source(std::string id, std::string uri, SourceOptions options, SourceCallbacks callbacks);
  ~Source();
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;

  void start();
  void stop();  // idempotent; returns when the pipeline is down
  bool live() const { return kind_.live; }
  const std::string& id() const { return id_; }
  const std::string& uri() const { return uri_; }
  bool stopping() const { return stop_; }

 private:
  struct Pipeline;
  void supervise();
  bool runOnce(std::string* error);    // false: failed with *error; true: ended or stopped
  int onSample(_GstAppSink* appsink);  // the appsink's new-sample callback (a GstFlowReturn)
  void emitState(SourceState s);
  std::string describeError(const std::string& gstMessage, const std::string& debug, int domainCode) const;
  bool sleepInterruptible(std::chrono::milliseconds d);

  std::string id_, uri_;
  SourceOptions options_;
  SourceCallbacks callbacks_;
  SourceKind kind_;
  std::unique_ptr<sources::SourceHead> head_;  // what this kind builds before the decode branch
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<int64_t> seq_{0};
  std::atomic<int64_t> decoded_{0};
  std::atomic<int64_t> lastFrameMs_{0};
  // Stream time ↔ wall time of the newest decoded frame: the recording's clock (one clock with the
  // frames' pts and wallMs).
  // Recent decoded frames (pts, wallMs), newest last; a segment takes the one nearest its start.
  std::mutex anchorMu_;
  std::deque<std::pair<double, int64_t>> anchors_;
  std::atomic<bool> decoding_{false};  // this connection's pipeline runs (wallOf may wait for a frame)
  int64_t wallOf(double pts);
  // The decoder could not hand frames over in CUDA memory as NV12 (e.g. 10-bit P010): this source
  // delivers host frames from then on.
  bool deviceFramesRefused_ = false;
};

}  // namespace vigil
