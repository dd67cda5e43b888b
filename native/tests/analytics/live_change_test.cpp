// A live zone change (Engine::setAnalytics → CameraAnalytics::carryOver): regions whose id and
// definition are unchanged keep their counts, occupancy, per-track timers, line sides and crowding;
// a changed or new region starts fresh; a removed one is gone.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "analytics/analytics.h"

using namespace vigil::analytics;
using vigil::Box;

namespace {
constexpr int W = 1000, H = 1000;
constexpr double FPS = 10;
const std::vector<std::string> kLabels = {"person", "car"};

Object at(int64_t track, float x, float y, int classId = 0) { return {track, classId, 0.9f, Box{x * W - 20, y * H - 80, 40, 80}}; }

// Runs frames through whichever CameraAnalytics is current, and swaps in a new configuration the way
// the engine's post-processing does.
struct Camera {
  std::unique_ptr<CameraAnalytics> a;
  int64_t frame = 0;
  std::vector<std::string> log;
  explicit Camera(const std::string& json) : a(make(json)) {}
  static std::unique_ptr<CameraAnalytics> make(const std::string& json) {
    return std::make_unique<CameraAnalytics>(std::make_shared<Config>(parseConfig(json)), kLabels);
  }
  void change(const std::string& json) {
    auto next = make(json);
    next->carryOver(std::move(*a));
    a = std::move(next);
  }
  void step(const std::vector<Object>& objects) {
    std::vector<Event> ev;
    a->update(objects, static_cast<double>(frame) / FPS, W, H, &ev);
    for (auto& e : ev) log.push_back(std::string(eventKindName(e.kind)) + " " + e.zone + " @" + std::to_string(frame));
    ++frame;
  }
  const RegionCounts* counts(const std::string& zone) const {
    for (auto& c : a->counts())
      if (c.zone == zone) return &c;
    return nullptr;
  }
};

const std::string kDoor = R"({"id":"door","name":"Door","kind":"line","points":[[0,0.5],[1,0.5]],"labels":[]})";
const std::string kYard =
    R"({"id":"yard","name":"Yard","kind":"zone","points":[[0.2,0.2],[0.6,0.2],[0.6,0.45],[0.2,0.45]],"labels":["person"],"inertiaFrames":2,"dwellSeconds":3})";
const std::string kHall =
    R"({"id":"hall","name":"Hall","kind":"zone","points":[[0.65,0],[1,0],[1,0.45],[0.65,0.45]],"labels":[],"inertiaFrames":1,"crowdThreshold":2,"crowdSeconds":0.5})";
std::string list(std::initializer_list<std::string> zones) {
  std::string s = "[";
  for (auto& z : zones) s += (s.size() > 1 ? "," : "") + z;
  return s + "]";
}

// Track 1 crosses the door downwards (in) in frames 0..8; track 2 stands in the yard; tracks 3 and 4
// crowd the hall.
std::vector<Object> scene(int k) {
  return {at(1, 0.1f, 0.2f + 0.05f * static_cast<float>(k > 8 ? 8 : k)), at(2, 0.4f, 0.4f), at(3, 0.7f, 0.3f), at(4, 0.9f, 0.3f)};
}
}  // namespace

TEST(AnalyticsLiveChange, UnchangedRegionsKeepTheirStateWhenAnotherChanges) {
  Camera cam(list({kDoor, kYard, kHall}));
  for (int k = 0; k < 12; ++k) cam.step(scene(k));
  ASSERT_EQ(cam.counts("door")->in, 1);
  ASSERT_EQ(cam.counts("yard")->inside, 1);
  ASSERT_TRUE(cam.counts("hall")->crowded);
  const auto before = cam.log;

  // The hall moves (a changed definition), a new line appears; door and yard are untouched.
  const std::string hallMoved =
      R"({"id":"hall","name":"Hall","kind":"zone","points":[[0.66,0],[1,0],[1,0.45],[0.66,0.45]],"labels":[],"inertiaFrames":1,"crowdThreshold":2,"crowdSeconds":0.5})";
  const std::string gate = R"({"id":"gate","name":"Gate","kind":"line","points":[[0.5,0],[0.5,1]],"labels":[]})";
  cam.change(list({kDoor, kYard, hallMoved, gate}));
  EXPECT_EQ(cam.counts("door")->in, 1) << "the door's count was reset by another zone's change";
  EXPECT_EQ(cam.counts("yard")->inside, 1);
  EXPECT_EQ(cam.counts("hall")->inside, 0);
  EXPECT_FALSE(cam.counts("hall")->crowded);
  EXPECT_EQ(cam.counts("gate")->in + cam.counts("gate")->out, 0);

  for (int k = 12; k < 40; ++k) cam.step(scene(k));
  std::vector<std::string> after(cam.log.begin() + static_cast<long>(before.size()), cam.log.end());
  // The yard's person is not entered again and its dwell timer ran on from its enter at @1 (3 s: @31);
  // the door's crossed person is not counted again; only the moved hall starts over.
  EXPECT_EQ(after, (std::vector<std::string>{"enter hall @12", "enter hall @12", "crowded hall @17", "dwell yard @31"}));
  EXPECT_EQ(cam.counts("door")->in, 1);
  EXPECT_EQ(cam.counts("hall")->inside, 2);
}

TEST(AnalyticsLiveChange, ARenamedRegionKeepsItsCountsAndAChangedFilterStartsFresh) {
  Camera cam(list({kDoor, kYard}));
  for (int k = 0; k < 12; ++k) cam.step(scene(k));
  std::string renamed = kDoor;
  renamed.replace(renamed.find("\"Door\""), 6, "\"Front door\"");
  std::string carsOnly = kYard;
  carsOnly.replace(carsOnly.find("[\"person\"]"), 10, "[\"car\"]");
  cam.change(list({renamed, carsOnly}));
  EXPECT_EQ(cam.counts("door")->in, 1);
  EXPECT_EQ(cam.counts("yard")->inside, 0);
  EXPECT_TRUE(cam.counts("yard")->labels.empty());
}

TEST(AnalyticsLiveChange, ARemovedRegionIsDroppedAndComingBackStartsFresh) {
  Camera cam(list({kDoor, kYard}));
  for (int k = 0; k < 12; ++k) cam.step(scene(k));
  cam.change(list({kYard}));
  EXPECT_EQ(cam.counts("door"), nullptr);
  EXPECT_EQ(cam.counts("yard")->inside, 1);
  cam.step(scene(12));
  cam.change(list({kDoor, kYard}));
  EXPECT_EQ(cam.counts("door")->in, 0);
  EXPECT_EQ(cam.counts("yard")->inside, 1);
}
