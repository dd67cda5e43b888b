#include "source.h"

#include <cstring>

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>
#include <stdexcept>

#include "engine_info.h"
#include "gst_cuda_context.h"


namespace {

// One CUDA context for every source's decoder (NVDEC): the device's primary context when it can be
// wrapped (then decoded frames are usable by the CUDA pre-processing as they are), otherwise the first
// decoder's own context, handed to the decoders of later pipelines instead of each creating its own.
std::mutex gGpuContextMu;
GstContext* gGpuContext = nullptr;  // process-wide, deliberately never released

GstBusSyncReply shareGpuContext(GstBus*, GstMessage* m, gpointer) {
  if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_NEED_CONTEXT) {
    const gchar* type = nullptr;
    if (gst_message_parse_context_type(m, &type) && type && std::strcmp(type, "gst.cuda.context") == 0) {
      std::lock_guard lock(gGpuContextMu);
      if (!gGpuContext) {
        if (GstContext* primary = vigil::primaryCudaGstContext()) gGpuContext = gst_context_ref(primary);
      }
      if (gGpuContext) gst_element_set_context(GST_ELEMENT(GST_MESSAGE_SRC(m)), gGpuContext);
    }
  } else if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_HAVE_CONTEXT) {
    GstContext* ctx = nullptr;
    gst_message_parse_have_context(m, &ctx);
    if (ctx) {
      if (std::strcmp(gst_context_get_context_type(ctx), "gst.cuda.context") == 0) {
        std::lock_guard lock(gGpuContextMu);
        if (!gGpuContext) gGpuContext = gst_context_ref(ctx);
      }
      gst_context_unref(ctx);
    }
  }
  return GST_BUS_PASS;
}

}  // namespace

namespace vigil {

namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Hardware decoders win over software ones whenever the plugin is present.
void preferHardwareDecoders() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (const char* name : {"nvh264dec", "nvh265dec", "nvav1dec", "nvvp9dec", "nvv4l2decoder"}) {
      if (GstElementFactory* f = gst_element_factory_find(name)) {
        gst_plugin_feature_set_rank(GST_PLUGIN_FEATURE(f), GST_RANK_PRIMARY + 100);
        gst_object_unref(f);
      }
    }
  });
}

std::map<std::string, std::string> queryParams(const std::string& uri) {
  std::map<std::string, std::string> out;
  auto q = uri.find('?');
  if (q == std::string::npos) return out;
  std::stringstream ss(uri.substr(q + 1));
  std::string kv;
  while (std::getline(ss, kv, '&')) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) out[kv] = "";
    else out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

int intParam(const std::map<std::string, std::string>& p, const char* key, int def, const std::string& uri) {
  auto it = p.find(key);
  if (it == p.end()) return def;
  try {
    size_t used = 0;
    int v = std::stoi(it->second, &used);
    if (used != it->second.size() || v <= 0) throw std::invalid_argument("");
    return v;
  } catch (...) {
    throw std::runtime_error("source '" + uri + "': parameter " + key + "='" + it->second + "' must be a positive integer");
  }
}

}  // namespace

const char* sourceStateName(SourceState s) {
  switch (s) {
    case SourceState::Connecting: return "connecting";
    case SourceState::Live: return "live";
    case SourceState::Reconnecting: return "reconnecting";
    case SourceState::Ended: return "ended";
    case SourceState::Error: return "error";
  }
  return "error";
}

SourceKind classifyUri(const std::string& uri) {
  auto colon = uri.find("://");
  if (colon == std::string::npos || colon == 0)
    throw std::runtime_error("'" + redactUri(uri) + "' is not a URI — use file:///path, rtsp://host/path, http(s)://..., v4l2:///dev/videoN or test://pattern");
  std::string scheme = uri.substr(0, colon);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  SourceKind k;
  k.scheme = scheme;
  if (scheme == "file") k.live = false;
  else if (scheme == "rtsp" || scheme == "rtspt" || scheme == "rtspu" || scheme == "rtsps" || scheme == "http" ||
           scheme == "https" || scheme == "v4l2")
    k.live = true;
  else if (scheme == "test") k.live = queryParams(uri)["live"] != "false";
  else
    throw std::runtime_error("'" + redactUri(uri) + "': unknown scheme '" + scheme +
                             "' — use file://, rtsp://, http(s)://, v4l2:///dev/videoN or test://");
  return k;
}

