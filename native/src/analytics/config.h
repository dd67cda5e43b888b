#pragma once
// A camera's analytics configuration: the workspace's zone format (main/api/contract.ts `Zone`,
// points normalised 0..1), parsed from the same JSON the main process saves.
#include <memory>
#include <string>
#include <vector>

#include "analytics/geometry.h"

namespace vigil::analytics {

enum class RegionKind { Zone, Line, Mask };
// Which point of an object's box is judged: bottom-centre (feet, the default), centre or top-centre.
enum class ReferencePoint { BottomCenter, Center, TopCenter };
// Lines: which crossings count (both, in only, out only). Zones: only objects moving that way enter.
enum class Direction { Any, In, Out, Left, Right, Up, Down };

struct Region {
  std::string id, name;
  RegionKind kind = RegionKind::Zone;
  Polygon polygon;                  // zone, mask
  Segment line;                     // line
  std::vector<std::string> labels;  // only these labels count (empty: all)
  float minScore = 0;
  int inertiaFrames = 3;  // consecutive frames inside (outside) before enter (exit)
  Direction direction = Direction::Any;
  ReferencePoint referencePoint = ReferencePoint::BottomCenter;
  int crowdThreshold = 0;  // 0: no overcrowding events
  double crowdSeconds = 0;
  double dwellSeconds = 0;  // 0: no dwell events
};

struct Config {
  std::vector<Region> regions;
};

// Parses a camera's zones: either a JSON list of zones or an object { zones: [...], masks: [...] }
// (masks as [x, y, w, h] rectangles, the workspace's older form, become mask polygons). Throws
// std::invalid_argument naming the field and the fix.
Config parseConfig(const std::string& json);

// True when two regions judge objects the same way: same id, kind, shape, labels, thresholds,
// direction and reference point. The display name does not count (renaming changes no count).
bool sameDefinition(const Region& a, const Region& b);

const char* referencePointName(ReferencePoint p);
const char* directionName(Direction d);

}  // namespace vigil::analytics
