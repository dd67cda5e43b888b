#include "analytics_js.h"

#include <string>

#include "registry.h"

namespace vigil::binding {

Napi::Array analyticsEvents(Napi::Env env, const std::vector<EngineFrame>& frames) {
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (auto& f : frames)
    for (auto& e : f.analytics) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("camera", f.camera);
      o.Set("zone", e.zone);
      o.Set("kind", analytics::eventKindName(e.kind));
      o.Set("track", e.track >= 0 ? Napi::Value(Napi::Number::New(env, static_cast<double>(e.track))) : env.Null());
      o.Set("label", e.track >= 0 ? Napi::Value(Napi::String::New(env, e.label)) : env.Null());
      o.Set("direction", e.direction == analytics::Crossing::None
                             ? env.Null()
                             : Napi::Value(Napi::String::New(env, e.direction == analytics::Crossing::In ? "in" : "out")));
      o.Set("time", static_cast<double>(f.time));
      o.Set("pts", e.seconds);
      out.Set(n++, o);
    }
  return out;
}

Napi::Array zoneCounts(Napi::Env env, const std::vector<analytics::RegionCounts>& counts) {
  Napi::Array out = Napi::Array::New(env, counts.size());
  for (size_t i = 0; i < counts.size(); ++i) {
    auto& c = counts[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("zone", c.zone);
    o.Set("kind", c.kind == analytics::RegionKind::Line ? "line" : "zone");
    o.Set("inside", static_cast<double>(c.inside));
    o.Set("in", static_cast<double>(c.in));
    o.Set("out", static_cast<double>(c.out));
    o.Set("crowded", c.crowded);
    Napi::Array labels = Napi::Array::New(env, c.labels.size());
    for (size_t k = 0; k < c.labels.size(); ++k) {
      Napi::Object l = Napi::Object::New(env);
      l.Set("label", c.labels[k].label);
      l.Set("inside", static_cast<double>(c.labels[k].inside));
      l.Set("in", static_cast<double>(c.labels[k].in));
      l.Set("out", static_cast<double>(c.labels[k].out));
      labels.Set(static_cast<uint32_t>(k), l);
    }
    o.Set("labels", labels);
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

std::shared_ptr<const analytics::Config> zonesFromJs(Napi::Value v, const char* what) {
  if (v.IsUndefined() || v.IsNull()) return nullptr;
  if (!v.IsString())
    throw Napi::TypeError::New(v.Env(), std::string(what) + " must be the camera's zones as JSON text (JSON.stringify(zones)) or null");
  try {
    return std::make_shared<analytics::Config>(analytics::parseConfig(v.As<Napi::String>().Utf8Value()));
  } catch (const std::exception& e) {
    throw Napi::TypeError::New(v.Env(), std::string(what) + ": " + e.what());
  }
}

namespace {
// checkAnalytics(json): the native parser's verdict on a camera's zones (the number of regions, or a
// TypeError naming the field), so the TypeScript lists and ranges can be tested against it.
const Registrar registrar([](Napi::Env env, Napi::Object exports) {
  exports.Set("checkAnalytics", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
                auto config = zonesFromJs(info.Length() > 0 ? info[0] : info.Env().Undefined(), "checkAnalytics");
                return Napi::Number::New(info.Env(), config ? static_cast<double>(config->regions.size()) : 0);
              }));
});
}  // namespace

}  // namespace vigil::binding
