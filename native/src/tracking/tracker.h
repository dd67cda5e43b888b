#pragma once
// The tracker API (nvtracker): one tracker per source turns detections into tracks and track events.
// To add a tracker: a TrackerKind value and its name (tracker.cpp), a Tracker subclass in its own
// file under tracking/, a case in makeTracker(), and tests in native/tests/tracking_test.cpp.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "image.h"
#include "parsers/parser.h"

namespace vigil {

enum class TrackerKind { Iou, Sort, ByteTrack };
bool parseTrackerKind(const std::string& name, TrackerKind* out);
const char* trackerName(TrackerKind kind);
// Every tracker's canonical name in enum order (main/api's TRACKER_KINDS is tested against it).
std::vector<std::string> trackerNames();

struct TrackerConfig {
  float iouThreshold = 0.3f;  // minimum IoU to associate
  int maxAge = 30;            // frames a track survives without a detection
  int minHits = 2;            // detections before a track is confirmed (reported)
  float highScore = 0.5f;     // ByteTrack: first-stage threshold
  float lowScore = 0.1f;      // ByteTrack: second-stage threshold
  // A confirmed track that missed this many inferred frames or fewer is still returned by update()
  // (predicted box, matched=false), so one missed detection does not make its box blink.
  int coastFrames = 1;
};

struct TrackedObject {
  int64_t trackId = 0;
  Box box;  // source pixels (predicted when not matched this frame)
  int classId = 0;
  float score = 0;       // of the matched detection this frame, or last one
  bool matched = false;  // had a detection this frame (false: carried by prediction/interval)
};

enum class TrackEventKind { Start, Update, End };

struct TrackEvent {
  TrackEventKind kind;
  int64_t trackId = 0;
  int classId = 0;
  Box box;
  float score = 0;
  // The frame (sequence number) with the highest score so far, for the snapshot.
  int64_t bestFrame = -1;
  float bestScore = 0;
  Box bestBox;
};

// One tracker per source. update() is called once per frame, with detections in source pixels
// (empty on frames the detector skipped: `inferred=false` so tracks coast without aging out).
class Tracker {
 public:
  virtual ~Tracker() = default;
  virtual std::vector<TrackedObject> update(const std::vector<Detection>& dets, int64_t frame, bool inferred,
                                            std::vector<TrackEvent>* events) = 0;
  // Ends every live track (source removed or stream over).
  virtual void flush(std::vector<TrackEvent>* events) = 0;
};

std::unique_ptr<Tracker> makeTracker(TrackerKind kind, const TrackerConfig& config);

}  // namespace vigil
