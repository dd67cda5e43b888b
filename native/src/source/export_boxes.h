#pragma once
// Export with the boxes burnt in (issue 16, `vigil export --boxes`): recorded segments decoded,
// each frame's stored boxes and labels drawn by the OSD's drawing code (overlay.h), re-encoded.
//   per file: filesrc → decodebin → videoconvert → RGB appsink
//   ⇒ draw ⇒ appsrc → videoconvert → x264enc → h264parse → mp4mux → filesink
// One clock (ARCHITECTURE.md): a frame at media time t of a segment that starts at wall time `start`
// is the frame of wall time start + 1000 t, and it shows the boxes stored for that wall time.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "image.h"
#include "source/export.h"

namespace vigil::sources {

struct OverlaySample {
  double time = 0;  // wall ms
  Box box;
};

// One track's stored boxes, in time order.
struct OverlayTrack {
  std::string label;  // drawn on the tag, e.g. "person #12"
  std::vector<OverlaySample> samples;
};

struct OverlaySegment {
  std::string path;
  double start = 0;  // wall ms of the file's media time 0
};

struct OverlayExport {
  std::vector<OverlaySegment> segments;  // in time order
  double from = 0, to = 0;               // wall ms: frames outside are left out
  std::vector<OverlayTrack> tracks;
  // A box stays drawn this long after its stored time when no later one comes (boxes stored at a
  // few per second, or every inferred frame when the detector skips frames); never past the track's last box.
  double holdMs = 1000;
  // x264's constant quality (lower: better and larger).
  int quantizer = 23;
};

// Which boxes show at wall time `w` (tolerance: half a frame), for tracks sorted by their first sample.
// Exposed for the tests; `cursor` and `active` carry the sweep between calls with rising `w`.
struct OverlaySweep {
  size_t next = 0;
  std::vector<size_t> active;
};
void overlayBoxesAt(const OverlayExport& job, double w, double tolerance, OverlaySweep* sweep,
                    std::vector<std::pair<const OverlayTrack*, Box>>* out);

// Writes `out` (through out + ".part", renamed at the end). progress(0..1) is called on this thread.
ExportResult exportWithBoxes(OverlayExport job, const std::string& out, const std::function<void(double)>& progress);

}  // namespace vigil::sources
