// probe(uri, timeoutMs) → Promise<{width, height}>: the add-camera connection test, off the JS thread.
#include <napi.h>

#include "probe.h"
#include "registry.h"

namespace {

class ProbeWorker : public Napi::AsyncWorker {
 public:
  ProbeWorker(Napi::Env env, std::string uri, int timeoutMs)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), uri_(std::move(uri)), timeoutMs_(timeoutMs) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override { result_ = vigil::probeSource(uri_, timeoutMs_); }
  void OnOK() override {
    Napi::Env env = Env();
    if (!result_.ok) {
      deferred_.Reject(Napi::Error::New(env, result_.error).Value());
      return;
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("width", result_.width);
    o.Set("height", result_.height);
    deferred_.Resolve(o);
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::string uri_;
  int timeoutMs_;
  vigil::ProbeResult result_;
};

Napi::Value Probe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "probe(uri: string, timeoutMs?: number)");
  int timeoutMs = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 8000;
  auto* worker = new ProbeWorker(env, info[0].As<Napi::String>(), timeoutMs);  // owned and deleted by node-addon-api
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

const vigil::binding::Registrar registrar([](Napi::Env env, Napi::Object exports) {
  exports.Set("probe", Napi::Function::New(env, Probe));
});

}  // namespace
