#pragma once
// Source heads: the part of a source's pipeline that depends on its kind (DeepStream's source bins).
// Every head ends where the one decode branch (source/decode.h) begins:
//   test://      videotestsrc → caps                     raw video on a static pad
//   v4l2://      v4l2src → decodebin                     decoded video on pads that appear later
//   file://, http(s)://  uridecodebin                    decoded video on pads that appear later
//   rtsp://      uridecodebin (rtspsrc: latency, timeouts, transport)
// Recording (issue 16) attaches between the parser and the decoder: file, http(s) and rtsp heads of a
// recorded source build urisourcebin → parsebin and hand the parsed elementary stream over as
// HeadOutput::parsed; the decode branch then tees that stream to the recorder (source/record.h) and
// to a decodebin of its own. Raw and decoded heads (test://, v4l2://) are encoded for recording.
// To add a source kind: a scheme in classifyUri (source/uri.cpp), a SourceHead subclass in heads.cpp
// and its case in makeSourceHead(), and a test that plays it (native/tests/pipeline_test.cpp).
#include <gst/gst.h>

#include <memory>
#include <string>

#include "source.h"

namespace vigil::sources {

struct HeadOutput {
  GstElement* raw = nullptr;      // raw video on a static src pad (no decoder)
  GstElement* decoded = nullptr;  // decoded video on "pad-added" pads (decodebin / uridecodebin)
  GstElement* parsed = nullptr;   // recording (issue 16): parsebin, parsed still-encoded stream on "pad-added" pads
};

class SourceHead {
 public:
  virtual ~SourceHead() = default;
  // Adds this kind's elements to `pipeline` (once per connection attempt). False with *error naming
  // the problem and the fix.
  virtual bool build(GstElement* pipeline, HeadOutput* out, std::string* error) = 0;
};

// The head for `uri` (kind from classifyUri). Throws std::runtime_error for parameters the kind
// cannot use (unknown test pattern, relative file path, bad numbers).
std::unique_ptr<SourceHead> makeSourceHead(const std::string& id, const std::string& uri, const SourceKind& kind,
                                           const SourceOptions& options);

}  // namespace vigil::sources