std::string redactUri(const std::string& uri) {
  auto s = uri.find("://");
  if (s == std::string::npos) return uri;
  auto at = uri.find('@', s + 3);
  auto slash = uri.find('/', s + 3);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return uri;
  auto colon = uri.find(':', s + 3);
  if (colon == std::string::npos || colon > at) return uri;
  return uri.substr(0, colon + 1) + "***" + uri.substr(at);
}

void hostCopy(const Frame& frame, OwnedImage* out) {
  if (!frame.image.onDevice) {
    copyImage(frame.image, out);
    return;
  }
  if (!frame.download) throw std::runtime_error("a GPU frame without a way back to the host");
  frame.download(out);
}

struct Source::Pipeline {
  GstElement* pipeline = nullptr;
  GstElement* convert = nullptr;  // where decoded pads link
  ~Pipeline() {
    if (pipeline) {
      gst_element_set_state(pipeline, GST_STATE_NULL);
      gst_object_unref(pipeline);
    }
  }
};

Source::Source(std::string id, std::string uri, SourceOptions options, SourceCallbacks callbacks)
    : id_(std::move(id)), uri_(std::move(uri)), options_(options), callbacks_(std::move(callbacks)) {
  std::string err;
  if (!ensureGstreamer(&err)) throw std::runtime_error(err);
  kind_ = classifyUri(uri_);
  if (kind_.scheme == "test") {
    auto p = queryParams(uri_);
    intParam(p, "width", 640, uri_);
    intParam(p, "height", 480, uri_);
    intParam(p, "fps", 30, uri_);
    std::string base = uri_.substr(7);
    std::string pattern = base.substr(0, base.find('?'));
    if (!pattern.empty()) {
      GstElement* probe = gst_element_factory_make("videotestsrc", nullptr);
      if (!probe) throw std::runtime_error("'" + uri_ + "': videotestsrc is missing — install gstreamer1.0-plugins-base");
      GParamSpec* spec = g_object_class_find_property(G_OBJECT_GET_CLASS(probe), "pattern");
      GValue v = G_VALUE_INIT;
      g_value_init(&v, spec->value_type);
      bool ok = gst_value_deserialize(&v, pattern.c_str());
      g_value_unset(&v);
      gst_object_unref(gst_object_ref_sink(probe));
      if (!ok) throw std::runtime_error("'" + uri_ + "': unknown test pattern '" + pattern + "' — use e.g. ball, smpte, snow, black");
    }
  }
  if (kind_.scheme == "file") {
    std::string path = uri_.substr(7);
    if (path.empty() || path[0] != '/') throw std::runtime_error("'" + uri_ + "': a file URI needs an absolute path (file:///path/to/video.mp4)");
  }
  if (options_.frameInterval < 1) options_.frameInterval = 1;
  preferHardwareDecoders();
}

Source::~Source() { stop(); }

void Source::start() { thread_ = std::thread([this] { supervise(); }); }

void Source::stop() {
  stop_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Source::sleepInterruptible(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [this] { return stop_.load(); });
  return !stop_;
}

void Source::emitState(SourceState s) {
  if (callbacks_.onState) callbacks_.onState(s);
}

