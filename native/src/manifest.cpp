#include "manifest.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace vigil {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("model manifest '" + path + "': " + what);
}

void readTriple(const json& j, const char* key, float out[3], const std::string& path) {
  if (!j.contains(key)) return;
  const json& v = j[key];
  if (!v.is_array() || v.size() != 3 || !v[0].is_number() || !v[1].is_number() || !v[2].is_number())
    fail(path, std::string("input.") + key + " must be an array of 3 numbers");
  for (int i = 0; i < 3; ++i) out[i] = v[size_t(i)].get<float>();
}

// The manifest's "input" section as the letterbox reads it (MANIFEST.md lists the fields).
TensorFormat readTensorFormat(const json& inp, const std::string& path) {
  TensorFormat f;
  f.width = inp.value("width", 0);
  f.height = inp.value("height", 0);
  if (f.width <= 0 || f.height <= 0 || f.width > 8192 || f.height > 8192) fail(path, "input.width/height must be positive network sizes");
  std::string layout = inp.value("layout", "NCHW");
  if (layout != "NCHW" && layout != "NHWC") fail(path, "input.layout must be NCHW or NHWC, not '" + layout + "'");
  f.layout = layout == "NCHW" ? TensorLayout::Nchw : TensorLayout::Nhwc;
  std::string order = inp.value("colorOrder", "RGB");
  if (order != "RGB" && order != "BGR") fail(path, "input.colorOrder must be RGB or BGR");
  f.bgr = order == "BGR";
  readTriple(inp, "mean", f.mean, path);
  readTriple(inp, "scale", f.scale, path);
  std::string resize = inp.value("resize", "letterbox");
  if (resize != "letterbox" && resize != "stretch") fail(path, "input.resize must be letterbox or stretch");
  f.keepAspect = resize == "letterbox";
  f.padValue = static_cast<float>(inp.value("padValue", 114));
  return f;
}

void readThreshold(const json& j, ClassThreshold* t, const std::string& path) {
  if (!j.is_object()) fail(path, "thresholds entries must be objects like {\"score\": 0.3}");
  if (j.contains("score")) t->preClusterThreshold = j["score"].get<float>();
  if (j.contains("nmsIou")) t->nmsIou = j["nmsIou"].get<float>();
  if (j.contains("topK")) t->topK = j["topK"].get<int>();
}
}  // namespace

TensorFormat parseTensorFormat(const std::string& inputJson, const std::string& what) {
  try {
    const json inp = json::parse(inputJson);
    if (!inp.is_object()) fail(what, "\"input\" must be an object");
    return readTensorFormat(inp, what);
  } catch (const json::exception& e) {
    fail(what, std::string("\"input\" is not valid (") + e.what() + ")");
  }
}

std::string resolveManifest(const std::string& nameOrPath) {
  fs::path p(nameOrPath);
  if (fs::is_regular_file(p)) return p.string();
  if (fs::is_directory(p) && fs::is_regular_file(p / "manifest.json")) return (p / "manifest.json").string();
  std::vector<fs::path> roots;
  if (const char* env = std::getenv("VIGIL_MODELS")) roots.emplace_back(env);
  roots.emplace_back("resources/models");
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);  // native/build/<binary> → the project's resources
  if (!ec) roots.push_back(exe.parent_path().parent_path().parent_path() / "resources" / "models");
  for (auto& r : roots) {
    for (auto cand : {r / nameOrPath / "manifest.json", r / (nameOrPath + ".json"), r / "generated" / (nameOrPath + ".json")})
      if (fs::is_regular_file(cand)) return cand.string();
  }
  throw std::runtime_error("model '" + nameOrPath +
                           "': no manifest found (looked for a file, NAME/manifest.json under VIGIL_MODELS and "
                           "resources/models) — pass the path of the model's manifest.json");
}

std::string shippedDefaultManifest() {
  std::vector<fs::path> roots;
  if (const char* env = std::getenv("VIGIL_MODELS")) roots.emplace_back(env);
  roots.emplace_back("resources/models");
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) roots.push_back(exe.parent_path().parent_path().parent_path() / "resources" / "models");
  for (auto& r : roots) {
    std::ifstream in(r / "default.json");
    if (!in) continue;
    try {
      auto rel = json::parse(in).at("defaultModel").get<std::string>();
      if (fs::is_regular_file(r / rel)) return (r / rel).string();
    } catch (const json::exception&) {
      continue;
    }
  }
  return "";
}

