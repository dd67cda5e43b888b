// Synthetic scenes through the analytics stage with the exact events expected: crossings both ways,
// jitter on a line, lingering (dwell), a crowd building and dispersing, masks, filters, inertia.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "analytics/analytics.h"

using namespace vigil::analytics;
using vigil::Box;
using vigil::Detection;

namespace {
constexpr int W = 1000, H = 1000;  // 1 px = 0.001 of the frame
constexpr double FPS = 10;
const std::vector<std::string> kLabels = {"person", "car"};

std::shared_ptr<const Config> config(const std::string& json) { return std::make_shared<Config>(parseConfig(json)); }

// An object whose bottom-centre (the default reference point) is at (x, y), normalised.
Object at(int64_t track, float x, float y, int classId = 0, float score = 0.9f) {
  return {track, classId, score, Box{x * W - 20, y * H - 80, 40, 80}};
}

// "kind zone track label direction @frame" — one line per event, easy to compare exactly.
std::string str(const Event& e, int64_t frame) {
  std::string s = eventKindName(e.kind);
  s.append(" ").append(e.zone);
  if (e.track >= 0) s.append(" ").append(std::to_string(e.track)).append(" ").append(e.label);
  if (e.direction != Crossing::None) s.append(e.direction == Crossing::In ? " in" : " out");
  return s.append(" @").append(std::to_string(frame));
}

struct Scene {
  CameraAnalytics a;
  int64_t frame = 0;
  std::vector<std::string> log;
  explicit Scene(const std::string& json) : a(config(json), kLabels) {}
  void step(const std::vector<Object>& objects) {
    std::vector<Event> ev;
    a.update(objects, static_cast<double>(frame) / FPS, W, H, &ev);
    for (auto& e : ev) log.push_back(str(e, frame));
    ++frame;
  }
  const RegionCounts& counts(const std::string& zone) const {
    for (auto& c : a.counts())
      if (c.zone == zone) return c;
    throw std::runtime_error("no counts for " + zone);
  }
};

const char* kLine = R"([{"id":"door","name":"Door","kind":"line","points":[[0,0.5],[1,0.5]],"labels":[]}])";
const char* kBox =
    R"([{"id":"yard","name":"Yard","kind":"zone","points":[[0.2,0.2],[0.6,0.2],[0.6,0.6],[0.2,0.6]],"labels":["person"],"inertiaFrames":3,"dwellSeconds":2}])";
}  // namespace

TEST(AnalyticsScenes, ObjectsCrossingBothWaysAreCountedPerDirectionAndLabel) {
  Scene s(kLine);
  // Track 1 (person) walks down across the line (on it at @6, inside the hysteresis band; past it at @7) (in: left→right of a→b, which
  // points right); track 2 (car) drives up across it (out). 0.05 per frame, starting 0.3 from the line.
  for (int k = 0; k <= 8; ++k) s.step({at(1, 0.3f, 0.2f + 0.05f * k), at(2, 0.7f, 0.8f - 0.05f * k, 1)});
  EXPECT_EQ(s.log, (std::vector<std::string>{"cross door 1 person in @7", "cross door 2 car out @7"}));
  const RegionCounts& c = s.counts("door");
  EXPECT_EQ(c.in, 1);
  EXPECT_EQ(c.out, 1);
  ASSERT_EQ(c.labels.size(), 2u);
  EXPECT_EQ(c.labels[0].label, "person");
  EXPECT_EQ(c.labels[0].in, 1);
  EXPECT_EQ(c.labels[0].out, 0);
  EXPECT_EQ(c.labels[1].label, "car");
  EXPECT_EQ(c.labels[1].out, 1);
}

TEST(AnalyticsScenes, AnObjectJitteringOnTheLineIsCountedOnce) {
  Scene s(kLine);
  s.step({at(7, 0.5f, 0.40f)});
  s.step({at(7, 0.5f, 0.47f)});
  // Bottom edge wobbling ±6 px around the line for 40 frames (a tracker's box jitter), then walks on.
  for (int k = 0; k < 40; ++k) s.step({at(7, 0.5f, 0.5f + 0.006f * std::sin(static_cast<float>(k) * 1.7f) + (k == 0 ? 0.02f : 0.f))});
  s.step({at(7, 0.5f, 0.6f)});
  EXPECT_EQ(s.log, (std::vector<std::string>{"cross door 7 person in @2"}));
  EXPECT_EQ(s.counts("door").in, 1);
  EXPECT_EQ(s.counts("door").out, 0);
}

TEST(AnalyticsScenes, LineDirectionFilterCountsOneWayOnly) {
  Scene s(R"([{"id":"gate","name":"Gate","kind":"line","points":[[0,0.5],[1,0.5]],"labels":[],"direction":"out"}])");
  for (int k = 0; k <= 8; ++k) s.step({at(1, 0.3f, 0.2f + 0.05f * k), at(2, 0.7f, 0.8f - 0.05f * k)});
  EXPECT_EQ(s.log, (std::vector<std::string>{"cross gate 2 person out @7"}));
  EXPECT_EQ(s.counts("gate").in, 0);
}

