#include "synthetic.h"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

#include "engine_info.h"

namespace vigil::synthetic {
namespace {

// ---- a minimal protobuf writer: just what ONNX's ModelProto needs ----
class Pb {
 public:
  std::string bytes;
  void varint(uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<char>(v));
  }
  void tag(int field, int wire) { varint(static_cast<uint64_t>(field) << 3 | static_cast<uint64_t>(wire)); }
  Pb& i64(int field, int64_t v) { tag(field, 0); varint(static_cast<uint64_t>(v)); return *this; }
  Pb& str(int field, const std::string& s) { tag(field, 2); varint(s.size()); bytes += s; return *this; }
  Pb& msg(int field, const Pb& m) { return str(field, m.bytes); }
  Pb& f32(int field, float f) {
    tag(field, 5);
    char b[4];
    std::memcpy(b, &f, 4);
    bytes.append(b, 4);
    return *this;
  }
};

Pb tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& data) {
  Pb t;
  for (auto d : dims) t.i64(1, d);
  t.i64(2, 1);  // FLOAT
  t.str(8, name);
  t.str(9, std::string(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(float)));
  return t;
}
Pb tensorI64(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& data) {
  Pb t;
  for (auto d : dims) t.i64(1, d);
  t.i64(2, 7);  // INT64
  t.str(8, name);
  t.str(9, std::string(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(int64_t)));
  return t;
}
Pb attrInts(const std::string& name, const std::vector<int64_t>& v) {
  Pb a;
  a.str(1, name);
  for (auto x : v) a.i64(8, x);
  a.i64(20, 7);  // INTS
  return a;
}
Pb attrInt(const std::string& name, int64_t v) {
  Pb a;
  a.str(1, name);
  a.i64(3, v);
  a.i64(20, 2);  // INT
  return a;
}
Pb node(const std::string& op, const std::vector<std::string>& in, const std::vector<std::string>& out,
        const std::vector<Pb>& attrs = {}) {
  Pb n;
  for (auto& i : in) n.str(1, i);
  for (auto& o : out) n.str(2, o);
  n.str(3, out[0] + "_node");
  n.str(4, op);
  for (auto& a : attrs) n.msg(5, a);
  return n;
}
// A float tensor value with a symbolic batch dimension.
Pb valueInfo(const std::string& name, const std::vector<int64_t>& dims) {
  Pb shape;
  for (size_t i = 0; i < dims.size(); ++i) {
    Pb d;
    if (dims[i] < 0) d.str(2, "batch");
    else d.i64(1, dims[i]);
    shape.msg(1, d);
  }
  Pb tt;
  tt.i64(1, 1);
  tt.msg(2, shape);
  Pb type;
  type.msg(1, tt);
  Pb v;
  v.str(1, name);
  v.msg(2, type);
  return v;
}

}  // namespace

