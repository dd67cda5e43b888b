// JS class `Engine`: the pipeline in the engine process. Callbacks arrive through thread-safe
// functions, once per batch (metadata), per preview/snapshot JPEG, per stats tick, per source error.
#include <napi.h>

#include <memory>

#include "analytics_js.h"
#include "engine.h"
#include "motion/motion.h"
#include "registry.h"

namespace {

Napi::Array boxArray(Napi::Env env, const vigil::Box& b) {
  Napi::Array a = Napi::Array::New(env, 4);
  a.Set(0u, b.x);
  a.Set(1u, b.y);
  a.Set(2u, b.w);
  a.Set(3u, b.h);
  return a;
}

const char* kindName(vigil::TrackEventKind k) {
  return k == vigil::TrackEventKind::Start ? "start" : k == vigil::TrackEventKind::Update ? "update" : "end";
}

// Copied, not external: Electron's V8 memory cage refuses external ArrayBuffers.
Napi::Uint8Array bytes(Napi::Env env, std::vector<uint8_t>&& data) {
  Napi::Uint8Array a = Napi::Uint8Array::New(env, data.size());
  std::copy(data.begin(), data.end(), a.Data());
  return a;
}

// Forwards engine callbacks into JavaScript. Every call hands heap data to the JS thread.
class JsListener : public vigil::EngineListener {
 public:
  JsListener(Napi::Env env, Napi::Object callbacks) {
    auto make = [&](const char* name) -> Napi::ThreadSafeFunction {
      Napi::Value v = callbacks.Get(name);
      if (!v.IsFunction()) return {};
      return Napi::ThreadSafeFunction::New(env, v.As<Napi::Function>(), std::string("vigil.") + name, 0, 1);
    };
    batch_ = make("onBatch");
    preview_ = make("onPreview");
    snapshot_ = make("onSnapshot");
    stats_ = make("onStats");
    error_ = make("onSourceError");
    segment_ = make("onSegment");
  }
  void setLabels(std::vector<std::string> labels) { labels_ = std::move(labels); }
  void release() {
    for (auto* t : {&batch_, &preview_, &snapshot_, &stats_, &error_, &segment_})
      if (*t) {
        t->Release();
        *t = {};
      }
  }

  void onBatch(vigil::EngineBatch&& b) override {
    if (!batch_) return;
    auto data = std::make_unique<vigil::EngineBatch>(std::move(b));
    auto labels = labels_;
    if (batch_.NonBlockingCall(data.get(), [labels](Napi::Env env, Napi::Function fn, vigil::EngineBatch* raw) {
          std::unique_ptr<vigil::EngineBatch> own(raw);
          Napi::Object out = Napi::Object::New(env);
          Napi::Array frames = Napi::Array::New(env, raw->frames.size());
          auto label = [&](int c) { return c >= 0 && static_cast<size_t>(c) < labels.size() ? labels[size_t(c)] : std::to_string(c); };
          for (size_t i = 0; i < raw->frames.size(); ++i) {
            auto& f = raw->frames[i];
            Napi::Object fo = Napi::Object::New(env);
            fo.Set("camera", f.camera);
            fo.Set("frame", static_cast<double>(f.frame));
            fo.Set("pts", f.pts);
            fo.Set("time", static_cast<double>(f.time));
            fo.Set("width", f.width);
            fo.Set("height", f.height);
            fo.Set("latencyMs", f.latencyMs);
            Napi::Array objs = Napi::Array::New(env, f.objects.size());
            for (size_t k = 0; k < f.objects.size(); ++k) {
              auto& o = f.objects[k];
              Napi::Object oo = Napi::Object::New(env);
              oo.Set("track", static_cast<double>(o.track));
              oo.Set("classId", o.classId);
              oo.Set("label", label(o.classId));
              oo.Set("score", o.score);
              oo.Set("box", boxArray(env, o.box));
              oo.Set("inferred", o.inferred);
              objs.Set(static_cast<uint32_t>(k), oo);
            }
            fo.Set("objects", objs);
            if (!f.counts.empty()) fo.Set("counts", vigil::binding::zoneCounts(env, f.counts));
            frames.Set(static_cast<uint32_t>(i), fo);
          }
          Napi::Array events = Napi::Array::New(env, raw->events.size());
          for (size_t i = 0; i < raw->events.size(); ++i) {
            auto& e = raw->events[i];
            Napi::Object eo = Napi::Object::New(env);
            eo.Set("kind", kindName(e.kind));
            eo.Set("camera", e.camera);
            eo.Set("track", static_cast<double>(e.track));
            eo.Set("classId", e.classId);
            eo.Set("label", label(e.classId));
            eo.Set("time", static_cast<double>(e.time));
            eo.Set("box", boxArray(env, e.box));
            eo.Set("score", e.score);
            Napi::Object best = Napi::Object::New(env);
            best.Set("frame", static_cast<double>(e.bestFrame));
            best.Set("time", static_cast<double>(e.bestTime));
            best.Set("score", e.bestScore);
            best.Set("box", boxArray(env, e.bestBox));
            eo.Set("best", best);
            events.Set(static_cast<uint32_t>(i), eo);
          }
          out.Set("frames", frames);
          out.Set("events", events);
          out.Set("analytics", vigil::binding::analyticsEvents(env, raw->frames));
          fn.Call({out});
        }) == napi_ok)
      data.release();
  }

