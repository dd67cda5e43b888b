#pragma once
// Plane geometry for the analytics stage (nvdsanalytics' ROI and line-crossing maths), in any one
// coordinate system with y pointing down (image convention); the stage uses normalised 0..1 frame
// coordinates.
#include <vector>

namespace vigil::analytics {

struct Point {
  float x = 0, y = 0;
};

// A polygon: the first ring is the outline, any further rings are holes. Rings need not be convex
// and are closed implicitly (last point → first point).
struct Polygon {
  std::vector<std::vector<Point>> rings;
};

// Even-odd containment over every ring: inside the outline and outside every hole. Points exactly on
// an edge may fall either way.
bool contains(const Polygon& polygon, Point p);
bool ringContains(const std::vector<Point>& ring, Point p);

// A directed segment a→b. Its right side (as seen on screen, facing from a to b) is "in": crossing
// from the left side to the right side is an in-crossing, the other way an out-crossing.
struct Segment {
  Point a, b;
};

// Signed distance from the infinite line through a and b: > 0 on the right side (in), < 0 on the
// left (out). A degenerate segment (a == b) gives 0 everywhere.
float signedDistance(const Segment& s, Point p);

// True when the path p→q meets the segment (endpoints included).
bool pathMeetsSegment(const Segment& s, Point p, Point q);

// One object's state against one line: the side it was last firmly seen on and where.
struct LineSide {
  int side = 0;  // -1 left (out side), +1 right (in side), 0 not yet known
  Point at;      // where it was last firmly on that side
};

enum class Crossing { None = 0, In = 1, Out = -1 };

// Feeds the object's next reference point. A side change counts only once the point is at least
// `hysteresis` away from the line (so jitter around the line counts once, or not at all) and only when
// the path from the last firm point crosses the segment itself (passing beyond an end does not count).
Crossing updateLineSide(const Segment& s, float hysteresis, Point p, LineSide* state);

}  // namespace vigil::analytics
