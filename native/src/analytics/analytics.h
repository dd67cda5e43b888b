#pragma once
// The analytics stage (nvdsanalytics): one per camera, after the tracker. Masks drop detections
// before tracking; zones report enter/exit (with inertia), occupancy per label, overcrowding and
// dwell; lines count crossings per direction and label. Times are the frames' stream seconds, so a
// file gives the same events on every run.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "analytics/config.h"
#include "image.h"
#include "parsers/parser.h"

namespace vigil::analytics {

enum class EventKind { Enter, Exit, Cross, Crowded, CrowdEnd, Dwell };
const char* eventKindName(EventKind k);  // enter, exit, cross, crowded, crowd-end, dwell

struct Event {
  EventKind kind = EventKind::Enter;
  std::string zone;                     // the region's id
  int64_t track = -1;                   // -1: the zone's event (crowded, crowd-end)
  std::string label;                    // empty: the zone's event
  Crossing direction = Crossing::None;  // cross: In or Out
  double seconds = 0;                   // stream time of the frame it happened in
};

struct LabelCount {
  int classId = 0;
  std::string label;
  int64_t inside = 0;       // zones: objects in it now
  int64_t in = 0, out = 0;  // lines: crossings so far
};

struct RegionCounts {
  std::string zone;
  RegionKind kind = RegionKind::Zone;
  int64_t inside = 0, in = 0, out = 0;
  bool crowded = false;
  std::vector<LabelCount> labels;  // labels seen so far, in the model's class order
};

struct Object {
  int64_t track = 0;
  int classId = 0;
  float score = 0;
  Box box;  // frame pixels
};

// How far (normalised frame units) a reference point must be from a line before its side counts.
inline constexpr float kLineHysteresis = 0.01f;

class CameraAnalytics {
 public:
  // `labels` are the model's class names. Throws std::invalid_argument when a zone names a label
  // the model does not have.
  CameraAnalytics(std::shared_ptr<const Config> config, std::vector<std::string> labels);
  const Config& config() const { return *config_; }
  bool hasMasks() const { return hasMasks_; }

  // Removes detections whose reference point lies inside a mask (of their label).
  void applyMasks(std::vector<Detection>* dets, int width, int height) const;
  // One frame's tracked objects; appends what happened to *events.
  void update(const std::vector<Object>& objects, double seconds, int width, int height, std::vector<Event>* events);
  // A live change: takes over `previous`'s state for every region whose id and definition
  // (sameDefinition) are unchanged — its counts, occupancy, in/out, each track's inside/dwell timers
  // and line sides, crowding — and the per-track motion. Changed and new regions start fresh; removed
  // ones are dropped. Call before the first update.
  void carryOver(CameraAnalytics&& previous);
  // Every zone's and line's counts after the last update (masks have none).
  const std::vector<RegionCounts>& counts() const { return counts_; }

 private:
  struct ZoneTrack {
    bool inside = false;
    int streak = 0;  // consecutive frames disagreeing with `inside`
    double since = 0;
    bool dwelled = false;
    int classId = 0;
    int64_t seen = 0;
  };
  struct LineTrack {
    LineSide side;
    int64_t seen = 0;
  };
  struct State {
    std::vector<char> allowed;  // per class id (empty filter: all)
    std::unordered_map<int64_t, ZoneTrack> zone;
    std::unordered_map<int64_t, LineTrack> line;
    bool crowded = false;
    double flipSince = -1;  // when occupancy started disagreeing with `crowded`
  };
  struct Motion {
    Point prev, velocity;
    int64_t seen = 0;
  };
  bool allowed(const State& s, int classId) const;
  std::string label(int classId) const;
  LabelCount& labelCount(RegionCounts& c, int classId);
  bool movingToward(int64_t track, Direction d) const;
  void updateZone(size_t r, const std::vector<Object>& objects, double t, int w, int h, std::vector<Event>* events);
  void updateLine(size_t r, const std::vector<Object>& objects, double t, int w, int h, std::vector<Event>* events);

  std::shared_ptr<const Config> config_;
  std::vector<std::string> labels_;
  std::vector<State> state_;
  std::vector<RegionCounts> counts_;  // zones and lines, in config order
  std::vector<int> countIndex_;       // region → counts_ index (-1: a mask)
  std::unordered_map<int64_t, Motion> motion_;
  bool hasMasks_ = false;
  int64_t tick_ = 0;
};

Point referencePoint(const Box& box, ReferencePoint ref, int width, int height);

}  // namespace vigil::analytics
