#include "analytics/analytics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace vigil::analytics {

namespace {
// Stream times are sums of frame durations: 2.3 s - 0.3 s must count as 2 s.
constexpr double kTimeSlack = 1e-6;
}  // namespace

const char* eventKindName(EventKind k) {
  switch (k) {
    case EventKind::Enter:
      return "enter";
    case EventKind::Exit:
      return "exit";
    case EventKind::Cross:
      return "cross";
    case EventKind::Crowded:
      return "crowded";
    case EventKind::CrowdEnd:
      return "crowd-end";
    case EventKind::Dwell:
      return "dwell";
  }
  return "?";
}

Point referencePoint(const Box& box, ReferencePoint ref, int width, int height) {
  const float w = width > 0 ? static_cast<float>(width) : 1.f, h = height > 0 ? static_cast<float>(height) : 1.f;
  const float x = (box.x + box.w * 0.5f) / w;
  switch (ref) {
    case ReferencePoint::Center:
      return {x, (box.y + box.h * 0.5f) / h};
    case ReferencePoint::TopCenter:
      return {x, box.y / h};
    default:
      return {x, (box.y + box.h) / h};
  }
}

CameraAnalytics::CameraAnalytics(std::shared_ptr<const Config> config, std::vector<std::string> labels)
    : config_(std::move(config)), labels_(std::move(labels)) {
  if (!config_) config_ = std::make_shared<Config>();
  state_.resize(config_->regions.size());
  for (size_t r = 0; r < config_->regions.size(); ++r) {
    const Region& region = config_->regions[r];
    State& s = state_[r];
    if (!region.labels.empty()) {
      s.allowed.assign(labels_.size(), 0);
      for (auto& l : region.labels) {
        auto it = std::find(labels_.begin(), labels_.end(), l);
        if (it == labels_.end())
          throw std::invalid_argument("zone '" + region.id + "': label '" + l +
                                      "' is not one of the model's labels — use labels the camera's model reports (e.g. '" +
                                      (labels_.empty() ? std::string("person") : labels_[0]) + "')");
        s.allowed[static_cast<size_t>(it - labels_.begin())] = 1;
      }
    }
    if (region.kind == RegionKind::Mask) {
      hasMasks_ = true;
      countIndex_.push_back(-1);
      continue;
    }
    countIndex_.push_back(static_cast<int>(counts_.size()));
    RegionCounts c;
    c.zone = region.id;
    c.kind = region.kind;
    counts_.push_back(std::move(c));
  }
}

void CameraAnalytics::carryOver(CameraAnalytics&& previous) {
  // Per-track memory is keyed by the frame tick: keep the previous clock so `seen` stays comparable.
  tick_ = previous.tick_;
  motion_ = std::move(previous.motion_);
  const auto& before = previous.config_->regions;
  for (size_t r = 0; r < config_->regions.size(); ++r) {
    const Region& region = config_->regions[r];
    for (size_t p = 0; p < before.size(); ++p) {
      if (before[p].id != region.id) continue;
      if (sameDefinition(before[p], region)) {
        state_[r] = std::move(previous.state_[p]);
        if (countIndex_[r] >= 0 && previous.countIndex_[p] >= 0)
          counts_[static_cast<size_t>(countIndex_[r])] = std::move(previous.counts_[static_cast<size_t>(previous.countIndex_[p])]);
      }
      break;
    }
  }
}

bool CameraAnalytics::allowed(const State& s, int classId) const {
  if (s.allowed.empty()) return true;
  return classId >= 0 && static_cast<size_t>(classId) < s.allowed.size() && s.allowed[static_cast<size_t>(classId)];
}

std::string CameraAnalytics::label(int classId) const {
  if (classId >= 0 && static_cast<size_t>(classId) < labels_.size()) return labels_[static_cast<size_t>(classId)];
  return std::to_string(classId);
}

LabelCount& CameraAnalytics::labelCount(RegionCounts& c, int classId) {
  // Kept in the model's class order.
  auto it = std::lower_bound(c.labels.begin(), c.labels.end(), classId, [](const LabelCount& l, int id) { return l.classId < id; });
  if (it != c.labels.end() && it->classId == classId) return *it;
  return *c.labels.insert(it, LabelCount{classId, label(classId), 0, 0, 0});
}

void CameraAnalytics::applyMasks(std::vector<Detection>* dets, int width, int height) const {
  if (!hasMasks_) return;
  auto masked = [&](const Detection& d) {
    for (size_t r = 0; r < config_->regions.size(); ++r) {
      const Region& region = config_->regions[r];
      if (region.kind != RegionKind::Mask || !allowed(state_[r], d.classId)) continue;
      if (contains(region.polygon, referencePoint(d.box, region.referencePoint, width, height))) return true;
    }
    return false;
  };
  dets->erase(std::remove_if(dets->begin(), dets->end(), masked), dets->end());
}

bool CameraAnalytics::movingToward(int64_t track, Direction d) const {
  if (d == Direction::Any) return true;
  auto it = motion_.find(track);
  if (it == motion_.end()) return false;
  const Point v = it->second.velocity;
  const float speed = std::sqrt(v.x * v.x + v.y * v.y);
  if (speed < 1e-4f) return false;
  float along = 0;
  switch (d) {
    case Direction::Left:
      along = -v.x;
      break;
    case Direction::Right:
      along = v.x;
      break;
    case Direction::Up:
      along = -v.y;
      break;
    case Direction::Down:
      along = v.y;
      break;
    default:
      return true;
  }
  return along >= 0.7f * speed;  // within about 45° of the direction
}