std::string Source::describeError(const std::string& msg, const std::string& debug, int code) const {
  std::string hint;
  std::string lower = msg + " " + debug;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower.find("unauthori") != std::string::npos || lower.find("401") != std::string::npos)
    hint = "check the user name and password in the URI";
  else if (lower.find("missing a plug-in") != std::string::npos || lower.find("no decoder") != std::string::npos ||
           lower.find("codec") != std::string::npos)
    hint = "no decoder for this codec is installed — install gstreamer1.0-libav or gstreamer1.0-plugins-bad/ugly";
  else if (lower.find("not found") != std::string::npos || lower.find("no such file") != std::string::npos)
    hint = kind_.scheme == "file" ? "check that the file exists" : "check the address";
  else if (lower.find("could not connect") != std::string::npos || lower.find("could not open") != std::string::npos ||
           lower.find("timeout") != std::string::npos || lower.find("timed out") != std::string::npos ||
           (kind_.live && (lower.find("could not read") != std::string::npos || lower.find("connection") != std::string::npos)))
    hint = kind_.live ? "check that the camera is reachable from this machine" : "check the path and permissions";
  else if (lower.find("demux") != std::string::npos || lower.find("decode") != std::string::npos ||
           lower.find("stream") != std::string::npos || lower.find("type") != std::string::npos)
    hint = "the media looks corrupt, truncated or in an unsupported container";
  else
    hint = "check the source";
  (void)code;
  return "camera '" + id_ + "': " + redactUri(uri_) + ": " + msg + " — " + hint;
}

void Source::supervise() {
  int failures = 0;
  emitState(SourceState::Connecting);
  while (!stop_) {
    std::string error;
    const bool refusedBefore = deviceFramesRefused_;
    bool ok = runOnce(&error);
    if (stop_) break;
    if (!ok && deviceFramesRefused_ && !refusedBefore) continue;  // at once, with host frames
    if (ok) {  // ended (file without loop)
      emitState(SourceState::Ended);
      break;
    }
    if (!kind_.live) {
      emitState(SourceState::Error);
      if (callbacks_.onError) callbacks_.onError(error);
      break;
    }
    // Live sources come back by themselves: reconnect with exponential backoff, 1 s … 30 s.
    if (decoded_ > 0) failures = 0;
    if (options_.maxRetries >= 0 && failures >= options_.maxRetries) {
      emitState(SourceState::Error);
      if (callbacks_.onError) callbacks_.onError(error + " (gave up after " + std::to_string(failures + 1) + " attempts)");
      break;
    }
    decoded_ = 0;
    int backoff = std::min(30, 1 << std::min(failures, 5));
    ++failures;
    emitState(SourceState::Reconnecting);
    if (callbacks_.onError) callbacks_.onError(error + " (reconnecting in " + std::to_string(backoff) + " s)");
    if (!sleepInterruptible(std::chrono::seconds(backoff))) break;
  }
}

