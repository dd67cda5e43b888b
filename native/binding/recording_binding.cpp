// Recorded video, off the JS thread:
//   probeRecording(path) → Promise<{durationMs, codec, width, height}>: how much of an MP4 plays (a
//     segment a killed engine left open plays up to its last whole fragment)
//   exportRecording(files, out, fromSeconds, toSeconds, onProgress?) → Promise<{durationMs, frames, bytes}>:
//     the segments joined into one MP4 by stream copy (source/export.h)
#include <napi.h>

#include "engine_info.h"
#include "registry.h"
#include "source/export.h"
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

class ExportWorker : public Napi::AsyncProgressQueueWorker<double> {
 public:
  ExportWorker(Napi::Env env, std::vector<std::string> files, std::string out, double from, double to, Napi::Function onProgress)
      : Napi::AsyncProgressQueueWorker<double>(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        files_(std::move(files)),
        out_(std::move(out)),
        from_(from),
        to_(to) {
    if (!onProgress.IsEmpty()) progress_ = Napi::Persistent(onProgress);
  }
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute(const ExecutionProgress& p) override {
    double lastSent = -1;
    result_ = vigil::sources::exportSegments(files_, out_, from_, to_, [&](double f) {
      if (f - lastSent >= 0.01 || f >= 1.0) {
        lastSent = f;
        p.Send(&f, 1);
      }
    });
  }
  void OnProgress(const double* data, size_t count) override {
    if (!progress_.IsEmpty() && count > 0) progress_.Call({Napi::Number::New(Env(), data[count - 1])});
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (!result_.ok) {
      deferred_.Reject(Napi::Error::New(env, result_.error).Value());
      return;
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("durationMs", result_.durationSeconds * 1000);
    o.Set("frames", static_cast<double>(result_.frames));
    o.Set("bytes", static_cast<double>(result_.bytes));
    deferred_.Resolve(o);
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<std::string> files_;
  std::string out_;
  double from_, to_;
  Napi::FunctionReference progress_;
  vigil::sources::ExportResult result_;
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

Napi::Value ExportRecording(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "exportRecording(files: string[], out: string, fromSeconds: number, toSeconds: number, onProgress?: (fraction) => void)";
  if (info.Length() < 4 || !info[0].IsArray() || !info[1].IsString() || !info[2].IsNumber() || !info[3].IsNumber())
    throw Napi::TypeError::New(env, usage);
  Napi::Array list = info[0].As<Napi::Array>();
  std::vector<std::string> files;
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Value v = list.Get(i);
    if (!v.IsString()) throw Napi::TypeError::New(env, usage);
    files.push_back(v.As<Napi::String>());
  }
  const double from = info[2].As<Napi::Number>().DoubleValue(), to = info[3].As<Napi::Number>().DoubleValue();
  if (!(from >= 0) || !(to > from)) throw Napi::RangeError::New(env, "exportRecording: need 0 <= fromSeconds < toSeconds");
  needGstreamer(env);
  Napi::Function progress = info.Length() > 4 && info[4].IsFunction() ? info[4].As<Napi::Function>() : Napi::Function();
  auto* worker = new ExportWorker(env, std::move(files), info[1].As<Napi::String>(), from, to, progress);
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

const vigil::binding::Registrar registrar([](Napi::Env env, Napi::Object exports) {
  exports.Set("probeRecording", Napi::Function::New(env, ProbeRecording));
  exports.Set("exportRecording", Napi::Function::New(env, ExportRecording));
});

}  // namespace
