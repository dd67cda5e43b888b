#pragma once
// The one decode branch every source head feeds (GStreamer side of a source):
//   host:   [nvvidconv] → videoconvert → I420 → appsink        (software decoders, raw video)
//   device: capsfilter video/x-raw(memory:CUDAMemory),NV12 → appsink   (NVDEC, frames stay on the GPU)
// chosen per decoded pad, plus the sample → Frame mapping the appsink callback uses.
// Recording (issue 16) lives in source/record.h: it taps the head's parsed stream before the decoder
// here, or encodes raw and decoded video (sources that are not H.264/H.265) through a tee.
#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <string>

#include "source.h"
#include "source/heads.h"
#include "source/record.h"

namespace vigil::sources {

struct DecodeOptions {
  bool sync = false;          // pace by the pipeline clock (files played in real time)
  bool dropStale = false;     // keep only the newest frame (live sources, real-time files)
  bool deviceFrames = false;  // link NVDEC output in CUDA memory when offered
};

// Elements and link state of one pipeline's decode branch; lives as long as that pipeline runs.
struct DecodeBranch {
  GstElement* convert = nullptr;     // entry of the host branch
  GstElement* hostTail = nullptr;    // last element of the host branch
  GstElement* deviceCaps = nullptr;  // entry (and tail) of the device branch; null: host only
  GstElement* sink = nullptr;        // the appsink
  bool deviceLinked = false;         // the device branch was chosen
  // Recording: the writer of this connection (null: not recorded), and whether decoded video must be
  // encoded for it (the parsed stream was neither H.264 nor H.265, or the head only decodes).
  SegmentWriter* recorder = nullptr;
  GstElement* pipeline = nullptr;
  bool encodeDecoded = false;
};

// Hardware decoders win over software ones whenever the plugin is present (once per process).
void preferHardwareDecoders();
// Installs the bus handler that gives every NVDEC decoder one shared CUDA context.
void shareGpuContext(GstBus* bus);

// Builds the branch after `head` into `pipeline` and links it (statically, or when the head's
// decoder adds its video pad). `branch` must outlive the pipeline's streaming.
void buildDecodeBranch(GstElement* pipeline, const HeadOutput& head, const DecodeOptions& options, DecodeBranch* branch);

// Maps a sample of the branch's appsink as a Frame (pixels held until the frame is dropped); false
// when the buffer cannot be mapped. seq, wallMs and decodedAt are left to the caller.
bool frameFromSample(GstSample* sample, Frame* frame);

}  // namespace vigil::sources
