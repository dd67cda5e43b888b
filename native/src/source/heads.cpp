#include "source/heads.h"

#include <stdexcept>

#include "source/uri.h"

namespace vigil::sources {

namespace {

// test://PATTERN?width=W&height=H&fps=F&live=false: videotestsrc at a fixed size and rate.
class TestHead : public SourceHead {
 public:
  TestHead(std::string id, std::string uri, bool live) : id_(std::move(id)), uri_(std::move(uri)), live_(live) {
    auto p = queryParams(uri_);
    width_ = intParam(p, "width", 640, uri_);
    height_ = intParam(p, "height", 480, uri_);
    fps_ = intParam(p, "fps", 30, uri_);
    const std::string base = uri_.substr(7);
    pattern_ = base.substr(0, base.find('?'));
    if (!pattern_.empty()) {
      GstElement* probe = gst_element_factory_make("videotestsrc", nullptr);
      if (!probe) throw std::runtime_error("'" + uri_ + "': videotestsrc is missing — install gstreamer1.0-plugins-base");
      const bool ok = setPattern(probe);
      gst_object_unref(gst_object_ref_sink(probe));
      if (!ok) throw std::runtime_error("'" + uri_ + "': unknown test pattern '" + pattern_ + "' — use e.g. ball, smpte, snow, black");
    }
  }

  bool build(GstElement* pipeline, HeadOutput* out, std::string* error) override {
    GstElement* src = gst_element_factory_make("videotestsrc", nullptr);
    if (!src) {
      *error = "camera '" + id_ + "': " + uri_ + ": videotestsrc is missing — install gstreamer1.0-plugins-base";
      return false;
    }
    if (!pattern_.empty() && !setPattern(src)) {
      *error = "camera '" + id_ + "': " + uri_ + ": unknown test pattern '" + pattern_ + "' — use e.g. ball, smpte, snow, black";
      gst_object_unref(gst_object_ref_sink(src));
      return false;
    }
    g_object_set(src, "is-live", live_ ? TRUE : FALSE, nullptr);
    GstElement* caps = gst_element_factory_make("capsfilter", nullptr);
    GstCaps* c = gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, width_, "height", G_TYPE_INT, height_, "framerate",
                                     GST_TYPE_FRACTION, fps_, 1, nullptr);
    g_object_set(caps, "caps", c, nullptr);
    gst_caps_unref(c);
    gst_bin_add_many(GST_BIN(pipeline), src, caps, nullptr);
    gst_element_link(src, caps);
    out->raw = caps;
    return true;
  }

 private:
  bool setPattern(GstElement* src) const {
    GParamSpec* spec = g_object_class_find_property(G_OBJECT_GET_CLASS(src), "pattern");
    GValue v = G_VALUE_INIT;
    g_value_init(&v, spec->value_type);
    const bool ok = gst_value_deserialize(&v, pattern_.c_str());
    if (ok) g_object_set_property(G_OBJECT(src), "pattern", &v);
    g_value_unset(&v);
    return ok;
  }
  std::string id_, uri_, pattern_;
  bool live_;
  int width_ = 640, height_ = 480, fps_ = 30;
};

// v4l2:///dev/videoN: the camera's own formats (raw or MJPEG/H.264) through decodebin.
class V4l2Head : public SourceHead {
 public:
  V4l2Head(std::string id, std::string uri) : id_(std::move(id)), uri_(std::move(uri)) {}
  bool build(GstElement* pipeline, HeadOutput* out, std::string* error) override {
    GstElement* src = gst_element_factory_make("v4l2src", nullptr);
    if (!src) {
      *error = "camera '" + id_ + "': " + uri_ + ": the v4l2src element is missing — install gstreamer1.0-plugins-good";
      return false;
    }
    g_object_set(src, "device", uri_.substr(7).c_str(), nullptr);
    GstElement* decode = gst_element_factory_make("decodebin", nullptr);
    gst_bin_add_many(GST_BIN(pipeline), src, decode, nullptr);
    gst_element_link(src, decode);
    out->decoded = decode;
    return true;
  }

