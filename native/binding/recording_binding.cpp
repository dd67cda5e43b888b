// Recorded video, off the JS thread:
//   probeRecording(path) → Promise<{durationMs, codec, width, height}>: how much of an MP4 plays (a
//     segment a killed engine left open plays up to its last whole fragment)
// (Exports run in `vigil-engine export`, a process of their own: main/core/engine-export.ts.)
#include <napi.h>

#include "engine_info.h"
#include "registry.h"
#include "source/record.h"

namespace {

class ProbeRecordingWorker : public Napi::AsyncWorker {
 public:
  ProbeRecordingWorker(Napi::Env env, std::string path)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), path_(std::move(path)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override { result_ = vigil::sources::probeRecording(path_); }
  void OnOK() override {
    Napi::Env env = Env();
    if (!result_.ok) {
      deferred_.Reject(Napi::Error::New(env, result_.error).Value());
      return;
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("durationMs", result_.durationSeconds * 1000);
    o.Set("codec", result_.codec);
    o.Set("width", result_.width);
    o.Set("height", result_.height);
    deferred_.Resolve(o);
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::string path_;
  vigil::sources::RecordingProbe result_;
};

void needGstreamer(Napi::Env env) {
  std::string err;
  if (!vigil::ensureGstreamer(&err)) throw Napi::Error::New(env, err);
}

Napi::Value ProbeRecording(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "probeRecording(path: string)");
  needGstreamer(env);
  auto* worker = new ProbeRecordingWorker(env, info[0].As<Napi::String>());  // owned and deleted by node-addon-api
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

const vigil::binding::Registrar registrar([](Napi::Env env, Napi::Object exports) {
  exports.Set("probeRecording", Napi::Function::New(env, ProbeRecording));
});

}  // namespace
