#include "analytics/config.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace vigil::analytics {

namespace {
using nlohmann::json;

[[noreturn]] void fail(const std::string& field, const std::string& why) { throw std::invalid_argument(field + " " + why); }

double number(const json& z, const char* key, const std::string& field, double def, double min, double max, bool integer = false) {
  if (!z.contains(key) || z[key].is_null()) return def;
  const json& v = z[key];
  if (!v.is_number()) fail(field + "." + key, "must be a number");
  const double d = v.get<double>();
  if (!std::isfinite(d) || d < min || d > max) fail(field + "." + key, "must be between " + json(min).dump() + " and " + json(max).dump());
  if (integer && d != std::floor(d)) fail(field + "." + key, "must be a whole number");
  return d;
}

std::string text(const json& z, const char* key, const std::string& field, const std::string& def) {
  if (!z.contains(key) || z[key].is_null()) return def;
  if (!z[key].is_string()) fail(field + "." + key, "must be a string");
  return z[key].get<std::string>();
}

Point point(const json& v, const std::string& field) {
  if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number()) fail(field, "must be a point [x, y] with 0 ≤ x, y ≤ 1");
  const double x = v[0].get<double>(), y = v[1].get<double>();
  if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) fail(field, "must be a point [x, y] with 0 ≤ x, y ≤ 1");
  return {static_cast<float>(x), static_cast<float>(y)};
}

Region region(const json& z, const std::string& field) {
  if (!z.is_object()) fail(field, "must be an object { id, name, kind, points, labels, ... }");
  Region r;
  r.name = text(z, "name", field, "");
  r.id = text(z, "id", field, r.name);
  if (r.id.empty()) fail(field + ".id", "is missing — give the zone an id or a name");
  const std::string kind = text(z, "kind", field, "zone");
  if (kind == "zone")
    r.kind = RegionKind::Zone;
  else if (kind == "line")
    r.kind = RegionKind::Line;
  else if (kind == "mask")
    r.kind = RegionKind::Mask;
  else
    fail(field + ".kind", "must be 'zone', 'line' or 'mask', not '" + kind + "'");
  if (!z.contains("points") || !z["points"].is_array()) fail(field + ".points", "must be a list of [x, y] points");
  std::vector<Point> pts;
  for (size_t i = 0; i < z["points"].size(); ++i) pts.push_back(point(z["points"][i], field + ".points[" + std::to_string(i) + "]"));
  if (r.kind == RegionKind::Line) {
    if (pts.size() != 2) fail(field + ".points", "needs exactly 2 points for a line");
    r.line = {pts[0], pts[1]};
  } else {
    if (pts.size() < 3) fail(field + ".points", "needs at least 3 points for a " + kind);
    r.polygon.rings.push_back(std::move(pts));
  }
  if (z.contains("labels") && !z["labels"].is_null()) {
    if (!z["labels"].is_array()) fail(field + ".labels", "must be a list of label names");
    for (size_t i = 0; i < z["labels"].size(); ++i) {
      if (!z["labels"][i].is_string()) fail(field + ".labels[" + std::to_string(i) + "]", "must be a label name, e.g. \"person\"");
      r.labels.push_back(z["labels"][i].get<std::string>());
    }
  }
  r.minScore = static_cast<float>(number(z, "minScore", field, 0, 0, 1));
  r.inertiaFrames = static_cast<int>(number(z, "inertiaFrames", field, 3, 1, 1000, true));
  const std::string ref = text(z, "referencePoint", field, "bottom-center");
  if (ref == "bottom-center")
    r.referencePoint = ReferencePoint::BottomCenter;
  else if (ref == "center")
    r.referencePoint = ReferencePoint::Center;
  else if (ref == "top-center")
    r.referencePoint = ReferencePoint::TopCenter;
  else
    fail(field + ".referencePoint", "must be 'bottom-center', 'center' or 'top-center', not '" + ref + "'");
  const std::string dir = text(z, "direction", field, "any");
  static const std::pair<const char*, Direction> dirs[] = {{"any", Direction::Any},   {"in", Direction::In},       {"out", Direction::Out},
                                                           {"left", Direction::Left}, {"right", Direction::Right}, {"up", Direction::Up},
                                                           {"down", Direction::Down}};
  bool known = false;
  for (auto& [name, d] : dirs)
    if (dir == name) r.direction = d, known = true;
  if (!known) fail(field + ".direction", "must be one of any, in, out (lines) or left, right, up, down (zones), not '" + dir + "'");
  const bool lineDir = r.direction == Direction::In || r.direction == Direction::Out;
  if (r.kind == RegionKind::Line && r.direction != Direction::Any && !lineDir)
    fail(field + ".direction", "of a line must be 'any', 'in' or 'out'");
  if (r.kind != RegionKind::Line && lineDir) fail(field + ".direction", "of a zone must be 'any', 'left', 'right', 'up' or 'down'");
  r.crowdThreshold = static_cast<int>(number(z, "crowdThreshold", field, 0, 0, 100000, true));
  r.crowdSeconds = number(z, "crowdSeconds", field, 0, 0, 86400);
  r.dwellSeconds = number(z, "dwellSeconds", field, 0, 0, 86400 * 7);
  return r;
}
}  // namespace

