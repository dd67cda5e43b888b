// decodeDetections(parser, outputs, params): the engine's own parsing (decoder, per-class threshold,
// class-wise NMS, top-k, max detections) from TypeScript: model validation at add time, the
// vtest.avi evaluation.
#include <napi.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../src/ort_runtime.h"
#include "tracking/tracker.h"
#include "registry.h"

namespace {

Napi::Value DecodeDetections(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsObject() || !info[2].IsObject())
    throw Napi::TypeError::New(env, "decodeDetections(parser: string, outputs: Record<string, {dims, data}>, params)");
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
  params.defaults.nmsIou = static_cast<float>(num("nmsIou", params.defaults.nmsIou));
  params.defaults.topK = static_cast<int>(num("topK", params.defaults.topK));
  params.maxDetections = static_cast<int>(num("maxDetections", params.maxDetections));
  params.regMax = static_cast<int>(num("regMax", params.regMax));
  // perClass: [{ score?, nmsIou?, topK? } | undefined] indexed by class id; unset fields inherit the defaults.
  if (p.Get("perClass").IsArray()) {
    Napi::Array pc = p.Get("perClass").As<Napi::Array>();
    params.perClass.assign(pc.Length(), params.defaults);
    for (uint32_t i = 0; i < pc.Length(); ++i) {
      if (!pc.Get(i).IsObject()) continue;
      Napi::Object t = pc.Get(i).As<Napi::Object>();
      vigil::ClassThreshold& c = params.perClass[i];
      if (t.Get("score").IsNumber()) c.preClusterThreshold = t.Get("score").As<Napi::Number>().FloatValue();
      if (t.Get("nmsIou").IsNumber()) c.nmsIou = t.Get("nmsIou").As<Napi::Number>().FloatValue();
      if (t.Get("topK").IsNumber()) c.topK = t.Get("topK").As<Napi::Number>().Int32Value();
    }
  }
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
      throw Napi::Error::New(env, "output '" + name + "': dims hold " + std::to_string(expected) + " values but data has " +
                                      std::to_string(data.ElementLength()));
    out.data = data.Data();
    tensors.push_back(std::move(out));
  }

  std::vector<vigil::Detection> dets;
  try {
    vigil::ParserKind kind;
    if (!vigil::parseParserKind(parser, &kind))
      throw std::runtime_error("parser '" + parser + "' is not one of " + vigil::joinNames(vigil::parserNames()));
    dets = vigil::parseOutputs(kind, tensors, 0, params);
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

// runModelTimed(path, inputs, runs): keeps one session per model so that per-frame inference time
// (the vtest.avi benchmark) excludes session creation; returns the last outputs and ms per run.
Napi::Value RunModelTimed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject())
    throw Napi::TypeError::New(env, "runModelTimed(modelPath: string, inputs: Record<string, {dims, data}>, runs?: number)");
  static std::map<std::string, std::unique_ptr<Ort::Session>> sessions;
  const std::string path = info[0].As<Napi::String>();
  const int runs = info.Length() > 2 && info[2].IsNumber() ? std::max(1, info[2].As<Napi::Number>().Int32Value()) : 1;
  try {
    auto& session = sessions[path];
    if (!session) {
      Ort::SessionOptions options;
      options.SetIntraOpNumThreads(2);
      options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
      session = std::make_unique<Ort::Session>(vigil::ortEnv(), path.c_str(), options);
    }
    Ort::AllocatorWithDefaultOptions alloc;
    auto mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    Napi::Object feeds = info[1].As<Napi::Object>();
    std::vector<std::string> inNames, outNames;
    std::vector<std::vector<int64_t>> inDims;
    std::vector<Ort::Value> inValues;
    for (size_t i = 0; i < session->GetInputCount(); ++i) {
      std::string name = session->GetInputNameAllocated(i, alloc).get();
      if (!feeds.Has(name)) throw std::runtime_error("no value given for input '" + name + "'");
      Napi::Object t = feeds.Get(name).As<Napi::Object>();
      Napi::Array dims = t.Get("dims").As<Napi::Array>();
      std::vector<int64_t> d;
      for (uint32_t k = 0; k < dims.Length(); ++k) d.push_back(dims.Get(k).As<Napi::Number>().Int64Value());
      Napi::Float32Array data = t.Get("data").As<Napi::Float32Array>();
      inNames.push_back(name);
      inDims.push_back(d);
      inValues.push_back(
          Ort::Value::CreateTensor<float>(mem, data.Data(), data.ElementLength(), inDims.back().data(), inDims.back().size()));
    }
    for (size_t i = 0; i < session->GetOutputCount(); ++i) outNames.emplace_back(session->GetOutputNameAllocated(i, alloc).get());
    std::vector<const char*> inPtrs, outPtrs;
    for (auto& n : inNames) inPtrs.push_back(n.c_str());
    for (auto& n : outNames) outPtrs.push_back(n.c_str());
    std::vector<Ort::Value> outs;
    auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < runs; ++r)
      outs = session->Run(Ort::RunOptions{nullptr}, inPtrs.data(), inValues.data(), inValues.size(), outPtrs.data(), outPtrs.size());
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / runs;
    Napi::Object result = Napi::Object::New(env);
    Napi::Object outputs = Napi::Object::New(env);
    for (size_t i = 0; i < outs.size(); ++i) {
      auto shape = outs[i].GetTensorTypeAndShapeInfo();
      if (shape.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT)
        throw std::runtime_error("output '" + outNames[i] + "' is not float");
      size_t n = shape.GetElementCount();
      Napi::Float32Array data = Napi::Float32Array::New(env, n);
      std::copy(outs[i].GetTensorData<float>(), outs[i].GetTensorData<float>() + n, data.Data());
      auto dimsVec = shape.GetShape();
      Napi::Array dims = Napi::Array::New(env, dimsVec.size());
      for (size_t d = 0; d < dimsVec.size(); ++d) dims.Set(static_cast<uint32_t>(d), static_cast<double>(dimsVec[d]));
      Napi::Object t = Napi::Object::New(env);
      t.Set("dims", dims);
      t.Set("data", data);
      outputs.Set(outNames[i], t);
    }
    result.Set("outputs", outputs);
    result.Set("ms", ms);
    return result;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, "model '" + path + "': " + e.what());
  }
}

Napi::Array toArray(Napi::Env env, const std::vector<std::string>& items) {
  Napi::Array a = Napi::Array::New(env, items.size());
  for (size_t i = 0; i < items.size(); ++i) a.Set(static_cast<uint32_t>(i), items[i]);
  return a;
}

vigil::binding::Registrar registerModels([](Napi::Env env, Napi::Object exports) {
  exports.Set("decodeDetections", Napi::Function::New(env, DecodeDetections));
  // The native registries, for the test that main/api's PARSER_NAMES and TRACKER_KINDS match them.
  exports.Set("parserNames",
              Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return toArray(info.Env(), vigil::parserNames()); }));
  exports.Set("trackerNames",
              Napi::Function::New(env, [](const Napi::CallbackInfo& info) { return toArray(info.Env(), vigil::trackerNames()); }));
  exports.Set("runModelTimed", Napi::Function::New(env, RunModelTimed));
});

}  // namespace
