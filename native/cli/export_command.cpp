// `vigil-engine export JOB.json` — the job is written by the main process (main/core/export-runner.ts):
//   {"out": FILE.mp4, "segments": [{"path", "start"}], "from": ms, "to": ms,      (wall times)
//    "fromSeconds": s, "toSeconds": s,                  (stream copy: on the joined files' timeline)
//    "boxes": bool, "tracks": [{"label", "boxes": [[ms, x, y, w, h], ...]}], "holdMs": ms}
// stdout, one JSON object a line: {"progress": 0..1} ..., then {"ok": true, "durationSeconds",
// "frames", "bytes", "firstWallMs" (re-encoded: the first frame's wall time)} or {"ok": false, "error"}.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "engine_info.h"
#include "source/export.h"
#include "source/export_boxes.h"

namespace {

using nlohmann::json;

void line(const json& j) {
  std::fputs((j.dump() + "\n").c_str(), stdout);
  std::fflush(stdout);
}

int fail(int code, const std::string& error) {
  line({{"ok", false}, {"error", error}});
  std::fprintf(stderr, "vigil-engine export: %s\n", error.c_str());
  return code;
}

double number(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number() || !std::isfinite(j[key].get<double>()))
    throw std::runtime_error(std::string("'") + key + "' must be a number");
  return j[key].get<double>();
}

vigil::sources::OverlayExport overlayJob(const json& job) {
  vigil::sources::OverlayExport o;
  for (const json& s : job.at("segments")) o.segments.push_back({s.at("path").get<std::string>(), number(s, "start")});
  o.from = number(job, "from");
  o.to = number(job, "to");
  if (job.contains("holdMs")) o.holdMs = number(job, "holdMs");
  for (const json& t : job.value("tracks", json::array())) {
    vigil::sources::OverlayTrack track;
    track.label = t.value("label", "");
    for (const json& b : t.at("boxes")) {
      if (!b.is_array() || b.size() != 5) throw std::runtime_error("each box must be [ms, x, y, w, h]");
      track.samples.push_back({b[0].get<double>(), {b[1].get<float>(), b[2].get<float>(), b[3].get<float>(), b[4].get<float>()}});
    }
    o.tracks.push_back(std::move(track));
  }
  return o;
}

}  // namespace

int exportCommand(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: vigil-engine export JOB.json\n");
    return 2;
  }
  json job;
  try {
    std::ifstream in(argv[2]);
    if (!in) return fail(2, std::string("cannot read the job file ") + argv[2]);
    job = json::parse(in);
  } catch (const std::exception& e) {
    return fail(2, std::string("the job file ") + argv[2] + " is not JSON: " + e.what());
  }
  std::string error;
  if (!vigil::ensureGstreamer(&error)) return fail(1, error);
  auto progress = [last = -1.0](double f) mutable {
    if (f - last >= 0.01 || (f >= 1.0 && last < 1.0)) {
      last = f;
      line({{"progress", std::round(f * 1000) / 1000}});
    }
  };
  vigil::sources::ExportResult r;
  try {
    const std::string out = job.at("out").get<std::string>();
    if (job.value("boxes", false)) {
      r = vigil::sources::exportWithBoxes(overlayJob(job), out, progress);
    } else {
      std::vector<std::string> files;
      for (const json& s : job.at("segments")) files.push_back(s.at("path").get<std::string>());
      const double from = number(job, "fromSeconds"), to = number(job, "toSeconds");
      if (!(from >= 0) || !(to > from)) return fail(2, "need 0 <= fromSeconds < toSeconds");
      r = vigil::sources::exportSegments(files, out, from, to, progress);
    }
  } catch (const std::exception& e) {
    return fail(2, std::string("the job file ") + argv[2] + " is malformed: " + e.what());
  }
  if (!r.ok) return fail(1, r.error);
  json done = {{"ok", true}, {"durationSeconds", r.durationSeconds}, {"frames", r.frames}, {"bytes", r.bytes}};
  if (r.firstWallMs > 0) done["firstWallMs"] = r.firstWallMs;
  line(done);
  return 0;
}
