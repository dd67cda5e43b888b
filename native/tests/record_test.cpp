// Recording (source/record.h): an H.264 file is recorded by stream copy and a raw source is encoded;
// segments close at keyframes, are reported on the source's clock, play back, and export joins them.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "source.h"
#include "source/export.h"
#include "source/record.h"
#include "support/test_support.h"
#include "synthetic.h"

namespace {

struct Recorded {
  std::mutex mu;
  std::vector<vigil::SegmentInfo> segments;
  std::vector<std::string> errors;
  std::vector<std::pair<double, int64_t>> frames;  // (pts, wallMs) of delivered frames
};

std::vector<vigil::SegmentInfo> record(const std::string& uri, const std::filesystem::path& dir, bool realtime, int ms, Recorded* out) {
  vigil::SourceOptions o;
  o.realtime = realtime;
  o.loop = false;
  o.record.dir = dir.string();
  o.record.segmentSeconds = 1.5;
  vigil::SourceCallbacks cb;
  cb.onFrame = [out](vigil::Frame&& f) {
    std::lock_guard l(out->mu);
    out->frames.emplace_back(f.pts, f.wallMs);
  };
  cb.onError = [out](const std::string& m) {
    std::lock_guard l(out->mu);
    out->errors.push_back(m);
  };
  cb.onSegment = [out](vigil::SegmentInfo&& s) {
    std::lock_guard l(out->mu);
    out->segments.push_back(std::move(s));
  };
  vigil::Source src("cam", uri, o, cb);
  src.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  src.stop();
  std::lock_guard l(out->mu);
  return out->segments;
}

}  // namespace

TEST(Record, H264FileIsCopiedIntoKeyframeSegmentsOnTheFramesClock) {
  auto dir = vigil::testing::tmpRoot("record") / "h264";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto clip = (dir / "clip.mp4").string();
  // 3 s at 30 fps with a keyframe every 30 frames: segments of at most 1.5 s close after each second.
  vigil::synthetic::writeSquaresClip(clip, 320, 240, 90, 30, {{20, 20, 2, 1, 40}});
  Recorded r;
  auto segments = record("file://" + clip, dir / "segments", true, 4500, &r);
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  ASSERT_GE(segments.size(), 2u);
  double total = 0;
  for (const auto& s : segments) {
    EXPECT_EQ(s.codec, "h264");
    EXPECT_FALSE(s.encoded);
    EXPECT_EQ(s.width, 320);
    EXPECT_GT(s.bytes, 0);
    EXPECT_LE(s.durationSeconds, 1.55);
    auto probe = vigil::sources::probeRecording(s.path);
    ASSERT_TRUE(probe.ok) << probe.error;
    EXPECT_NEAR(probe.durationSeconds, s.durationSeconds, 0.25);
    total += s.durationSeconds;
    // One clock: the segment's wall time is the frames' wall time at its stream time (real time: ±1
    // frame + scheduling). The first half second is left out: a file's first frames are decoded before
    // the clock runs (preroll), so wall time is not yet linear in stream time there.
    for (const auto& [pts, wall] : r.frames) {
      if (pts >= s.startPts && pts < s.startPts + s.durationSeconds && pts > 0.5) {
        EXPECT_NEAR(static_cast<double>(wall), static_cast<double>(s.startMs) + (pts - s.startPts) * 1000, 150) << "pts " << pts;
      }
    }
  }
  EXPECT_NEAR(total, 3.0, 0.35);
  // Export joins them into one file that holds every frame.
  std::vector<std::string> files;
  for (const auto& s : segments) files.push_back(s.path);
  std::sort(files.begin(), files.end());
  auto joined = vigil::sources::exportSegments(files, (dir / "joined.mp4").string(), 0, 100, nullptr);
  ASSERT_TRUE(joined.ok) << joined.error;
  EXPECT_EQ(joined.frames, 90);
  auto probe = vigil::sources::probeRecording((dir / "joined.mp4").string());
  ASSERT_TRUE(probe.ok) << probe.error;
  EXPECT_NEAR(probe.durationSeconds, 3.0, 0.2);
}

TEST(Record, RawSourceIsEncodedToH264) {
  auto dir = vigil::testing::tmpRoot("record") / "raw";
  std::filesystem::remove_all(dir);
  Recorded r;
  auto segments = record("test://ball?width=320&height=240&fps=15&live=true", dir, false, 3000, &r);
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  ASSERT_GE(segments.size(), 1u);
  for (const auto& s : segments) {
    EXPECT_TRUE(s.encoded);
    EXPECT_EQ(s.codec, "h264");
    EXPECT_LT(s.startPts, 100.0);  // the frames' clock, not the encoder's 1000 h offset
    EXPECT_TRUE(vigil::sources::probeRecording(s.path).ok);
  }
}

TEST(Record, ProbeAndExportRefuseWhatIsNotARecording) {
  auto dir = vigil::testing::tmpRoot("record") / "bad";
  std::filesystem::create_directories(dir);
  const auto junk = (dir / "junk.mp4").string();
  { std::ofstream(junk) << "not a video"; }
  EXPECT_FALSE(vigil::sources::probeRecording(junk).ok);
  EXPECT_FALSE(vigil::sources::probeRecording((dir / "missing.mp4").string()).ok);
  auto r = vigil::sources::exportSegments({junk}, (dir / "out.mp4").string(), 0, 10, nullptr);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(std::filesystem::exists(dir / "out.mp4"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out.mp4.part"));
}