 private:
  std::string id_, uri_;
};

// Files and HTTP streams: uridecodebin picks the source element, the demuxer and the decoder.
class UriHead : public SourceHead {
 public:
  UriHead(std::string uri, bool record) : uri_(std::move(uri)), record_(record) {}
  bool build(GstElement* pipeline, HeadOutput* out, std::string* error) override {
    if (record_) return buildParsed(pipeline, out, error);
    GstElement* decode = gst_element_factory_make("uridecodebin", nullptr);
    g_object_set(decode, "uri", uri_.c_str(), nullptr);
    g_signal_connect(decode, "source-setup", G_CALLBACK(onSourceSetup), this);
    gst_bin_add(GST_BIN(pipeline), decode);
    out->decoded = decode;
    return true;
  }

 protected:
  // Called with the source element uridecodebin made for the URI.
  virtual void setUp(GstElement* src) {
    GObjectClass* klass = G_OBJECT_GET_CLASS(src);
    if (g_object_class_find_property(klass, "timeout") && G_OBJECT_TYPE_NAME(src) == std::string("GstSoupHTTPSrc"))
      g_object_set(src, "timeout", 10u, nullptr);
  }

 private:
  static void onSourceSetup(GstElement*, GstElement* src, gpointer self) { static_cast<UriHead*>(self)->setUp(src); }
  // Recorded: urisourcebin → parsebin; the decode branch decodes (and records) the parsed pads.
  bool buildParsed(GstElement* pipeline, HeadOutput* out, std::string* error) {
    GstElement* source = gst_element_factory_make("urisourcebin", nullptr);
    GstElement* parse = gst_element_factory_make("parsebin", nullptr);
    if (!source || !parse) {
      for (GstElement* e : {source, parse})
        if (e) gst_object_unref(gst_object_ref_sink(e));
      *error = uri_ + ": urisourcebin/parsebin are missing — install gstreamer1.0-plugins-base 1.22";
      return false;
    }
    g_object_set(source, "uri", uri_.c_str(), nullptr);
    g_signal_connect(source, "source-setup", G_CALLBACK(onSourceSetup), this);
    g_signal_connect(source, "pad-added", G_CALLBACK(+[](GstElement*, GstPad* pad, gpointer parsebin) {
                       GstPad* in = gst_element_get_static_pad(static_cast<GstElement*>(parsebin), "sink");
                       if (!gst_pad_is_linked(in)) gst_pad_link(pad, in);
                       gst_object_unref(in);
                     }),
                     parse);
    gst_bin_add_many(GST_BIN(pipeline), source, parse, nullptr);
    out->parsed = parse;
    return true;
  }
  std::string uri_;
  bool record_;
};

// rtsp://: rtspsrc with a small jitter buffer, connection timeouts and the chosen transport.
class RtspHead : public UriHead {
 public:
  RtspHead(std::string uri, std::string transport, bool record) : UriHead(std::move(uri), record), transport_(std::move(transport)) {}

 protected:
  void setUp(GstElement* src) override {
    GObjectClass* klass = G_OBJECT_GET_CLASS(src);
    if (g_object_class_find_property(klass, "latency")) g_object_set(src, "latency", 200u, nullptr);
    if (g_object_class_find_property(klass, "tcp-timeout")) g_object_set(src, "tcp-timeout", static_cast<guint64>(5000000), nullptr);
    if (g_object_class_find_property(klass, "timeout") && g_object_class_find_property(klass, "protocols"))
      g_object_set(src, "timeout", static_cast<guint64>(5000000), nullptr);
    if (!transport_.empty() && g_object_class_find_property(klass, "protocols"))
      gst_util_set_object_arg(G_OBJECT(src), "protocols", transport_ == "tcp" ? "tcp" : "udp");
  }

 private:
  std::string transport_;
};

}  // namespace

std::unique_ptr<SourceHead> makeSourceHead(const std::string& id, const std::string& uri, const SourceKind& kind,
                                           const SourceOptions& options) {
  if (kind.scheme == "test") return std::make_unique<TestHead>(id, uri, kind.live);
  if (kind.scheme == "v4l2") return std::make_unique<V4l2Head>(id, uri);
  if (kind.scheme == "file") {
    const std::string path = uri.substr(7);
    if (path.empty() || path[0] != '/')
      throw std::runtime_error("'" + uri + "': a file URI needs an absolute path (file:///path/to/video.mp4)");
    return std::make_unique<UriHead>(uri, options.record.enabled());
  }
  if (kind.scheme.rfind("rtsp", 0) == 0) return std::make_unique<RtspHead>(uri, options.transport, options.record.enabled());
  return std::make_unique<UriHead>(uri, options.record.enabled());  // http(s)
}

}  // namespace vigil::sources