  void onPreview(vigil::EnginePreview&& p) override {
    if (!preview_) return;
    auto data = std::make_unique<vigil::EnginePreview>(std::move(p));
    if (preview_.NonBlockingCall(data.get(), [](Napi::Env env, Napi::Function fn, vigil::EnginePreview* raw) {
          std::unique_ptr<vigil::EnginePreview> own(raw);
          Napi::Object o = Napi::Object::New(env);
          o.Set("camera", raw->camera);
          o.Set("frame", static_cast<double>(raw->frame));
          o.Set("width", raw->width);
          o.Set("height", raw->height);
          o.Set("jpeg", bytes(env, std::move(raw->jpeg)));
          fn.Call({o});
        }) == napi_ok)
      data.release();
  }

  void onSnapshot(vigil::EngineSnapshot&& s) override {
    if (!snapshot_) return;
    auto data = std::make_unique<vigil::EngineSnapshot>(std::move(s));
    if (snapshot_.NonBlockingCall(data.get(), [](Napi::Env env, Napi::Function fn, vigil::EngineSnapshot* raw) {
          std::unique_ptr<vigil::EngineSnapshot> own(raw);
          Napi::Object o = Napi::Object::New(env);
          o.Set("camera", raw->camera);
          o.Set("track", static_cast<double>(raw->track));
          o.Set("frame", static_cast<double>(raw->frame));
          o.Set("time", static_cast<double>(raw->time));
          o.Set("jpeg", bytes(env, std::move(raw->jpeg)));
          fn.Call({o});
        }) == napi_ok)
      data.release();
  }

  void onStats(std::vector<vigil::EngineStreamStats>&& s) override {
    if (!stats_) return;
    auto data = std::make_unique<std::vector<vigil::EngineStreamStats>>(std::move(s));
    if (stats_.NonBlockingCall(data.get(), [](Napi::Env env, Napi::Function fn, std::vector<vigil::EngineStreamStats>* raw) {
          std::unique_ptr<std::vector<vigil::EngineStreamStats>> own(raw);
          fn.Call({toJs(env, *raw)});
        }) == napi_ok)
      data.release();
  }

  void onSourceError(const std::string& camera, const std::string& message) override {
    if (!error_) return;
    auto data = std::make_unique<std::pair<std::string, std::string>>(camera, message);
    if (error_.NonBlockingCall(data.get(), [](Napi::Env env, Napi::Function fn, std::pair<std::string, std::string>* raw) {
          std::unique_ptr<std::pair<std::string, std::string>> own(raw);
          Napi::Object o = Napi::Object::New(env);
          o.Set("camera", raw->first);
          o.Set("message", raw->second);
          fn.Call({o});
        }) == napi_ok)
      data.release();
  }