TEST(AnalyticsScenes, LingeringInAZoneGivesEnterDwellExit) {
  Scene s(kBox);
  s.step({at(3, 0.1f, 0.4f)});                               // @0 outside
  for (int k = 0; k < 30; ++k) s.step({at(3, 0.4f, 0.4f)});  // @1..@30 inside: enter after 3 frames (@3), dwell 2 s later (@23)
  for (int k = 0; k < 5; ++k) s.step({at(3, 0.9f, 0.4f)});   // @31..: out, exit after 3 frames (@33)
  EXPECT_EQ(s.log, (std::vector<std::string>{"enter yard 3 person @3", "dwell yard 3 person @23", "exit yard 3 person @33"}));
  EXPECT_EQ(s.counts("yard").inside, 0);
}

TEST(AnalyticsScenes, InertiaIgnoresBriefVisitsAndLabelAndScoreFilters) {
  Scene s(
      R"([{"id":"yard","name":"Yard","kind":"zone","points":[[0.2,0.2],[0.6,0.2],[0.6,0.6],[0.2,0.6]],"labels":["person"],"inertiaFrames":3,"minScore":0.5}])");
  // Two frames in, one out, two in: never 3 in a row.
  const float xs[] = {0.4f, 0.4f, 0.9f, 0.4f, 0.4f, 0.9f};
  for (float x : xs) s.step({at(1, x, 0.4f), at(2, 0.4f, 0.4f, 1), at(3, 0.4f, 0.4f, 0, 0.3f)});  // 2: a car, 3: weak
  EXPECT_TRUE(s.log.empty()) << s.log.front();
  EXPECT_EQ(s.counts("yard").inside, 0);
}

TEST(AnalyticsScenes, OccupancyPerLabelAndVanishedTracksExit) {
  Scene s(R"([{"id":"lot","name":"Lot","kind":"zone","points":[[0,0],[1,0],[1,1],[0,1]],"labels":[],"inertiaFrames":2}])");
  for (int k = 0; k < 3; ++k) s.step({at(1, 0.3f, 0.5f), at(2, 0.5f, 0.5f), at(3, 0.7f, 0.5f, 1)});
  const RegionCounts& c = s.counts("lot");
  EXPECT_EQ(c.inside, 3);
  ASSERT_EQ(c.labels.size(), 2u);
  EXPECT_EQ(c.labels[0].label, "person");
  EXPECT_EQ(c.labels[0].inside, 2);
  EXPECT_EQ(c.labels[1].inside, 1);
  // Track 2 leaves the picture (the tracker ends it): it exits after the inertia.
  for (int k = 0; k < 2; ++k) s.step({at(1, 0.3f, 0.5f), at(3, 0.7f, 0.5f, 1)});
  EXPECT_EQ(s.log,
            (std::vector<std::string>{"enter lot 1 person @1", "enter lot 2 person @1", "enter lot 3 car @1", "exit lot 2 person @4"}));
  EXPECT_EQ(s.counts("lot").labels[0].inside, 1);
  EXPECT_EQ(s.counts("lot").inside, 2);
}

TEST(AnalyticsScenes, ACrowdBuildsAndDisperses) {
  Scene s(
      R"([{"id":"hall","name":"Hall","kind":"zone","points":[[0,0],[1,0],[1,1],[0,1]],"labels":[],"inertiaFrames":1,"crowdThreshold":3,"crowdSeconds":1}])");
  std::vector<Object> people;
  for (int64_t id = 1; id <= 4; ++id) {  // one more person every 0.5 s (5 frames)
    people.push_back(at(id, 0.2f * static_cast<float>(id), 0.5f));
    for (int k = 0; k < 5; ++k) s.step(people);
  }
  // 3 inside from @10; crowded 1 s later (@20). 4 people at @15.
  for (int k = 0; k < 5; ++k) s.step(people);   // @20..@24
  people.resize(2);                             // two leave at @25: below 3 from @25
  for (int k = 0; k < 15; ++k) s.step(people);  // crowd ends 1 s later (@35)
  std::vector<std::string> kinds;
  for (auto& l : s.log)
    if (l.rfind("crowd", 0) == 0) kinds.push_back(l);
  EXPECT_EQ(kinds, (std::vector<std::string>{"crowded hall @20", "crowd-end hall @35"}));
  EXPECT_FALSE(s.counts("hall").crowded);
}

TEST(AnalyticsScenes, ACrowdThatDipsBrieflyStaysCrowded) {
  Scene s(
      R"([{"id":"hall","name":"Hall","kind":"zone","points":[[0,0],[1,0],[1,1],[0,1]],"labels":[],"inertiaFrames":1,"crowdThreshold":2,"crowdSeconds":1}])");
  std::vector<Object> two = {at(1, 0.3f, 0.5f), at(2, 0.6f, 0.5f)}, one = {at(1, 0.3f, 0.5f)};
  for (int k = 0; k < 12; ++k) s.step(two);  // crowded at @10
  for (int k = 0; k < 5; ++k) s.step(one);   // 0.5 s below: not long enough to end it
  for (int k = 0; k < 12; ++k) s.step({at(1, 0.3f, 0.5f), at(4, 0.6f, 0.5f)});
  EXPECT_EQ(s.log.back(), "enter hall 4 person @17");
  int crowded = 0, ended = 0;
  for (auto& l : s.log) crowded += l.rfind("crowded", 0) == 0, ended += l.rfind("crowd-end", 0) == 0;
  EXPECT_EQ(crowded, 1);
  EXPECT_EQ(ended, 0);
  EXPECT_TRUE(s.counts("hall").crowded);
}

