#pragma once
// Recording (issue 16): the branch of a source's pipeline after the parser, before the decoder.
//   H.264/H.265:  parsebin pad → tee ─ queue → appsink (the tap)            no decode, no encode
//                                   └ queue → decodebin → the decode branch
//   other codecs, raw video: decoded/raw pad → tee ─ queue → the decode branch
//                                              └ queue → videoconvert → nvh264enc | x264enc → h264parse → appsink
// The tap hands access units to a SegmentWriter, a pipeline of its own (appsrc → h26xparse →
// splitmuxsink, fragmented mp4mux): segments cut at the first keyframe after RecordOptions::segmentSeconds,
// each file starting at media time 0, fragments of fragmentMs so a killed process leaves a file that
// plays up to its last fragment. A file loop or a new connection starts a new writer run (new segments).
#include <gst/gst.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "source.h"

namespace vigil::sources {

class SegmentWriter {
 public:
  // wallOf: the wall time (ms) of a stream time (s) of this source, from its decoded frames.
  SegmentWriter(std::string camera, RecordOptions options, std::function<int64_t(double)> wallOf,
                std::function<void(SegmentInfo&&)> onSegment, std::function<void(const std::string&)> onError);
  ~SegmentWriter();
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // One access unit from the tap (its caps: video/x-h264 or video/x-h265). Starts a run at a keyframe.
  void push(GstSample* sample);
  // Ends the current run: its last segment is closed and reported. Waits for the file to be finalised.
  void finish();
  // True when the source is not H.264/H.265 and is encoded before the tap.
  bool encoded() const { return encoded_; }
  void setEncoded(bool e) { encoded_ = e; }

 private:
  struct OpenSegment {
    double startPts = 0;
    GstClockTime openRunningTime = 0;
    GstClockTime endRunningTime = GST_CLOCK_TIME_NONE;
  };
  void report(const std::string& location, const OpenSegment& o);
  void finishClosed();
  bool startRun(GstCaps* caps, std::string* error);
  void stopRun();  // with mu_ held
  void onMessage(GstMessage* m);
  std::string nextLocation();
  static GstBusSyncReply busHandler(GstBus*, GstMessage* m, gpointer self);
  static gchar* formatLocation(GstElement*, guint, gpointer self);

  std::string camera_;
  RecordOptions options_;
  std::function<int64_t(double)> wallOf_;
  std::function<void(SegmentInfo&&)> onSegment_;
  std::function<void(const std::string&)> onError_;
  bool encoded_ = false;

  std::mutex mu_;  // the run: pipeline, timestamps
  GstElement* pipeline_ = nullptr;
  GstElement* appsrc_ = nullptr;
  GstCaps* caps_ = nullptr;
  GstClockTime base_ = 0;  // stream time of the run's first access unit (its DTS, else PTS)
  GstClockTime lastPts_ = GST_CLOCK_TIME_NONE;
  bool failed_ = false;  // the writer failed: nothing more is recorded for this connection
  std::string codec_;
  int width_ = 0, height_ = 0;

  std::mutex segMu_;  // segments and keyframes, shared with the bus handler (GStreamer threads)
  std::condition_variable eos_;
  bool eosSeen_ = false;
  bool ending_ = false;  // the run's end-of-stream was sent: the last segment closes at the end of what was written
  // Recent keyframes: (writer running time of its PTS, stream time of its DTS = a file's media time 0).
  std::deque<std::pair<GstClockTime, GstClockTime>> keyframes_;
  std::map<std::string, OpenSegment> open_;                  // by file path
  GstClockTime writtenEnd_ = GST_CLOCK_TIME_NONE;            // running time after the last access unit
  std::vector<std::pair<std::string, OpenSegment>> closed_;  // closed, waiting for their end (the next opening)
};

// Links a parsebin pad: H.264/H.265 is teed to `writer`'s tap and to `decoder`; other video goes to
// `decoder` only and *encodeDecoded is set (its decoded pad is then encoded, see encodeTee); other
// streams end in a fakesink.
void linkParsedPad(GstElement* pipeline, GstPad* pad, GstElement* decoder, SegmentWriter* writer, bool* encodeDecoded);

// Links raw video `pad` into a tee whose second branch encodes to H.264 for `writer` (NVENC where
// present, x264 otherwise); returns the tee's pad for the decode branch (caller unrefs), or null.
GstPad* encodeTee(GstElement* pipeline, GstPad* pad, SegmentWriter* writer);

struct RecordingProbe {
  bool ok = false;
  double durationSeconds = 0;  // of the frames that can be played
  std::string codec, error;
  int width = 0, height = 0;
};
// Reads a recorded MP4 to its end (demux only, no decode): what a crashed engine left plays this long.
RecordingProbe probeRecording(const std::string& path, int timeoutMs = 20000);

}  // namespace vigil::sources
