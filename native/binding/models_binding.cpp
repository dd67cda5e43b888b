// decodeDetections(parser, outputs, params): runs the native NanoDet / CenterNet decoders from
// TypeScript (model validation at add time, the vtest.avi evaluation).
#include <napi.h>

#include <map>
#include <string>
#include <vector>

#include "../src/vision.h"
#include "registry.h"

namespace {

Napi::Value DecodeDetections(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsObject() || !info[2].IsObject())
    throw Napi::TypeError::New(env, "decodeDetections(parser: 'nanodet' | 'centernet', outputs: Record<string, {dims, data}>, params)");
  const std::string parser = info[0].As<Napi::String>();
  Napi::Object outs = info[1].As<Napi::Object>();
  Napi::Object p = info[2].As<Napi::Object>();

  vigil::ParseParams params;
  auto num = [&](const char* key, double fallback) {
    Napi::Value v = p.Get(key);
    return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
  };
  params.numClasses = static_cast<int>(num("numClasses", params.numClasses));
  params.netWidth = static_cast<int>(num("netWidth", params.netWidth));
  params.netHeight = static_cast<int>(num("netHeight", params.netHeight));
  params.defaults.preClusterThreshold = static_cast<float>(num("scoreThreshold", params.defaults.preClusterThreshold));
  params.regMax = static_cast<int>(num("regMax", params.regMax));
  if (p.Get("strides").IsArray()) {
    Napi::Array s = p.Get("strides").As<Napi::Array>();
    params.strides.clear();
    for (uint32_t i = 0; i < s.Length(); ++i) params.strides.push_back(s.Get(i).As<Napi::Number>().Int32Value());
  }

  std::vector<vigil::OutputTensor> tensors;
  Napi::Array names = outs.GetPropertyNames();
  for (uint32_t i = 0; i < names.Length(); ++i) {
    std::string name = names.Get(i).As<Napi::String>();
    Napi::Object t = outs.Get(name).As<Napi::Object>();
    vigil::OutputTensor out;
    out.name = name;
    Napi::Array dims = t.Get("dims").As<Napi::Array>();
    for (uint32_t d = 0; d < dims.Length(); ++d) out.dims.push_back(dims.Get(d).As<Napi::Number>().Int64Value());
    Napi::Float32Array data = t.Get("data").As<Napi::Float32Array>();
    size_t expected = 1;
    for (int64_t d : out.dims) expected *= static_cast<size_t>(d > 0 ? d : 0);
    if (expected != data.ElementLength())
      throw Napi::Error::New(env, "output '" + name + "': dims hold " + std::to_string(expected) + " values but data has " + std::to_string(data.ElementLength()));
    out.data = data.Data();
    tensors.push_back(std::move(out));
  }

  std::vector<vigil::Detection> dets;
  try {
    if (parser == "nanodet") dets = vigil::decodeNanoDet(tensors, 0, params);
    else if (parser == "centernet") dets = vigil::decodeCenterNet(tensors, 0, params);
    else throw std::runtime_error("decodeDetections: parser '" + parser + "' is not one of nanodet, centernet");
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
  Napi::Array result = Napi::Array::New(env, dets.size());
  for (size_t i = 0; i < dets.size(); ++i) {
    Napi::Object d = Napi::Object::New(env);
    d.Set("x", dets[i].box.x);
    d.Set("y", dets[i].box.y);
    d.Set("w", dets[i].box.w);
    d.Set("h", dets[i].box.h);
    d.Set("classId", dets[i].classId);
    d.Set("score", dets[i].score);
    result.Set(static_cast<uint32_t>(i), d);
  }
  return result;
}

vigil::binding::Registrar registerModels([](Napi::Env env, Napi::Object exports) {
  exports.Set("decodeDetections", Napi::Function::New(env, DecodeDetections));
});

}  // namespace