ModelManifest loadManifest(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(path, "cannot be read — check the path");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    fail(path, std::string("is not valid JSON (") + e.what() + ")");
  }
  ModelManifest m;
  m.path = path;
  try {
    if (!j.is_object()) fail(path, "must be a JSON object");
    if (j.value("vigilManifest", 0) != 1) fail(path, "\"vigilManifest\": 1 is missing (unknown manifest version)");
    m.name = j.value("name", fs::path(path).parent_path().filename().string());
    if (!j.contains("file") || !j["file"].is_string()) fail(path, "\"file\" (the ONNX file) is missing");
    fs::path model = fs::path(path).parent_path() / j["file"].get<std::string>();
    if (!fs::is_regular_file(model)) fail(path, "ONNX file '" + model.string() + "' does not exist");
    m.modelFile = model.string();
    if (j.contains("fp16File")) {
      if (!j["fp16File"].is_string()) fail(path, "\"fp16File\" must name the FP16 variant's .onnx file, relative to the manifest");
      fs::path half = fs::path(path).parent_path() / j["fp16File"].get<std::string>();
      if (!fs::is_regular_file(half))
        fail(path, "FP16 variant '" + half.string() + "' (\"fp16File\") does not exist — run set-up again or remove the field");
      m.fp16ModelFile = half.string();
    }
    if (!j.contains("input") || !j["input"].is_object()) fail(path, "\"input\" is missing");
    const json& inp = j["input"];
    m.inputName = inp.value("name", "");
    m.input = readTensorFormat(inp, path);
    if (inp.contains("batch")) {
      if (inp["batch"].is_number_integer())
        m.fixedBatch = inp["batch"].get<int>();
      else if (inp["batch"] != "dynamic")
        fail(path, "input.batch must be \"dynamic\" or a number");
    }
    std::string parser = j.value("parser", "");
    if (!parseParserKind(parser, &m.parser)) fail(path, "parser '" + parser + "' is unknown — use " + joinNames(parserNames()));
    if (!j.contains("labels") || !j["labels"].is_array() || j["labels"].empty()) fail(path, "\"labels\" must list the class names");
    for (auto& l : j["labels"]) m.labels.push_back(l.get<std::string>());
    m.params.numClasses = static_cast<int>(m.labels.size());
    m.params.netWidth = m.input.width;
    m.params.netHeight = m.input.height;
    if (j.contains("parserOptions")) {
      const json& po = j["parserOptions"];
      if (po.contains("strides")) m.params.strides = po["strides"].get<std::vector<int>>();
      if (po.contains("regMax")) m.params.regMax = po["regMax"].get<int>();
    }
    if (j.contains("thresholds")) {
      const json& th = j["thresholds"];
      if (th.contains("default")) readThreshold(th["default"], &m.params.defaults, path);
      if (th.contains("perClass")) {
        m.params.perClass.assign(m.labels.size(), m.params.defaults);
        for (auto& [label, v] : th["perClass"].items()) {
          auto it = std::find(m.labels.begin(), m.labels.end(), label);
          if (it == m.labels.end()) fail(path, "thresholds.perClass names '" + label + "', which is not in labels");
          readThreshold(v, &m.params.perClass[size_t(it - m.labels.begin())], path);
        }
      }
    }
    m.params.maxDetections = j.value("maxDetections", 300);
    if (j.contains("executionProviders")) m.executionProviders = j["executionProviders"].get<std::vector<std::string>>();
    const std::string precision = j.value("precision", "fp32");
    if (precision != "fp32" && precision != "fp16") fail(path, "precision must be \"fp32\" or \"fp16\", not '" + precision + "'");
    m.fp16 = precision == "fp16";
  } catch (const json::exception& e) {
    fail(path, std::string("has a field of the wrong type (") + e.what() + ")");
  }
  return m;
}

}  // namespace vigil