std::string writeSquareDetector(const std::string& dir, const SquareDetectorSpec& s) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  const int gw = (s.netWidth - s.window) / s.stride + 1, gh = (s.netHeight - s.window) / s.stride + 1;
  const int64_t n = static_cast<int64_t>(gw) * gh;
  std::vector<float> boxes(static_cast<size_t>(4 * n));
  for (int gy = 0; gy < gh; ++gy)
    for (int gx = 0; gx < gw; ++gx) {
      size_t i = static_cast<size_t>(gy * gw + gx);
      boxes[i] = gx * s.stride + s.window / 2.f;
      boxes[static_cast<size_t>(n) + i] = gy * s.stride + s.window / 2.f;
      boxes[static_cast<size_t>(2 * n) + i] = static_cast<float>(s.window);
      boxes[static_cast<size_t>(3 * n) + i] = static_cast<float>(s.window);
    }
  Pb g;
  g.str(2, "vigil_square_detector");
  g.msg(1, node("AveragePool", {"images"}, {"pooled"}, {attrInts("kernel_shape", {s.window, s.window}), attrInts("strides", {s.stride, s.stride})}));
  g.msg(1, node("ReduceMean", {"pooled"}, {"gray"}, {attrInts("axes", {1}), attrInt("keepdims", 1)}));
  g.msg(1, node("Reshape", {"gray", "score_shape"}, {"scores_raw"}));
  std::string scores = "scores_raw";
  if (s.workLayers > 0) {
    std::mt19937 rng(7);
    std::normal_distribution<float> nd(0.f, 0.1f);
    std::string x = "images";
    int cin = 3;
    for (int l = 0; l < s.workLayers; ++l) {
      std::vector<float> w(static_cast<size_t>(s.workChannels * cin * 9));
      for (auto& v : w) v = nd(rng);
      std::string wn = "work_w" + std::to_string(l), y = "work_y" + std::to_string(l), r = "work_r" + std::to_string(l);
      g.msg(5, tensor(wn, {s.workChannels, cin, 3, 3}, w));
      g.msg(1, node("Conv", {x, wn}, {y}, {attrInts("pads", {1, 1, 1, 1})}));
      g.msg(1, node("Relu", {y}, {r}));
      x = r;
      cin = s.workChannels;
    }
    g.msg(1, node("ReduceMean", {x}, {"work_mean"}, {attrInts("axes", {1, 2, 3}), attrInt("keepdims", 0)}));
    g.msg(1, node("Reshape", {"work_mean", "work_shape"}, {"work_col"}));
    g.msg(1, node("Mul", {"work_col", "zero"}, {"work_zero"}));
    g.msg(1, node("Add", {"scores_raw", "work_zero"}, {"scores_worked"}));
    g.msg(5, tensorI64("work_shape", {3}, {-1, 1, 1}));
    scores = "scores_worked";
  }
  g.msg(1, node("Mul", {scores, "zero"}, {"zeros"}));
  g.msg(1, node("Add", {"zeros", "cell_boxes"}, {"boxes"}));
  g.msg(1, node("Concat", {"boxes", scores}, {"output0"}, {attrInt("axis", 1)}));
  g.msg(5, tensorI64("score_shape", {3}, {0, 1, -1}));
  g.msg(5, tensor("zero", {1}, {0.f}));
  g.msg(5, tensor("cell_boxes", {1, 4, n}, boxes));
  g.msg(11, valueInfo("images", {-1, 3, s.netHeight, s.netWidth}));
  g.msg(12, valueInfo("output0", {-1, 5, n}));
  Pb opset;
  opset.str(1, "");
  opset.i64(2, 13);
  Pb model;
  model.i64(1, 8);
  model.str(2, "vigil-tests");
  model.msg(8, opset);
  model.msg(7, g);
  {
    std::ofstream f(fs::path(dir) / "squares.onnx", std::ios::binary);
    f << model.bytes;
    if (!f) throw std::runtime_error("cannot write " + (fs::path(dir) / "squares.onnx").string());
  }
  nlohmann::json m = {
      {"vigilManifest", 1},
      {"name", s.workLayers > 0 ? "squares-work" : "squares"},
      {"title", "Bright-square detector (generated for tests)"},
      {"file", "squares.onnx"},
      {"input",
       {{"name", "images"}, {"width", s.netWidth}, {"height", s.netHeight}, {"layout", "NCHW"}, {"colorOrder", "RGB"},
        {"mean", {0, 0, 0}}, {"scale", {1 / 255.0, 1 / 255.0, 1 / 255.0}}, {"resize", "letterbox"}, {"padValue", 114},
        {"batch", "dynamic"}}},
      {"parser", "yolov8"},
      {"labels", {"square"}},
      {"thresholds", {{"default", {{"score", s.scoreThreshold}, {"nmsIou", 0.45}, {"topK", 100}}}}},
      {"maxDetections", 100},
      {"executionProviders", {"cpu"}},
      {"credits", {{"source", "generated by Vigil's test suite"}, {"license", "MIT"}}}};
  std::string path = (fs::path(dir) / "manifest.json").string();
  std::ofstream mf(path);
  mf << m.dump(2) << "\n";
  return path;
}

