#include "analytics/geometry.h"

#include <cmath>

namespace vigil::analytics {

bool ringContains(const std::vector<Point>& ring, Point p) {
  // Crossing number: count the edges that a ray from p towards +x crosses.
  bool inside = false;
  const size_t n = ring.size();
  if (n < 3) return false;
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const Point& u = ring[i];
    const Point& v = ring[j];
    if ((u.y > p.y) != (v.y > p.y)) {
      const float x = u.x + (p.y - u.y) * (v.x - u.x) / (v.y - u.y);
      if (p.x < x) inside = !inside;
    }
  }
  return inside;
}

bool contains(const Polygon& polygon, Point p) {
  if (polygon.rings.empty() || !ringContains(polygon.rings[0], p)) return false;
  for (size_t i = 1; i < polygon.rings.size(); ++i)
    if (ringContains(polygon.rings[i], p)) return false;
  return true;
}

float signedDistance(const Segment& s, Point p) {
  const float dx = s.b.x - s.a.x, dy = s.b.y - s.a.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (len <= 0) return 0;
  // With y down, the cross product is positive on the side that looks right on screen.
  return (dx * (p.y - s.a.y) - dy * (p.x - s.a.x)) / len;
}

namespace {
float cross(Point o, Point a, Point b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }
bool onSegment(Point a, Point b, Point p) {
  return std::fmin(a.x, b.x) <= p.x && p.x <= std::fmax(a.x, b.x) && std::fmin(a.y, b.y) <= p.y && p.y <= std::fmax(a.y, b.y);
}
int sign(float v) { return (v > 0) - (v < 0); }
}  // namespace

bool pathMeetsSegment(const Segment& s, Point p, Point q) {
  const int d1 = sign(cross(p, q, s.a)), d2 = sign(cross(p, q, s.b));
  const int d3 = sign(cross(s.a, s.b, p)), d4 = sign(cross(s.a, s.b, q));
  if (d1 * d2 < 0 && d3 * d4 < 0) return true;  // proper crossing
  // Collinear touches.
  if (d1 == 0 && onSegment(p, q, s.a)) return true;
  if (d2 == 0 && onSegment(p, q, s.b)) return true;
  if (d3 == 0 && onSegment(s.a, s.b, p)) return true;
  if (d4 == 0 && onSegment(s.a, s.b, q)) return true;
  return false;
}

Crossing updateLineSide(const Segment& s, float hysteresis, Point p, LineSide* state) {
  const float d = signedDistance(s, p);
  if (std::fabs(d) < hysteresis || d == 0) return Crossing::None;  // inside the band: keep the last firm side
  const int side = d > 0 ? 1 : -1;
  Crossing result = Crossing::None;
  if (state->side != 0 && side != state->side && pathMeetsSegment(s, state->at, p)) result = side > 0 ? Crossing::In : Crossing::Out;
  state->side = side;
  state->at = p;
  return result;
}

}  // namespace vigil::analytics
