#pragma once
// Export of recorded video (issue 16): recorded segments joined into one MP4 by stream copy.
//   per file: filesrc → qtdemux → appsink  ⇒  appsrc → h26xparse → mp4mux → filesink
// (each file's timestamps follow the previous file's last frame on one joined timeline)
// The copy starts at the last keyframe at or before `fromSeconds` (a stream copy can start nowhere
// else) and ends after `toSeconds`, both counted on the joined files' timeline.
#include <functional>
#include <string>
#include <vector>

namespace vigil::sources {

struct ExportResult {
  bool ok = false;
  std::string error;
  double durationSeconds = 0;  // of the written file
  int64_t frames = 0;
  int64_t bytes = 0;
  double firstWallMs = 0;  // re-encoded exports: the wall time of the first frame written (0: unknown)
};

// Writes `out` (through out + ".part", renamed at the end). progress(0..1) is called on this thread.
ExportResult exportSegments(const std::vector<std::string>& files, const std::string& out, double fromSeconds, double toSeconds,
                            const std::function<void(double)>& progress);

}  // namespace vigil::sources