namespace {
constexpr const char* kCudaMemory = "memory:CUDAMemory";
const GstMapFlags kMapCuda = static_cast<GstMapFlags>(GST_MAP_FLAG_LAST << 1);  // GST_MAP_CUDA (gstcudamemory.h)

// Decoded pads link to one of two branches, chosen when the decoder is known:
//   host:   [nvvidconv] → videoconvert → I420 → appsink
//   device: capsfilter video/x-raw(memory:CUDAMemory),format=NV12 → appsink  (NVDEC, deviceFrames)
struct PadLinkContext {
  GstElement* convert = nullptr;     // entry of the host branch
  GstElement* hostTail = nullptr;    // last element of the host branch
  GstElement* deviceCaps = nullptr;  // entry (and tail) of the device branch; null: host only
  GstElement* sink = nullptr;
  bool* deviceLinked = nullptr;      // set when the device branch was chosen
};
// A mapped frame as the engine's Image: I420 planes, or NV12 (Y and interleaved UV).
vigil::Image imageOf(const GstVideoFrame& frame, bool nv12) {
  vigil::Image img;
  img.format = nv12 ? vigil::PixelFormat::Nv12 : vigil::PixelFormat::I420;
  img.width = GST_VIDEO_FRAME_WIDTH(&frame);
  img.height = GST_VIDEO_FRAME_HEIGHT(&frame);
  for (int p = 0; p < vigil::planeCount(img.format); ++p) {
    img.planes[p] = static_cast<const uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, p));
    img.strides[p] = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, p);
  }
  return img;
}
bool offersCudaMemory(GstPad* pad) {
  GstCaps* caps = gst_pad_query_caps(pad, nullptr);
  bool cuda = false;
  for (guint i = 0; caps && i < gst_caps_get_size(caps) && !cuda; ++i) {
    GstCapsFeatures* f = gst_caps_get_features(caps, i);
    cuda = f && gst_caps_features_contains(f, kCudaMemory);
  }
  if (caps) gst_caps_unref(caps);
  return cuda;
}
void onPadAdded(GstElement*, GstPad* pad, gpointer user) {
  auto* ctx = static_cast<PadLinkContext*>(user);
  GstCaps* caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, nullptr);
  bool video = false;
  if (caps && gst_caps_get_size(caps) > 0)
    video = g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "video/");
  if (caps) gst_caps_unref(caps);
  if (!video) return;
  GstPad* sinkPad = gst_element_get_static_pad(ctx->sink, "sink");
  const bool taken = gst_pad_is_linked(sinkPad);
  gst_object_unref(sinkPad);
  if (taken) return;  // one video stream per source
  GstElement* entry = ctx->convert;
  if (ctx->deviceCaps && offersCudaMemory(pad)) {
    entry = ctx->deviceCaps;
    gst_element_link(ctx->deviceCaps, ctx->sink);
    if (ctx->deviceLinked) *ctx->deviceLinked = true;
  } else {
    gst_element_link(ctx->hostTail, ctx->sink);
  }
  GstPad* in = gst_element_get_static_pad(entry, "sink");
  if (!gst_pad_is_linked(in)) gst_pad_link(pad, in);
  gst_object_unref(in);
}
// Software decoders get a fixed number of threads: libav's default (one per core, frame
// threading) makes every stream compete with inference for all cores and adds a frame of latency.
void onDeepElementAdded(GstBin*, GstBin*, GstElement* element, gpointer user) {
  const int threads = *static_cast<const int*>(user);
  GstElementFactory* f = gst_element_get_factory(element);
  if (!f || !g_str_has_prefix(GST_OBJECT_NAME(f), "avdec_")) return;
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(element), "max-threads")) g_object_set(element, "max-threads", threads, nullptr);
}
void onSourceSetup(GstElement*, GstElement* src, gpointer user) {
  auto* transport = static_cast<std::string*>(user);
  GObjectClass* klass = G_OBJECT_GET_CLASS(src);
  if (g_object_class_find_property(klass, "latency")) g_object_set(src, "latency", 200u, nullptr);
  if (g_object_class_find_property(klass, "tcp-timeout")) g_object_set(src, "tcp-timeout", static_cast<guint64>(5000000), nullptr);
  if (g_object_class_find_property(klass, "timeout") && g_object_class_find_property(klass, "protocols"))
    g_object_set(src, "timeout", static_cast<guint64>(5000000), nullptr);
  if (!transport->empty() && g_object_class_find_property(klass, "protocols"))
    gst_util_set_object_arg(G_OBJECT(src), "protocols", *transport == "tcp" ? "tcp" : "udp");
  if (g_object_class_find_property(klass, "timeout") && G_OBJECT_TYPE_NAME(src) == std::string("GstSoupHTTPSrc"))
    g_object_set(src, "timeout", 10u, nullptr);
}
}  // namespace