void writeSquaresClip(const std::string& path, int width, int height, int frames, int fps,
                      const std::vector<MovingSquare>& squares) {
  std::string err;
  if (!ensureGstreamer(&err)) throw std::runtime_error(err);
  GError* gerr = nullptr;
  std::string desc = "appsrc name=src format=time ! videoconvert ! video/x-raw,format=I420 ! x264enc speed-preset=ultrafast tune=zerolatency key-int-max=30 "
                     "bitrate=4000 ! h264parse ! mp4mux ! filesink name=sink";  // 4:2:0: what cameras send and NVDEC decodes
  GstElement* pipe = gst_parse_launch(desc.c_str(), &gerr);
  if (!pipe) {
    std::string m = gerr ? gerr->message : "unknown";
    if (gerr) g_error_free(gerr);
    throw std::runtime_error("cannot build the clip encoder (" + m + ") — install gstreamer1.0-plugins-ugly (x264enc)");
  }
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
  g_object_set(sink, "location", path.c_str(), nullptr);
  gst_object_unref(sink);
  GstElement* src = gst_bin_get_by_name(GST_BIN(pipe), "src");
  GstCaps* caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "RGB", "width", G_TYPE_INT, width, "height",
                                      G_TYPE_INT, height, "framerate", GST_TYPE_FRACTION, fps, 1, nullptr);
  g_object_set(src, "caps", caps, "block", TRUE, "max-bytes", static_cast<guint64>(width) * height * 3 * 4, nullptr);
  gst_caps_unref(caps);
  gst_element_set_state(pipe, GST_STATE_PLAYING);
  const size_t stride = static_cast<size_t>(width) * 3;
  for (int f = 0; f < frames; ++f) {
    GstBuffer* buf = gst_buffer_new_allocate(nullptr, stride * height, nullptr);
    GstMapInfo map;
    gst_buffer_map(buf, &map, GST_MAP_WRITE);
    std::memset(map.data, 0, map.size);
    for (auto& sq : squares) {
      Box b = sq.at(f);
      int x1 = std::max(0, static_cast<int>(b.x)), y1 = std::max(0, static_cast<int>(b.y));
      int x2 = std::min(width, static_cast<int>(b.right())), y2 = std::min(height, static_cast<int>(b.bottom()));
      for (int y = y1; y < y2; ++y) std::memset(map.data + y * stride + x1 * 3, 255, static_cast<size_t>(std::max(0, x2 - x1)) * 3);
    }
    gst_buffer_unmap(buf, &map);
    GST_BUFFER_PTS(buf) = gst_util_uint64_scale(f, GST_SECOND, fps);
    GST_BUFFER_DURATION(buf) = gst_util_uint64_scale(1, GST_SECOND, fps);
    gst_app_src_push_buffer(GST_APP_SRC(src), buf);
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  gst_object_unref(src);
  GstBus* bus = gst_element_get_bus(pipe);
  GstMessage* m = gst_bus_timed_pop_filtered(bus, 120 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  std::string failure;
  if (!m) failure = "timed out";
  else if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
    GError* e = nullptr;
    gst_message_parse_error(m, &e, nullptr);
    failure = e ? e->message : "error";
    if (e) g_error_free(e);
  }
  if (m) gst_message_unref(m);
  gst_object_unref(bus);
  gst_element_set_state(pipe, GST_STATE_NULL);
  gst_object_unref(pipe);
  if (!failure.empty()) throw std::runtime_error("cannot encode the test clip '" + path + "': " + failure);
}

std::vector<MovingSquare> testScene() {
  // Letterboxed into 320x320 at scale 0.5 with 70 px padding on top: y = 20 and 180 land on the
  // detector's 8-pixel anchor rows (80 and 160), so the best window overlaps the square well.
  return {{40, 20, 3, 0, 64}, {520, 180, -3, 0, 64}};
}

}  // namespace vigil::synthetic
