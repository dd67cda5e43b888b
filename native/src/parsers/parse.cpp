// Parser names, the parseOutputs dispatcher and class-wise NMS (nvinfer's clustering step).
#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

#include "parser_common.h"
#include "parsers/parser.h"

namespace vigil {

size_t OutputTensor::size() const {
  if (dims.empty()) return 0;
  size_t n = 1;
  for (int64_t d : dims) n *= d > 0 ? static_cast<size_t>(d) : 0;
  return n;
}

namespace parsers {

std::string shapeString(const std::vector<int64_t>& dims) {
  std::ostringstream s;
  s << '[';
  for (size_t i = 0; i < dims.size(); ++i) s << (i ? ", " : "") << dims[i];
  s << ']';
  return s.str();
}

void throwLayoutError(ParserKind kind, const OutputTensor& tensor, const std::string& expected, const std::string& detail) {
  std::ostringstream s;
  s << "output '" << tensor.name << "' has shape " << shapeString(tensor.dims) << " but parser " << parserName(kind) << " expects "
    << expected;
  if (!detail.empty()) s << " (" << detail << ")";
  s << " — check the manifest's parser and labels (the number of labels is C)";
  throw std::runtime_error(s.str());
}

const OutputTensor& singleOutput(ParserKind kind, const std::vector<OutputTensor>& outputs, const std::string& expected) {
  if (outputs.empty()) {
    throw std::runtime_error(std::string("the model produced no outputs but parser ") + parserName(kind) + " expects " + expected +
                             " — check the manifest's parser");
  }
  return outputs.front();
}

void checkBatch(ParserKind kind, const OutputTensor& tensor, int batchIndex, int64_t batchSize, const std::string& expected) {
  if (batchIndex < 0 || batchIndex >= batchSize) {
    std::ostringstream s;
    s << "output '" << tensor.name << "' has shape " << shapeString(tensor.dims) << " but parser " << parserName(kind)
      << " was asked for batch index " << batchIndex << " (layout " << expected
      << ") — the model's batch is smaller than the engine's batch-size; check the manifest's input.batch";
    throw std::runtime_error(s.str());
  }
  if (tensor.data == nullptr) {
    throw std::runtime_error("output '" + tensor.name + "' has no data (parser " + parserName(kind) + ")");
  }
}

void checkClasses(ParserKind kind, const ParseParams& params) {
  if (params.numClasses <= 0) {
    throw std::runtime_error(std::string("parser ") + parserName(kind) + " was given " + std::to_string(params.numClasses) +
                             " classes — the manifest's labels must list at least one class");
  }
}

float minPreClusterThreshold(const ParseParams& params) {
  float m = params.defaults.preClusterThreshold;
  for (const auto& t : params.perClass) m = std::min(m, t.preClusterThreshold);
  return m;
}

}  // namespace parsers

namespace {
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

bool parseParserKind(const std::string& name, ParserKind* out) {
  const std::string n = lower(name);
  ParserKind k;
  if (n == "yolov5" || n == "yolov7")
    k = ParserKind::YoloV5;
  else if (n == "yolov8" || n == "yolov11" || n == "yolo11")
    k = ParserKind::YoloV8;
  else if (n == "nanodet")
    k = ParserKind::NanoDet;
  else if (n == "centernet")
    k = ParserKind::CenterNet;
  else if (n == "ssd")
    k = ParserKind::Ssd;
  else if (n == "detr" || n == "rtdetr" || n == "rt-detr")
    k = ParserKind::Detr;
  else
    return false;
  if (out) *out = k;
  return true;
}

const char* parserName(ParserKind kind) {
  switch (kind) {
    case ParserKind::YoloV5:
      return "yolov5";
    case ParserKind::YoloV8:
      return "yolov8";
    case ParserKind::NanoDet:
      return "nanodet";
    case ParserKind::CenterNet:
      return "centernet";
    case ParserKind::Ssd:
      return "ssd";
    case ParserKind::Detr:
      return "detr";
  }
  return "unknown";
}

std::vector<std::string> parserNames() {
  std::vector<std::string> names;
  for (int i = 0;; ++i) {  // the enum is dense from 0; parserName() says "unknown" past its end
    const std::string n = parserName(static_cast<ParserKind>(i));
    if (n == "unknown") break;
    names.push_back(n);
  }
  return names;
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return s;
}

std::vector<Detection> nmsPerClass(std::vector<Detection> dets, const ParseParams& params) {
  // Group by class, best score first inside a class: one O(N log N) sort, then greedy NMS per group.
  std::sort(dets.begin(), dets.end(), [](const Detection& a, const Detection& b) {
    if (a.classId != b.classId) return a.classId < b.classId;
    return a.score > b.score;
  });
  size_t out = 0;  // kept detections are compacted to the front in place
  size_t i = 0;
  while (i < dets.size()) {
    const int cls = dets[i].classId;
    const ClassThreshold& t = params.forClass(cls);
    const size_t groupOut = out;
    const size_t limit = t.topK > 0 ? static_cast<size_t>(t.topK) : dets.size();  // topK <= 0: no limit
    for (; i < dets.size() && dets[i].classId == cls; ++i) {
      if (out - groupOut >= limit) continue;  // class full: skip the rest of its group
      const Detection& d = dets[i];
      bool suppressed = false;
      for (size_t k = groupOut; k < out; ++k) {
        if (iou(dets[k].box, d.box) > t.nmsIou) {
          suppressed = true;
          break;
        }
      }
      if (!suppressed) dets[out++] = d;
    }
  }
  dets.resize(out);
  std::sort(dets.begin(), dets.end(), [](const Detection& a, const Detection& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.classId < b.classId;
  });
  return dets;
}

std::vector<Detection> parseOutputs(ParserKind kind, const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params) {
  parsers::checkClasses(kind, params);
  std::vector<Detection> candidates;
  switch (kind) {
    case ParserKind::YoloV5:
      candidates = decodeYoloV5(outputs, batchIndex, params);
      break;
    case ParserKind::YoloV8:
      candidates = decodeYoloV8(outputs, batchIndex, params);
      break;
    case ParserKind::NanoDet:
      candidates = decodeNanoDet(outputs, batchIndex, params);
      break;
    case ParserKind::CenterNet:
      candidates = decodeCenterNet(outputs, batchIndex, params);
      break;
    case ParserKind::Ssd:
      candidates = decodeSsd(outputs, batchIndex, params);
      break;
    case ParserKind::Detr:
      candidates = decodeDetr(outputs, batchIndex, params);
      break;
  }
  std::vector<Detection> kept = nmsPerClass(std::move(candidates), params);  // sorted by score, best first
  if (params.maxDetections > 0 && kept.size() > static_cast<size_t>(params.maxDetections)) {
    kept.resize(static_cast<size_t>(params.maxDetections));
  }
  return kept;
}

}  // namespace vigil
