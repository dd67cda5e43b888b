#include "source/decode.h"

#include <gst/video/video.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "gst_cuda_context.h"

namespace vigil::sources {

namespace {

// One CUDA context for every source's decoder (NVDEC): the device's primary context when it can be
// wrapped (then decoded frames are usable by the CUDA pre-processing as they are), otherwise the first
// decoder's own context, handed to the decoders of later pipelines instead of each creating its own.
std::mutex gGpuContextMu;
GstContext* gGpuContext = nullptr;  // process-wide, deliberately never released

GstBusSyncReply onNeedContext(GstBus*, GstMessage* m, gpointer) {
  if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_NEED_CONTEXT) {
    const gchar* type = nullptr;
    if (gst_message_parse_context_type(m, &type) && type && std::strcmp(type, "gst.cuda.context") == 0) {
      std::lock_guard lock(gGpuContextMu);
      if (!gGpuContext) {
        if (GstContext* primary = primaryCudaGstContext()) gGpuContext = gst_context_ref(primary);
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

constexpr const char* kCudaMemory = "memory:CUDAMemory";
const GstMapFlags kMapCuda = static_cast<GstMapFlags>(GST_MAP_FLAG_LAST << 1);  // GST_MAP_CUDA (gstcudamemory.h)

// Decoded pads link to one of two branches, chosen when the decoder is known:
//   host:   [nvvidconv] → videoconvert → I420 → appsink
//   device: capsfilter video/x-raw(memory:CUDAMemory),format=NV12 → appsink  (NVDEC, deviceFrames)
// A mapped frame as the engine's Image: I420 planes, or NV12 (Y and interleaved UV).
Image imageOf(const GstVideoFrame& frame, bool nv12) {
  Image img;
  img.format = nv12 ? PixelFormat::Nv12 : PixelFormat::I420;
  img.width = GST_VIDEO_FRAME_WIDTH(&frame);
  img.height = GST_VIDEO_FRAME_HEIGHT(&frame);
  for (int p = 0; p < planeCount(img.format); ++p) {
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
  auto* ctx = static_cast<DecodeBranch*>(user);
  GstCaps* caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, nullptr);
  bool video = false;
  if (caps && gst_caps_get_size(caps) > 0) video = g_str_has_prefix(gst_structure_get_name(gst_caps_get_structure(caps, 0)), "video/");
  if (caps) gst_caps_unref(caps);
  if (!video) return;
  GstPad* sinkPad = gst_element_get_static_pad(ctx->sink, "sink");
  const bool taken = gst_pad_is_linked(sinkPad);
  gst_object_unref(sinkPad);
  if (taken) return;  // one video stream per source
  GstElement* entry = ctx->convert;
  const bool encode = ctx->recorder && ctx->encodeDecoded;
  if (ctx->deviceCaps && !encode && offersCudaMemory(pad)) {
    entry = ctx->deviceCaps;
    gst_element_link(ctx->deviceCaps, ctx->sink);
    ctx->deviceLinked = true;
  } else {
    gst_element_link(ctx->hostTail, ctx->sink);
  }
  GstPad* in = gst_element_get_static_pad(entry, "sink");
  if (!gst_pad_is_linked(in)) {
    // Recorded but not H.264/H.265: the decoded video is encoded through a tee.
    GstPad* out = encode ? encodeTee(ctx->pipeline, pad, ctx->recorder) : nullptr;
    gst_pad_link(out ? out : pad, in);
    if (out) gst_object_unref(out);
  }
  gst_object_unref(in);
}
void onParsedPad(GstElement* parsebin, GstPad* pad, gpointer user) {
  auto* ctx = static_cast<DecodeBranch*>(user);
  auto* decoder = static_cast<GstElement*>(g_object_get_data(G_OBJECT(parsebin), "vigil-decoder"));
  linkParsedPad(ctx->pipeline, pad, decoder, ctx->recorder, &ctx->encodeDecoded);
}
// Software decoders get a fixed number of threads: libav's default (one per core, frame
// threading) makes every stream compete with inference for all cores and adds a frame of latency.
void onDeepElementAdded(GstBin*, GstBin*, GstElement* element, gpointer user) {
  const int threads = *static_cast<const int*>(user);
  GstElementFactory* f = gst_element_get_factory(element);
  if (!f || !g_str_has_prefix(GST_OBJECT_NAME(f), "avdec_")) return;
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(element), "max-threads")) g_object_set(element, "max-threads", threads, nullptr);
}

}  // namespace

void shareGpuContext(GstBus* bus) { gst_bus_set_sync_handler(bus, onNeedContext, nullptr, nullptr); }

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

void buildDecodeBranch(GstElement* pipeline, const HeadOutput& head, const DecodeOptions& options, DecodeBranch* branch) {
  GstElement* convert = gst_element_factory_make("videoconvert", nullptr);
  GstElement* i420Caps = gst_element_factory_make("capsfilter", nullptr);
  GstElement* sink = gst_element_factory_make("appsink", nullptr);
  // I420: what software decoders emit (no conversion) and a cheap plane copy from NVDEC's NV12.
  GstCaps* i420 = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", nullptr);
  g_object_set(i420Caps, "caps", i420, nullptr);
  gst_caps_unref(i420);
  g_object_set(convert, "n-threads", 1u, nullptr);
  // Files played in real time are paced by the sink's clock; a frame that is late is still handed
  // over (no lateness limit, no QoS events that would make the decoder skip frames).
  g_object_set(sink, "sync", options.sync ? TRUE : FALSE, "max-buffers", options.dropStale ? 1u : 2u, "drop",
               options.dropStale ? TRUE : FALSE, "enable-last-sample", FALSE, "qos", FALSE, "max-lateness", static_cast<gint64>(-1),
               nullptr);
  gst_bin_add_many(GST_BIN(pipeline), convert, i420Caps, sink, nullptr);
  gst_element_link(convert, i420Caps);
  branch->convert = convert;
  branch->hostTail = i420Caps;
  branch->sink = sink;
  branch->pipeline = pipeline;
  if (head.raw) {
    gst_element_link(i420Caps, sink);
    GstPad* rawPad = gst_element_get_static_pad(head.raw, "src");
    GstPad* out = branch->recorder ? encodeTee(pipeline, rawPad, branch->recorder) : nullptr;
    if (out) {
      GstPad* in = gst_element_get_static_pad(convert, "sink");
      gst_pad_link(out, in);
      gst_object_unref(in);
      gst_object_unref(out);
    } else {
      gst_element_link(head.raw, convert);
    }
    gst_object_unref(rawPad);
  }
  GstElement* decoded = head.decoded;
  if (head.parsed) {
    // Recorded: the parsed stream is teed to the recorder and to a decodebin of this branch.
    decoded = gst_element_factory_make("decodebin", nullptr);
    gst_bin_add(GST_BIN(pipeline), decoded);
    g_signal_connect(head.parsed, "pad-added", G_CALLBACK(onParsedPad), branch);
    g_object_set_data(G_OBJECT(head.parsed), "vigil-decoder", decoded);
  } else if (head.decoded && branch->recorder) {
    branch->encodeDecoded = true;  // v4l2: decodebin output only
  }
  if (!decoded) return;
  // Jetson: nvv4l2decoder emits NVMM buffers that only nvvidconv copies to system memory.
  if (GstElement* nvconv = gst_element_factory_make("nvvidconv", nullptr)) {
    gst_bin_add(GST_BIN(pipeline), nvconv);
    gst_element_link(nvconv, convert);
    branch->convert = nvconv;
  }
  // NVDEC frames stay in GPU memory when the consumer reads them there and the decoders share the
  // primary CUDA context with it.
  static const bool deviceFramesAllowed = [] {
    const char* env = std::getenv("VIGIL_DEVICE_FRAMES");
    return !(env && std::string(env) == "0");
  }();
  branch->deviceLinked = false;
  if (options.deviceFrames && deviceFramesAllowed && primaryCudaGstContext()) {
    GstElement* deviceCaps = gst_element_factory_make("capsfilter", nullptr);
    GstCaps* c = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "NV12", nullptr);
    gst_caps_set_features(c, 0, gst_caps_features_new(kCudaMemory, nullptr));
    g_object_set(deviceCaps, "caps", c, nullptr);
    gst_caps_unref(c);
    gst_bin_add(GST_BIN(pipeline), deviceCaps);
    branch->deviceCaps = deviceCaps;
  }
  g_signal_connect(decoded, "pad-added", G_CALLBACK(onPadAdded), branch);
  static const int decodeThreads = [] {
    const char* env = std::getenv("VIGIL_DECODE_THREADS");
    return env ? std::max(0, std::atoi(env)) : 1;
  }();
  g_signal_connect(pipeline, "deep-element-added", G_CALLBACK(onDeepElementAdded), const_cast<int*>(&decodeThreads));
}

bool frameFromSample(GstSample* sample, Frame* f) {
  GstVideoInfo info;
  GstCaps* caps = gst_sample_get_caps(sample);
  if (!caps || !gst_video_info_from_caps(&info, caps)) return false;
  // Hold the buffer (the mapped frame refs it), not the sample: appsink reuses its sample object and
  // needs it writable.
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
  mapped->mapped =
      buf && gst_video_frame_map(&mapped->frame, &info, buf, device ? static_cast<GstMapFlags>(GST_MAP_READ | kMapCuda) : GST_MAP_READ);
  if (!mapped->mapped) return false;
  f->pts = GST_BUFFER_PTS_IS_VALID(buf) ? static_cast<double>(GST_BUFFER_PTS(buf)) / GST_SECOND : 0.0;
  f->image = imageOf(mapped->frame, device);
  f->image.onDevice = device;
  if (device) {
    // Read back to the host only when asked (previews, snapshots): GStreamer's CUDA memory copies
    // itself on a host mapping of the buffer the frame already holds.
    f->download = [mapped](OwnedImage* out) {
      GstVideoFrame host{};
      if (!gst_video_frame_map(&host, &mapped->frame.info, mapped->frame.buffer, GST_MAP_READ))
        throw std::runtime_error("cannot copy a GPU frame to the host");
      copyImage(imageOf(host, true), out);  // a host image: copyImage does not throw
      gst_video_frame_unmap(&host);
    };
  }
  f->hold = mapped;
  return true;
}

}  // namespace vigil::sources