TEST(AnalyticsScenes, ZoneDirectionFilterAdmitsOnlyObjectsMovingThatWay) {
  Scene s(
      R"([{"id":"lane","name":"Lane","kind":"zone","points":[[0.3,0],[0.7,0],[0.7,1],[0.3,1]],"labels":[],"inertiaFrames":2,"direction":"right"}])");
  // Track 1 moves right: inside from @4 (x 0.32), enters @5, outside from @12 (x 0.72), exits @13.
  // Track 2 moves left through the same zone and never enters it.
  for (int k = 0; k <= 14; ++k) s.step({at(1, 0.12f + 0.05f * k, 0.3f), at(2, 0.88f - 0.05f * k, 0.7f)});
  EXPECT_EQ(s.log, (std::vector<std::string>{"enter lane 1 person @5", "exit lane 1 person @13"}));
}

TEST(AnalyticsScenes, MasksRemoveDetectionsBeforeTracking) {
  CameraAnalytics a(config(R"({"zones":[{"id":"tree","name":"Tree","kind":"mask","points":[[0,0],[0.5,0],[0.5,0.5],[0,0.5]],"labels":[]},
                                       {"id":"road","name":"Road","kind":"mask","points":[[0.5,0.5],[1,0.5],[1,1],[0.5,1]],"labels":["car"]}],
                              "masks":[[0.8,0,0.2,0.2]]})"),
                    kLabels);
  EXPECT_TRUE(a.hasMasks());
  EXPECT_TRUE(a.counts().empty());
  std::vector<Detection> dets = {
      {Box{100, 100, 40, 80}, 0, 0.9f},  // feet (120,180) in the tree mask: dropped
      {Box{100, 600, 40, 80}, 0, 0.9f},  // feet (120,680): kept
      {Box{700, 700, 40, 80}, 1, 0.9f},  // a car on the road: dropped
      {Box{700, 700, 40, 80}, 0, 0.9f},  // a person on the road: kept (the mask is for cars)
      {Box{880, 50, 40, 80}, 1, 0.9f},   // in the rectangle mask: dropped
  };
  a.applyMasks(&dets, W, H);
  ASSERT_EQ(dets.size(), 2u);
  EXPECT_EQ(dets[0].box.y, 600);
  EXPECT_EQ(dets[1].classId, 0);
  EXPECT_EQ(dets[1].box.x, 700);
}

TEST(AnalyticsConfig, BadInputNamesTheFieldAndTheFix) {
  auto message = [](const std::string& json) {
    try {
      parseConfig(json);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_NE(message("{").find("not valid JSON"), std::string::npos);
  EXPECT_NE(message(R"([{"id":"a","kind":"line","points":[[0,0]]}])").find("zones[0].points needs exactly 2 points"), std::string::npos);
  EXPECT_NE(message(R"([{"id":"a","kind":"zone","points":[[0,0],[1,1],[2,0]]}])").find("zones[0].points[2] must be a point"),
            std::string::npos);
  EXPECT_NE(message(R"([{"id":"a","kind":"ring","points":[]}])").find("zones[0].kind must be 'zone', 'line' or 'mask'"), std::string::npos);
  EXPECT_NE(message(R"([{"id":"a","kind":"line","points":[[0,0],[1,1]],"direction":"left"}])").find("zones[0].direction of a line"),
            std::string::npos);
  EXPECT_NE(message(R"([{"id":"a","points":[[0,0],[1,0],[1,1]],"inertiaFrames":0}])").find("zones[0].inertiaFrames must be between 1"),
            std::string::npos);
  EXPECT_NE(message(R"([{"id":"a","points":[[0,0],[1,0],[1,1]],"referencePoint":"feet"}])").find("zones[0].referencePoint"),
            std::string::npos);
  EXPECT_NE(message(R"([{"id":"a","points":[[0,0],[1,0],[1,1]]},{"id":"a","points":[[0,0],[1,0],[1,1]]}])").find("'a' is used twice"),
            std::string::npos);
  EXPECT_NE(message(R"({"masks":[[0,0,2,1]]})").find("masks[0]"), std::string::npos);
  EXPECT_EQ(message(R"({"zones":[]})"), "(accepted)");
}

TEST(AnalyticsConfig, ALabelTheModelLacksIsRefusedByName) {
  try {
    CameraAnalytics a(config(R"([{"id":"d","kind":"line","points":[[0,0],[1,1]],"labels":["unicorn"]}])"), kLabels);
    FAIL() << "accepted an unknown label";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("label 'unicorn' is not one of the model's labels"), std::string::npos);
  }
}
