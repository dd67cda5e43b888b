// Node binding of the engine. Frames never cross here; only metadata, previews and info.
#include <napi.h>

#include "engine_info.h"
#include "inference.h"
#include "ort_runtime.h"
#include "registry.h"

namespace {

Napi::Array toArray(Napi::Env env, const std::vector<std::string>& items) {
  Napi::Array a = Napi::Array::New(env, items.size());
  for (size_t i = 0; i < items.size(); ++i) a.Set(static_cast<uint32_t>(i), items[i]);
  return a;
}

Napi::Value EngineInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  vigil::EngineInfo e = vigil::queryEngineInfo();
  Napi::Object o = Napi::Object::New(env);
  o.Set("engineVersion", e.engineVersion);
  o.Set("gstreamerVersion", e.gstreamerVersion);
  o.Set("onnxRuntimeVersion", e.onnxRuntimeVersion);
  o.Set("executionProviders", toArray(env, e.executionProviders));
  o.Set("hardwareDecoders", toArray(env, e.hardwareDecoders));
  o.Set("nvdec", e.nvdec);
  if (e.gpuName.empty()) {
    o.Set("gpu", env.Null());
  } else {
    Napi::Object gpu = Napi::Object::New(env);
    gpu.Set("name", e.gpuName);
    o.Set("gpu", gpu);
  }
  o.Set("providers", toArray(env, vigil::selectableProviders()));  // what sessions can actually use here
  return o;
}

// runModelOnce(path, { name: { dims: number[], data: Float32Array } }) -> same shape for outputs.
Napi::Value RunModelOnce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject())
    throw Napi::TypeError::New(env, "runModelOnce(modelPath: string, inputs: Record<string, {dims, data}>)");
  std::string path = info[0].As<Napi::String>();
  Napi::Object feeds = info[1].As<Napi::Object>();
  std::map<std::string, vigil::Tensor> inputs;
  Napi::Array names = feeds.GetPropertyNames();
  for (uint32_t i = 0; i < names.Length(); ++i) {
    std::string name = names.Get(i).As<Napi::String>();
    Napi::Object t = feeds.Get(name).As<Napi::Object>();
    vigil::Tensor tensor;
    Napi::Array dims = t.Get("dims").As<Napi::Array>();
    for (uint32_t d = 0; d < dims.Length(); ++d) tensor.dims.push_back(dims.Get(d).As<Napi::Number>().Int64Value());
    Napi::Float32Array data = t.Get("data").As<Napi::Float32Array>();
    tensor.data.assign(data.Data(), data.Data() + data.ElementLength());
    inputs.emplace(name, std::move(tensor));
  }
  std::map<std::string, vigil::Tensor> outputs;
  try {
    outputs = vigil::runModelOnce(path, inputs);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  Napi::Object result = Napi::Object::New(env);
  for (auto& [name, tensor] : outputs) {
    Napi::Object t = Napi::Object::New(env);
    Napi::Array dims = Napi::Array::New(env, tensor.dims.size());
    for (size_t d = 0; d < tensor.dims.size(); ++d) dims.Set(static_cast<uint32_t>(d), static_cast<double>(tensor.dims[d]));
    Napi::Float32Array data = Napi::Float32Array::New(env, tensor.data.size());
    std::copy(tensor.data.begin(), tensor.data.end(), data.Data());
    t.Set("dims", dims);
    t.Set("data", data);
    result.Set(name, t);
  }
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("engineInfo", Napi::Function::New(env, EngineInfo));
  exports.Set("runModelOnce", Napi::Function::New(env, RunModelOnce));
  vigil::binding::registerAll(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(vigil_engine, Init)