bool Source::runOnce(std::string* error) {
  Pipeline p;
  p.pipeline = gst_pipeline_new(id_.c_str());
  GstElement* head = nullptr;       // element whose output is linked statically
  GstElement* dynamicSrc = nullptr; // element with sometimes pads (decodebin)
  PadLinkContext linkCtx{};
  auto params = queryParams(uri_);
  if (kind_.scheme == "test") {
    head = gst_element_factory_make("videotestsrc", nullptr);
    std::string base = uri_.substr(7);
    std::string pattern = base.substr(0, base.find('?'));
    if (!pattern.empty()) {
      GParamSpec* spec = g_object_class_find_property(G_OBJECT_GET_CLASS(head), "pattern");
      GValue v = G_VALUE_INIT;
      g_value_init(&v, spec->value_type);
      if (!gst_value_deserialize(&v, pattern.c_str())) {
        g_value_unset(&v);
        *error = "camera '" + id_ + "': " + uri_ + ": unknown test pattern '" + pattern + "' — use e.g. ball, smpte, snow, black";
        gst_object_unref(head);
        return false;
      }
      g_object_set_property(G_OBJECT(head), "pattern", &v);
      g_value_unset(&v);
    }
    g_object_set(head, "is-live", kind_.live ? TRUE : FALSE, nullptr);
    GstElement* caps = gst_element_factory_make("capsfilter", nullptr);
    GstCaps* c = gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, intParam(params, "width", 640, uri_), "height", G_TYPE_INT,
                                     intParam(params, "height", 480, uri_), "framerate", GST_TYPE_FRACTION,
                                     intParam(params, "fps", 30, uri_), 1, nullptr);
    g_object_set(caps, "caps", c, nullptr);
    gst_caps_unref(c);
    gst_bin_add_many(GST_BIN(p.pipeline), head, caps, nullptr);
    gst_element_link(head, caps);
    head = caps;
  } else if (kind_.scheme == "v4l2") {
    GstElement* src = gst_element_factory_make("v4l2src", nullptr);
    if (!src) {
      *error = "camera '" + id_ + "': " + uri_ + ": the v4l2src element is missing — install gstreamer1.0-plugins-good";
      return false;
    }
    g_object_set(src, "device", uri_.substr(7).c_str(), nullptr);
    dynamicSrc = gst_element_factory_make("decodebin", nullptr);
    gst_bin_add_many(GST_BIN(p.pipeline), src, dynamicSrc, nullptr);
    gst_element_link(src, dynamicSrc);
  } else {
    dynamicSrc = gst_element_factory_make("uridecodebin", nullptr);
    g_object_set(dynamicSrc, "uri", uri_.c_str(), nullptr);
    g_signal_connect(dynamicSrc, "source-setup", G_CALLBACK(onSourceSetup), &options_.transport);
    gst_bin_add(GST_BIN(p.pipeline), dynamicSrc);
  }
  GstElement* convert = gst_element_factory_make("videoconvert", nullptr);
  GstElement* rgbCaps = gst_element_factory_make("capsfilter", nullptr);
  GstElement* sink = gst_element_factory_make("appsink", nullptr);
  // I420: what software decoders emit (no conversion) and a cheap plane copy from NVDEC's NV12.
  GstCaps* rgb = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", nullptr);
  g_object_set(rgbCaps, "caps", rgb, nullptr);
  gst_caps_unref(rgb);
  g_object_set(convert, "n-threads", 1u, nullptr);
  const bool dropStale = kind_.live || options_.realtime;
  // Files played in real time are paced by the sink's clock; a frame that is late is still handed
  // over (no lateness limit, no QoS events that would make the decoder skip frames).
  g_object_set(sink, "sync", (kind_.scheme != "test" && !kind_.live && options_.realtime) ? TRUE : FALSE, "max-buffers",
               dropStale ? 1u : 2u, "drop", dropStale ? TRUE : FALSE, "enable-last-sample", FALSE, "qos", FALSE,
               "max-lateness", static_cast<gint64>(-1), nullptr);
  gst_bin_add_many(GST_BIN(p.pipeline), convert, rgbCaps, sink, nullptr);
  gst_element_link(convert, rgbCaps);
  linkCtx.convert = convert;
  linkCtx.hostTail = rgbCaps;
  linkCtx.sink = sink;
  if (head) {
    gst_element_link(rgbCaps, sink);
    gst_element_link(head, convert);
  }
  // Jetson: nvv4l2decoder emits NVMM buffers that only nvvidconv copies to system memory.
  if (dynamicSrc) {
    if (GstElement* nvconv = gst_element_factory_make("nvvidconv", nullptr)) {
      gst_bin_add(GST_BIN(p.pipeline), nvconv);
      gst_element_link(nvconv, convert);
      linkCtx.convert = nvconv;
    }
  }
  // NVDEC frames stay in GPU memory when the consumer reads them there and the decoders share the
  // primary CUDA context with it.
  static const bool deviceFramesAllowed = [] {
    const char* env = std::getenv("VIGIL_DEVICE_FRAMES");
    return !(env && std::string(env) == "0");
  }();
  deviceBranchLinked_ = false;
  if (dynamicSrc && options_.deviceFrames && deviceFramesAllowed && !deviceFramesRefused_ && primaryCudaGstContext()) {
    GstElement* deviceCaps = gst_element_factory_make("capsfilter", nullptr);
    GstCaps* c = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "NV12", nullptr);
    gst_caps_set_features(c, 0, gst_caps_features_new(kCudaMemory, nullptr));
    g_object_set(deviceCaps, "caps", c, nullptr);
    gst_caps_unref(c);
    gst_bin_add(GST_BIN(p.pipeline), deviceCaps);
    linkCtx.deviceCaps = deviceCaps;
    linkCtx.deviceLinked = &deviceBranchLinked_;
  }
  if (dynamicSrc) g_signal_connect(dynamicSrc, "pad-added", G_CALLBACK(onPadAdded), &linkCtx);
  static const int decodeThreads = [] {
    const char* env = std::getenv("VIGIL_DECODE_THREADS");
    return env ? std::max(0, std::atoi(env)) : 1;
  }();
  g_signal_connect(p.pipeline, "deep-element-added", G_CALLBACK(onDeepElementAdded), const_cast<int*>(&decodeThreads));

  struct SinkContext {
    Source* self;
  } sinkCtx{this};
  GstAppSinkCallbacks cbs{};
  cbs.new_sample = [](GstAppSink* appsink, gpointer user) -> GstFlowReturn {
    auto* self = static_cast<SinkContext*>(user)->self;
    GstSample* sample = gst_app_sink_pull_sample(appsink);
    if (!sample) return GST_FLOW_EOS;
    if (self->stop_) {
      gst_sample_unref(sample);
      return GST_FLOW_FLUSHING;
    }
    int64_t n = self->decoded_++;
    self->lastFrameMs_ = nowMs();
    if (n == 0) self->emitState(SourceState::Live);
    if (n % self->options_.frameInterval != 0) {
      gst_sample_unref(sample);
      return GST_FLOW_OK;
    }
    GstVideoInfo info;
    GstCaps* caps = gst_sample_get_caps(sample);
    if (!caps || !gst_video_info_from_caps(&info, caps)) {
      gst_sample_unref(sample);
      return GST_FLOW_OK;
    }
    // Hold the buffer (the mapped frame refs it), not the sample: appsink reuses its sample
    // object and needs it writable.
    struct Mapped {
      GstVideoFrame frame{};
      bool mapped = false;
      ~Mapped() {
        if (mapped) gst_video_frame_unmap(&frame);
      }
    };
    auto mapped = std::make_shared<Mapped>();
    GstBuffer* buf = gst_sample_get_buffer(sample);
    // Device frames (NV12 only: the device branch's caps filter) are CUDA device pointers in the
    // shared primary context.
    GstCapsFeatures* features = gst_caps_get_features(caps, 0);
    const bool device = features && gst_caps_features_contains(features, kCudaMemory);
    mapped->mapped = buf && gst_video_frame_map(&mapped->frame, &info, buf,
                                                device ? static_cast<GstMapFlags>(GST_MAP_READ | kMapCuda) : GST_MAP_READ);
    const double pts = buf && GST_BUFFER_PTS_IS_VALID(buf) ? static_cast<double>(GST_BUFFER_PTS(buf)) / GST_SECOND : 0.0;
    gst_sample_unref(sample);
    if (!mapped->mapped) return GST_FLOW_OK;
    Frame f;
    f.image = imageOf(mapped->frame, device);
    f.image.onDevice = device;
    if (device) {
      // Read back to the host only when asked (previews, snapshots): GStreamer's CUDA memory copies
      // itself on a host mapping of the buffer the frame already holds.
      f.download = [mapped](OwnedImage* out) {
        GstVideoFrame host{};
        if (!gst_video_frame_map(&host, &mapped->frame.info, mapped->frame.buffer, GST_MAP_READ))
          throw std::runtime_error("cannot copy a GPU frame to the host");
        copyImage(imageOf(host, true), out);  // a host image: copyImage does not throw
        gst_video_frame_unmap(&host);
      };
    }
    f.seq = self->seq_++;
    f.pts = pts;
    f.wallMs = self->lastFrameMs_;
    f.decodedAt = std::chrono::steady_clock::now();
    f.hold = mapped;
    if (self->callbacks_.onFrame) self->callbacks_.onFrame(std::move(f));
    return GST_FLOW_OK;
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cbs, &sinkCtx, nullptr);

  GstBus* bus = gst_element_get_bus(p.pipeline);
  auto unrefBus = std::shared_ptr<GstBus>(bus, [](GstBus* b) { gst_object_unref(b); });
  gst_bus_set_sync_handler(bus, shareGpuContext, nullptr, nullptr);
  if (gst_element_set_state(p.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The bus usually holds the reason.
    if (GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)) {
      GError* err = nullptr;
      gchar* dbg = nullptr;
      gst_message_parse_error(m, &err, &dbg);
      *error = describeError(err ? err->message : "cannot start", dbg ? dbg : "", err ? err->code : 0);
      if (err) g_error_free(err);
      g_free(dbg);
      gst_message_unref(m);
    } else {
      *error = describeError("the pipeline cannot start", "", 0);
    }
    gst_element_set_state(p.pipeline, GST_STATE_NULL);
    return false;
  }
  lastFrameMs_ = nowMs();
  const int64_t startMs = lastFrameMs_;
  bool ok = true;
  while (!stop_) {
    GstMessage* m = gst_bus_timed_pop_filtered(bus, 100 * GST_MSECOND,
                                               static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
    if (!m) {
      // A live source that stops sending is as good as gone: reconnect.
      if (kind_.live && nowMs() - lastFrameMs_ > options_.stallSeconds * 1000LL) {
        *error = describeError(decoded_ > 0 ? "no frames for " + std::to_string(options_.stallSeconds) + " s"
                                            : "no video within " + std::to_string(options_.stallSeconds) + " s (timed out)",
                               "", 0);
        ok = false;
        break;
      }
      if (!kind_.live && decoded_ == 0 && nowMs() - startMs > 30000) {
        *error = describeError("no video frame decoded within 30 s (timed out)", "", 0);
        ok = false;
        break;
      }
      continue;
    }
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
      GError* err = nullptr;
      gchar* dbg = nullptr;
      gst_message_parse_error(m, &err, &dbg);
      *error = describeError(err ? err->message : "unknown error", dbg ? dbg : "", err ? err->code : 0);
      // NVDEC output that is not NV12 (10-bit streams decode to P010): retry with host frames.
      if (deviceBranchLinked_ && decoded_ == 0 && dbg && std::strstr(dbg, "not-negotiated")) {
        deviceFramesRefused_ = true;
        *error = "retry with host frames";
      }
      if (err) g_error_free(err);
      g_free(dbg);
      gst_message_unref(m);
      ok = false;
      break;
    }
    gst_message_unref(m);  // EOS
    if (decoded_ == 0) {
      *error = describeError("the stream ended without a video frame (no video track, or the file is empty/truncated)", "", 0);
      ok = false;
      break;
    }
    if (options_.loop && !kind_.live) {
      if (!gst_element_seek_simple(p.pipeline, GST_FORMAT_TIME,
                                   static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT), 0)) {
        *error = describeError("cannot seek back to the start to loop", "", 0);
        ok = false;
        break;
      }
      continue;
    }
    if (kind_.live) {
      *error = describeError("the stream ended", "", 0);
      ok = false;
    }
    break;
  }
  // Stop the streaming threads before the contexts they use go out of scope.
  gst_element_set_state(p.pipeline, GST_STATE_NULL);
  return ok;
}

}  // namespace vigil
