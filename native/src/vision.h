#pragma once
// Shared vocabulary of the engine stages: boxes, detections, tracks, model output tensors.
// Coordinates are pixels; a Box is top-left x/y plus width/height.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vigil {

struct Box {
  float x = 0, y = 0, w = 0, h = 0;
  float area() const { return w > 0 && h > 0 ? w * h : 0.f; }
  float right() const { return x + w; }
  float bottom() const { return y + h; }
};

float iou(const Box& a, const Box& b);

struct Detection {
  Box box;
  int classId = 0;
  float score = 0;
};

// One output tensor of a model run, float data in row-major order.
struct OutputTensor {
  std::string name;
  std::vector<int64_t> dims;
  const float* data = nullptr;  // not owned
  size_t size() const;
};

// How a frame was fitted into the network input (letterbox keeps aspect, stretch does not).
struct LetterboxTransform {
  float scaleX = 1, scaleY = 1;  // network pixels per source pixel
  float padX = 0, padY = 0;      // network pixels of padding on the left / top
  int srcWidth = 0, srcHeight = 0;
  int netWidth = 0, netHeight = 0;
};

LetterboxTransform makeLetterbox(int srcW, int srcH, int netW, int netH, bool keepAspect);
// Network-space box → source-space box, clipped to the frame.
Box toSource(const LetterboxTransform& t, const Box& netBox);
// Source-space box → network-space box.
Box toNetwork(const LetterboxTransform& t, const Box& srcBox);

enum class ParserKind { YoloV5, YoloV8, NanoDet, CenterNet, Ssd, Detr };
bool parseParserKind(const std::string& name, ParserKind* out);
const char* parserName(ParserKind kind);
// Every parser's canonical name in enum order: the native list (main/api's PARSER_NAMES is tested against it).
std::vector<std::string> parserNames();
// "a, b or c": for messages that list the accepted names.
std::string joinNames(const std::vector<std::string>& names);

struct ClassThreshold {
  float preClusterThreshold = 0.25f;  // minimum score before NMS (DeepStream pre-cluster-threshold)
  float nmsIou = 0.45f;
  int topK = 100;                     // per class, after NMS; <= 0: no limit
};

struct ParseParams {
  int numClasses = 80;
  int netWidth = 640, netHeight = 640;
  ClassThreshold defaults;
  std::vector<ClassThreshold> perClass;  // indexed by class id; falls back to defaults when shorter
  int maxDetections = 300;               // over all classes, after NMS, best scores kept; <= 0: no limit
  // NanoDet: feature-map strides in output order and the distribution-regression bins - 1.
  std::vector<int> strides{8, 16, 32};
  int regMax = 7;
  const ClassThreshold& forClass(int classId) const {
    return classId >= 0 && static_cast<size_t>(classId) < perClass.size() ? perClass[static_cast<size_t>(classId)] : defaults;
  }
};

// Decodes one image's outputs (batch index `batchIndex`) into network-space detections after
// class-wise NMS, per-class thresholds and top-k. Throws std::runtime_error naming the tensor and the
// expected layout when the outputs do not match the parser.
std::vector<Detection> parseOutputs(ParserKind kind, const std::vector<OutputTensor>& outputs, int batchIndex,
                                    const ParseParams& params);

// Per-parser decoders: candidates above each class's pre-cluster threshold, network space, before
// NMS. parseOutputs() dispatches to these, then applies nmsPerClass and maxDetections.
std::vector<Detection> decodeYoloV5(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params);
std::vector<Detection> decodeYoloV8(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params);
std::vector<Detection> decodeNanoDet(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params);
std::vector<Detection> decodeCenterNet(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params);
std::vector<Detection> decodeSsd(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params);
// DETR family (RT-DETR): logits [B, Q, C] before sigmoid + pred_boxes [B, Q, 4] cx, cy, w, h normalised.
std::vector<Detection> decodeDetr(const std::vector<OutputTensor>& outputs, int batchIndex, const ParseParams& params);

// Class-wise non-maximum suppression; input need not be sorted. Keeps at most topK per class.
std::vector<Detection> nmsPerClass(std::vector<Detection> dets, const ParseParams& params);

// ---- tracking ----
enum class TrackerKind { Iou, Sort, ByteTrack };
bool parseTrackerKind(const std::string& name, TrackerKind* out);
const char* trackerName(TrackerKind kind);
// Every tracker's canonical name in enum order (main/api's TRACKER_KINDS is tested against it).
std::vector<std::string> trackerNames();

struct TrackerConfig {
  float iouThreshold = 0.3f;     // minimum IoU to associate
  int maxAge = 30;               // frames a track survives without a detection
  int minHits = 2;               // detections before a track is confirmed (reported)
  float highScore = 0.5f;        // ByteTrack: first-stage threshold
  float lowScore = 0.1f;         // ByteTrack: second-stage threshold
  // A confirmed track that missed this many inferred frames or fewer is still returned by update()
  // (predicted box, matched=false), so one missed detection does not make its box blink.
  int coastFrames = 1;
};

struct TrackedObject {
  int64_t trackId = 0;
  Box box;          // source pixels (predicted when not matched this frame)
  int classId = 0;
  float score = 0;  // of the matched detection this frame, or last one
  bool matched = false;  // had a detection this frame (false: carried by prediction/interval)
};

enum class TrackEventKind { Start, Update, End };

struct TrackEvent {
  TrackEventKind kind;
  int64_t trackId = 0;
  int classId = 0;
  Box box;
  float score = 0;
  // The frame (sequence number) with the highest score so far, for the snapshot.
  int64_t bestFrame = -1;
  float bestScore = 0;
  Box bestBox;
};

// One tracker per source. update() is called once per frame, with detections in source pixels
// (empty on frames the detector skipped: `inferred=false` so tracks coast without aging out).
class Tracker {
 public:
  virtual ~Tracker() = default;
  virtual std::vector<TrackedObject> update(const std::vector<Detection>& dets, int64_t frame, bool inferred,
                                            std::vector<TrackEvent>* events) = 0;
  // Ends every live track (source removed or stream over).
  virtual void flush(std::vector<TrackEvent>* events) = 0;
};

std::unique_ptr<Tracker> makeTracker(TrackerKind kind, const TrackerConfig& config);

}  // namespace vigil
