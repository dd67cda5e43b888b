#pragma once
// The analytics stage's results as JavaScript values (main/api/engine-types.ts: AnalyticsEvent,
// ZoneCounts), and a camera's zones from JavaScript (the workspace's Zone list as JSON text).
#include <napi.h>

#include <memory>
#include <vector>

#include "engine.h"

namespace vigil::binding {

// Every analytics event of the batch's frames, each with its camera and frame time.
Napi::Array analyticsEvents(Napi::Env env, const std::vector<EngineFrame>& frames);
Napi::Array zoneCounts(Napi::Env env, const std::vector<analytics::RegionCounts>& counts);
// JSON text (a Zone list, or { zones, masks }) → config; null/undefined → nullptr. Throws a JS
// TypeError naming `what` and the field when the text is bad.
std::shared_ptr<const analytics::Config> zonesFromJs(Napi::Value v, const char* what);

}  // namespace vigil::binding