  void onSegment(vigil::SegmentInfo&& segment) override {
    if (!segment_) return;
    auto data = std::make_unique<vigil::SegmentInfo>(std::move(segment));
    if (segment_.NonBlockingCall(data.get(), [](Napi::Env env, Napi::Function fn, vigil::SegmentInfo* raw) {
          std::unique_ptr<vigil::SegmentInfo> own(raw);
          Napi::Object o = Napi::Object::New(env);
          o.Set("camera", raw->camera);
          o.Set("path", raw->path);
          o.Set("start", static_cast<double>(raw->startMs));
          o.Set("end", static_cast<double>(raw->endMs));
          o.Set("startPts", raw->startPts);
          o.Set("bytes", static_cast<double>(raw->bytes));
          o.Set("codec", raw->codec);
          o.Set("width", raw->width);
          o.Set("height", raw->height);
          o.Set("encoded", raw->encoded);
          fn.Call({o});
        }) == napi_ok)
      data.release();
  }

  static Napi::Array toJs(Napi::Env env, const std::vector<vigil::EngineStreamStats>& v) {
    Napi::Array a = Napi::Array::New(env, v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      auto& s = v[i];
      Napi::Object o = Napi::Object::New(env);
      o.Set("camera", s.camera);
      o.Set("state", s.state);
      o.Set("error", s.error.empty() ? env.Null() : Napi::String::New(env, s.error));
      o.Set("decodeFps", s.decodeFps);
      o.Set("inferFps", s.inferFps);
      o.Set("droppedFrames", static_cast<double>(s.droppedFrames));
      o.Set("latencyMs", s.latencyMs);
      o.Set("framesDecoded", static_cast<double>(s.framesDecoded));
      o.Set("framesProcessed", static_cast<double>(s.framesProcessed));
      o.Set("framesInferred", static_cast<double>(s.framesInferred));
      o.Set("framesGated", static_cast<double>(s.framesGated));
      a.Set(static_cast<uint32_t>(i), o);
    }
    return a;
  }

 private:
  Napi::ThreadSafeFunction batch_, preview_, snapshot_, stats_, error_, segment_;
  std::vector<std::string> labels_;
};

int intField(Napi::Object o, const char* key, int def) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return def;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("Engine config: '") + key + "' must be a number");
  return v.As<Napi::Number>().Int32Value();
}

