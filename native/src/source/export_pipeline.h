#pragma once
// What the two video exports (export.cpp: stream copy; export_boxes.cpp: boxes burnt in) share:
// reading a pipeline's error, ending an appsrc-fed writer, and moving the finished file into place.
#include <gst/gst.h>

#include <functional>
#include <string>

#include "source/export.h"

namespace vigil::sources {

// The first error message waiting on the pipeline's bus ("" when none), taken off the bus.
std::string busError(GstElement* pipeline);

// Stops and releases a pipeline (nullptr afterwards); nothing when it is already nullptr.
void disposePipeline(GstElement*& pipeline);

// Sends end-of-stream into the writer's appsrc and waits up to `timeoutSeconds` for the file to be
// finished. false with *error set (the pipeline's error, or that `what` did not finish in time).
bool finishWriter(GstElement* pipeline, GstElement* appsrc, int timeoutSeconds, const std::string& what, std::string* error);

// The end of an export: on `error`, the partial file is removed and r.error set; otherwise `part` is
// renamed to `out`, r.bytes, r.durationSeconds (from the last written timestamp) and r.ok are set and
// progress(1) is called. The writer's pipeline is released either way.
ExportResult completeExport(ExportResult r, std::string error, GstElement*& writerPipeline, const std::string& part, const std::string& out,
                            GstClockTime last, const std::function<void(double)>& progress);

}  // namespace vigil::sources