void CameraAnalytics::update(const std::vector<Object>& objects, double seconds, int width, int height, std::vector<Event>* events) {
  ++tick_;
  // Motion per track (box centre, smoothed) for the zones' direction filter.
  for (const Object& o : objects) {
    const Point c = referencePoint(o.box, ReferencePoint::Center, width, height);
    auto [it, fresh] = motion_.try_emplace(o.track);
    Motion& m = it->second;
    if (!fresh && m.seen == tick_ - 1) {
      const Point step{c.x - m.prev.x, c.y - m.prev.y};
      m.velocity = {0.5f * m.velocity.x + 0.5f * step.x, 0.5f * m.velocity.y + 0.5f * step.y};
    } else {
      m.velocity = {};
    }
    m.prev = c;
    m.seen = tick_;
  }
  for (size_t r = 0; r < config_->regions.size(); ++r) {
    switch (config_->regions[r].kind) {
      case RegionKind::Zone:
        updateZone(r, objects, seconds, width, height, events);
        break;
      case RegionKind::Line:
        updateLine(r, objects, seconds, width, height, events);
        break;
      case RegionKind::Mask:
        break;
    }
  }
  if (tick_ % 64 == 0) std::erase_if(motion_, [&](const auto& kv) { return tick_ - kv.second.seen > 64; });
}

void CameraAnalytics::updateZone(size_t r, const std::vector<Object>& objects, double t, int w, int h, std::vector<Event>* events) {
  const Region& region = config_->regions[r];
  State& s = state_[r];
  auto flip = [&](int64_t track, int classId, ZoneTrack& z) {
    z.inside = !z.inside;
    z.streak = 0;
    z.since = t;
    z.dwelled = false;
    events->push_back({z.inside ? EventKind::Enter : EventKind::Exit, region.id, track, label(classId), Crossing::None, t});
  };
  for (const Object& o : objects) {
    const bool counts = allowed(s, o.classId) && o.score >= region.minScore;
    const bool in = counts && contains(region.polygon, referencePoint(o.box, region.referencePoint, w, h));
    if (!in && !s.zone.count(o.track)) continue;  // never inside: nothing to keep
    ZoneTrack& z = s.zone[o.track];
    z.seen = tick_;
    z.classId = o.classId;
    if (in != z.inside) {
      if (++z.streak >= region.inertiaFrames && (z.inside || movingToward(o.track, region.direction))) flip(o.track, o.classId, z);
    } else {
      z.streak = 0;
    }
    if (z.inside && region.dwellSeconds > 0 && !z.dwelled && t - z.since >= region.dwellSeconds - kTimeSlack) {
      z.dwelled = true;
      events->push_back({EventKind::Dwell, region.id, o.track, label(o.classId), Crossing::None, t});
    }
  }
  // Tracks gone from the frame count as outside: they exit after the inertia, then are forgotten.
  for (auto it = s.zone.begin(); it != s.zone.end();) {
    ZoneTrack& z = it->second;
    if (z.seen != tick_ && (!z.inside || ++z.streak >= region.inertiaFrames)) {
      if (z.inside) events->push_back({EventKind::Exit, region.id, it->first, label(z.classId), Crossing::None, t});
      it = s.zone.erase(it);
      continue;
    }
    ++it;
  }
  // Occupancy per label (a vanished track not yet out still counts, under its last label).
  RegionCounts& c = counts_[static_cast<size_t>(countIndex_[r])];
  c.inside = 0;
  for (auto& l : c.labels) l.inside = 0;
  for (auto& [track, z] : s.zone) {
    if (!z.inside) continue;
    ++c.inside;
    ++labelCount(c, z.classId).inside;
  }
  // Overcrowding: occupancy ≥ threshold for crowdSeconds starts it; below the threshold for
  // crowdSeconds ends it.
  if (region.crowdThreshold > 0) {
    const bool over = c.inside >= region.crowdThreshold;
    if (over == s.crowded) {
      s.flipSince = -1;
    } else {
      if (s.flipSince < 0) s.flipSince = t;
      if (t - s.flipSince >= region.crowdSeconds - kTimeSlack) {
        s.crowded = over;
        s.flipSince = -1;
        events->push_back({over ? EventKind::Crowded : EventKind::CrowdEnd, region.id, -1, std::string(), Crossing::None, t});
      }
    }
    c.crowded = s.crowded;
  }
}

void CameraAnalytics::updateLine(size_t r, const std::vector<Object>& objects, double t, int w, int h, std::vector<Event>* events) {
  const Region& region = config_->regions[r];
  State& s = state_[r];
  RegionCounts& c = counts_[static_cast<size_t>(countIndex_[r])];
  for (const Object& o : objects) {
    if (!allowed(s, o.classId) || o.score < region.minScore) continue;
    LineTrack& lt = s.line[o.track];
    lt.seen = tick_;
    const Crossing x = updateLineSide(region.line, kLineHysteresis, referencePoint(o.box, region.referencePoint, w, h), &lt.side);
    if (x == Crossing::None) continue;
    if ((region.direction == Direction::In && x != Crossing::In) || (region.direction == Direction::Out && x != Crossing::Out)) continue;
    LabelCount& l = labelCount(c, o.classId);
    if (x == Crossing::In)
      ++c.in, ++l.in;
    else
      ++c.out, ++l.out;
    events->push_back({EventKind::Cross, region.id, o.track, label(o.classId), x, t});
  }
  if (tick_ % 64 == 0) std::erase_if(s.line, [&](const auto& kv) { return tick_ - kv.second.seen > 150; });
}

}  // namespace vigil::analytics