class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Engine",
                       {InstanceMethod("addSource", &EngineWrap::AddSource), InstanceMethod("removeSource", &EngineWrap::RemoveSource),
                        InstanceMethod("stats", &EngineWrap::Stats), InstanceMethod("stop", &EngineWrap::Stop),
                        InstanceMethod("info", &EngineWrap::Info), InstanceMethod("setAnalytics", &EngineWrap::SetAnalytics)});
  }

  explicit EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject())
      throw Napi::TypeError::New(
          env, "new Engine(config: { model: string, ... }, callbacks?: { onBatch, onPreview, onSnapshot, onStats, onSourceError })");
    Napi::Object c = info[0].As<Napi::Object>();
    vigil::EngineConfig cfg;
    if (!c.Get("model").IsString()) throw Napi::TypeError::New(env, "Engine config: 'model' (manifest path or model name) is required");
    cfg.model = c.Get("model").As<Napi::String>();
    cfg.batchSize = intField(c, "batchSize", cfg.batchSize);
    cfg.batchedPushTimeoutMs = intField(c, "batchedPushTimeoutMs", cfg.batchedPushTimeoutMs);
    cfg.interval = intField(c, "interval", cfg.interval);
    cfg.previewFps = intField(c, "previewFps", cfg.previewFps);
    cfg.previewWidth = intField(c, "previewWidth", cfg.previewWidth);
    cfg.previewHeight = intField(c, "previewHeight", cfg.previewHeight);
    cfg.statsIntervalMs = intField(c, "statsIntervalMs", cfg.statsIntervalMs);
    cfg.intraOpThreads = intField(c, "intraOpThreads", cfg.intraOpThreads);
    cfg.inferenceRuns = intField(c, "inferenceRuns", cfg.inferenceRuns);
    cfg.liveQueueDepth = intField(c, "liveQueueDepth", cfg.liveQueueDepth);
    if (c.Get("pushWhenIdle").IsBoolean()) cfg.pushWhenIdle = c.Get("pushWhenIdle").As<Napi::Boolean>();
    if (c.Get("snapshots").IsBoolean()) cfg.snapshots = c.Get("snapshots").As<Napi::Boolean>();
    if (c.Get("tracker").IsString()) {
      std::string t = c.Get("tracker").As<Napi::String>();
      if (!vigil::parseTrackerKind(t, &cfg.tracker))
        throw Napi::Error::New(env, "Engine config: tracker '" + t + "' is unknown — use " + vigil::joinNames(vigil::trackerNames()));
    }
    if (c.Get("providers").IsArray()) {
      Napi::Array a = c.Get("providers").As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); ++i) cfg.providers.push_back(a.Get(i).ToString());
    }
    Napi::Object callbacks = info.Length() > 1 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
    listener_ = std::make_unique<JsListener>(env, callbacks);
    try {
      engine_ = std::make_unique<vigil::Engine>(cfg, listener_.get());
    } catch (const std::exception& e) {
      listener_->release();
      throw Napi::Error::New(env, e.what());
    }
    listener_->setLabels(engine_->manifest().labels);
  }

  ~EngineWrap() override { shutdown(); }

 private:
  void shutdown() {
    if (engine_) engine_->stop();  // no engine thread calls the listener after this
    engine_.reset();
    if (listener_) listener_->release();
  }
  vigil::Engine& engine(Napi::Env env) {
    if (!engine_) throw Napi::Error::New(env, "the engine is stopped");
    return *engine_;
  }

  Napi::Value AddSource(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString())
      throw Napi::TypeError::New(
          env,
          "addSource(id: string, uri: string, options?: { loop, realtime, transport, frameInterval, detectFps, motionSensitivity, maxRetries, "
          "analytics })");
    vigil::SourceOptions o;
    std::shared_ptr<const vigil::analytics::Config> zones;
    if (info.Length() > 2 && info[2].IsObject()) {
      Napi::Object opts = info[2].As<Napi::Object>();
      if (opts.Get("loop").IsBoolean()) o.loop = opts.Get("loop").As<Napi::Boolean>();
      if (opts.Get("realtime").IsBoolean()) o.realtime = opts.Get("realtime").As<Napi::Boolean>();
      if (opts.Get("transport").IsString()) o.transport = opts.Get("transport").As<Napi::String>().Utf8Value();
      o.frameInterval = intField(opts, "frameInterval", 1);
      o.maxRetries = intField(opts, "maxRetries", -1);
      if (opts.Has("detectFps") && !opts.Get("detectFps").IsUndefined()) {
        Napi::Value v = opts.Get("detectFps");
        if (!v.IsNumber() || v.As<Napi::Number>().DoubleValue() < 0)
          throw Napi::TypeError::New(env, "addSource: options.detectFps must be a number >= 0 (0: every frame goes to the detector)");
        o.detectFps = v.As<Napi::Number>().DoubleValue();
      }
      if (opts.Has("motionSensitivity") && !opts.Get("motionSensitivity").IsUndefined()) {
        Napi::Value v = opts.Get("motionSensitivity");
        const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
        if (!v.IsNumber() || d != static_cast<int>(d) ||
            (d != 0 && (d < vigil::motion::kMinSensitivity || d > vigil::motion::kMaxSensitivity)))
          throw Napi::TypeError::New(env, "addSource: options.motionSensitivity must be a whole number from " +
                                              std::to_string(vigil::motion::kMinSensitivity) + " to " +
                                              std::to_string(vigil::motion::kMaxSensitivity) + " (0: no motion gating)");
        o.motionSensitivity = static_cast<int>(d);
      }
      zones = vigil::binding::zonesFromJs(opts.Get("analytics"), "addSource: options.analytics");
      Napi::Value rec = opts.Get("record");
      if (rec.IsObject()) {
        Napi::Object r = rec.As<Napi::Object>();
        if (!r.Get("dir").IsString() || r.Get("dir").As<Napi::String>().Utf8Value().empty() ||
            r.Get("dir").As<Napi::String>().Utf8Value()[0] != '/')
          throw Napi::TypeError::New(env, "addSource: options.record.dir must be an absolute folder path");
        o.record.dir = r.Get("dir").As<Napi::String>().Utf8Value();
        Napi::Value seconds = r.Get("segmentSeconds");
        if (!seconds.IsUndefined()) {
          if (!seconds.IsNumber() || seconds.As<Napi::Number>().DoubleValue() < 1 || seconds.As<Napi::Number>().DoubleValue() > 3600)
            throw Napi::TypeError::New(env, "addSource: options.record.segmentSeconds must be a number from 1 to 3600");
          o.record.segmentSeconds = seconds.As<Napi::Number>().DoubleValue();
        }
        o.record.fragmentMs = intField(r, "fragmentMs", 1000);
        if (o.record.fragmentMs < 100 || o.record.fragmentMs > 60000)
          throw Napi::TypeError::New(env, "addSource: options.record.fragmentMs must be from 100 to 60000");
      } else if (!rec.IsUndefined() && !rec.IsNull()) {
        throw Napi::TypeError::New(env, "addSource: options.record must be { dir, segmentSeconds? } or null");
      }
    }
    try {
      engine(env).addSource(info[0].As<Napi::String>(), info[1].As<Napi::String>(), o, zones);
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
    return env.Undefined();
  }

  Napi::Value RemoveSource(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "removeSource(id: string)");
    return Napi::Boolean::New(env, engine(env).removeSource(info[0].As<Napi::String>()));
  }

  // setAnalytics(id, zones: JSON text | null): the camera's zones, live; false when the camera is unknown.
  Napi::Value SetAnalytics(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString()) throw Napi::TypeError::New(env, "setAnalytics(id: string, zones: string | null)");
    auto zones = vigil::binding::zonesFromJs(info[1], "setAnalytics: zones");
    try {
      return Napi::Boolean::New(env, engine(env).setAnalytics(info[0].As<Napi::String>(), zones));
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) { return JsListener::toJs(info.Env(), engine(info.Env()).stats()); }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    shutdown();
    return info.Env().Undefined();
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto& e = engine(env);
    Napi::Object o = Napi::Object::New(env);
    o.Set("model", e.manifest().name);
    o.Set("provider", e.provider());
    o.Set("providerNote", e.providerNote());
    o.Set("batchSize", e.batchSize());
    o.Set("preprocess", e.preprocessPath());
    o.Set("preprocessNote", e.preprocessNote());
    Napi::Array labels = Napi::Array::New(env, e.manifest().labels.size());
    for (size_t i = 0; i < e.manifest().labels.size(); ++i) labels.Set(static_cast<uint32_t>(i), e.manifest().labels[i]);
    o.Set("labels", labels);
    return o;
  }

  std::unique_ptr<JsListener> listener_;
  std::unique_ptr<vigil::Engine> engine_;
};

vigil::binding::Registrar registrar([](Napi::Env env, Napi::Object exports) {
  exports.Set("Engine", EngineWrap::Define(env));
  // The native motion sensitivity range and default, for the test that main/api's MOTION_LIMITS matches them.
  exports.Set("motionSensitivityRange", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                Napi::Object o = Napi::Object::New(info.Env());
                o.Set("min", vigil::motion::kMinSensitivity);
                o.Set("max", vigil::motion::kMaxSensitivity);
                o.Set("default", vigil::motion::kDefaultSensitivity);
                return o;
              }));
});

}  // namespace