Config parseConfig(const std::string& text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("analytics: not valid JSON (") + e.what() + ")");
  }
  Config c;
  const json* zones = &doc;
  json empty = json::array();
  if (doc.is_object()) zones = doc.contains("zones") ? &doc["zones"] : &empty;
  if (!zones->is_array()) fail("zones", "must be a list of zones");
  for (size_t i = 0; i < zones->size(); ++i) c.regions.push_back(region((*zones)[i], "zones[" + std::to_string(i) + "]"));
  if (doc.is_object() && doc.contains("masks")) {
    const json& masks = doc["masks"];
    if (!masks.is_array()) fail("masks", "must be a list of [x, y, w, h] rectangles");
    for (size_t i = 0; i < masks.size(); ++i) {
      const std::string f = "masks[" + std::to_string(i) + "]";
      const json& m = masks[i];
      if (!m.is_array() || m.size() != 4) fail(f, "must be a rectangle [x, y, w, h] in 0..1");
      float v[4];
      for (int k = 0; k < 4; ++k) {
        if (!m[k].is_number() || !(m[k].get<double>() >= 0 && m[k].get<double>() <= 1)) fail(f, "must be a rectangle [x, y, w, h] in 0..1");
        v[k] = m[k].get<float>();
      }
      Region r;
      r.id = "mask-" + std::to_string(i);
      r.name = r.id;
      r.kind = RegionKind::Mask;
      r.polygon.rings.push_back({{v[0], v[1]}, {v[0] + v[2], v[1]}, {v[0] + v[2], v[1] + v[3]}, {v[0], v[1] + v[3]}});
      c.regions.push_back(std::move(r));
    }
  }
  for (size_t i = 0; i < c.regions.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (c.regions[i].id == c.regions[j].id)
        fail("zones[" + std::to_string(i) + "].id", "'" + c.regions[i].id + "' is used twice — give each zone its own id");
  return c;
}

namespace {
bool samePoints(const std::vector<Point>& a, const std::vector<Point>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].x != b[i].x || a[i].y != b[i].y) return false;
  return true;
}
}  // namespace

bool sameDefinition(const Region& a, const Region& b) {
  if (a.id != b.id || a.kind != b.kind || a.labels != b.labels || a.minScore != b.minScore || a.inertiaFrames != b.inertiaFrames ||
      a.direction != b.direction || a.referencePoint != b.referencePoint || a.crowdThreshold != b.crowdThreshold ||
      a.crowdSeconds != b.crowdSeconds || a.dwellSeconds != b.dwellSeconds)
    return false;
  if (!samePoints({a.line.a, a.line.b}, {b.line.a, b.line.b})) return false;
  if (a.polygon.rings.size() != b.polygon.rings.size()) return false;
  for (size_t i = 0; i < a.polygon.rings.size(); ++i)
    if (!samePoints(a.polygon.rings[i], b.polygon.rings[i])) return false;
  return true;
}

const char* referencePointName(ReferencePoint p) {
  switch (p) {
    case ReferencePoint::Center:
      return "center";
    case ReferencePoint::TopCenter:
      return "top-center";
    default:
      return "bottom-center";
  }
}

const char* directionName(Direction d) {
  switch (d) {
    case Direction::In:
      return "in";
    case Direction::Out:
      return "out";
    case Direction::Left:
      return "left";
    case Direction::Right:
      return "right";
    case Direction::Up:
      return "up";
    case Direction::Down:
      return "down";
    default:
      return "any";
  }
}

}  // namespace vigil::analytics
