// RTSP sources against a real gst-rtsp-server on localhost (H.264, basic auth).
#include <gst/rtsp-server/rtsp-server.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "engine.h"
#include "engine_info.h"
#include "synthetic.h"

using namespace vigil;

namespace {

class RtspServer {
 public:
  RtspServer() {
    ensureGstreamer(nullptr);
    ctx_ = g_main_context_new();
    loop_ = g_main_loop_new(ctx_, FALSE);
    server_ = gst_rtsp_server_new();
    gst_rtsp_server_set_service(server_, "0");
    GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
    gst_rtsp_media_factory_set_launch(factory,
                                      "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 ! "
                                      "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! rtph264pay name=pay0 pt=96 )");
    gst_rtsp_media_factory_set_shared(factory, TRUE);
    gst_rtsp_media_factory_add_role(factory, "viewer", GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN, TRUE,
                                    GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, TRUE, nullptr);
    GstRTSPAuth* auth = gst_rtsp_auth_new();
    GstRTSPToken* token = gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, "viewer", nullptr);
    gchar* basic = gst_rtsp_auth_make_basic("operator", "s3cret");
    gst_rtsp_auth_add_basic(auth, basic, token);
    g_free(basic);
    gst_rtsp_token_unref(token);
    gst_rtsp_server_set_auth(server_, auth);
    g_object_unref(auth);
    GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server_);
    gst_rtsp_mount_points_add_factory(mounts, "/cam", factory);
    g_object_unref(mounts);
    gst_rtsp_server_attach(server_, ctx_);
    port_ = gst_rtsp_server_get_bound_port(server_);
    thread_ = std::thread([this] { g_main_loop_run(loop_); });
  }
  ~RtspServer() {
    g_main_loop_quit(loop_);
    thread_.join();
    g_object_unref(server_);
    g_main_loop_unref(loop_);
    g_main_context_unref(ctx_);
  }
  std::string uri(const std::string& userPass) const { return "rtsp://" + userPass + "@127.0.0.1:" + std::to_string(port_) + "/cam"; }

 private:
  GMainContext* ctx_;
  GMainLoop* loop_;
  GstRTSPServer* server_;
  int port_ = 0;
  std::thread thread_;
};

class Counter : public EngineListener {
 public:
  std::mutex mu;
  std::map<std::string, int> frames;
  std::vector<std::pair<std::string, std::string>> errors;
  void onBatch(EngineBatch&& b) override {
    std::lock_guard l(mu);
    for (auto& f : b.frames) frames[f.camera]++;
  }
  void onSourceError(const std::string& c, const std::string& m) override {
    std::lock_guard l(mu);
    errors.emplace_back(c, m);
  }
};

std::string modelPath() {
  const char* t = std::getenv("VIGIL_TEST_TMP");
  auto dir = std::filesystem::path(t ? t : "/tmp") / "rtsp-model";
  return synthetic::writeSquareDetector(dir.string());
}

}  // namespace

TEST(Rtsp, StreamsOverTcpAndUdpWithCredentialsAndRejectsWrongOnesClearly) {
  RtspServer server;
  Counter c;
  EngineConfig cfg;
  cfg.model = modelPath();
  cfg.snapshots = false;
  Engine engine(cfg, &c);
  SourceOptions tcp;
  tcp.transport = "tcp";
  SourceOptions once;
  once.maxRetries = 0;
  engine.addSource("tcp", server.uri("operator:s3cret"), tcp);
  engine.addSource("udp", server.uri("operator:s3cret"));
  engine.addSource("wrong", server.uri("operator:guess"), once);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard l(c.mu);
      if (c.frames["tcp"] >= 10 && c.frames["udp"] >= 10 && !c.errors.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  engine.stop();
  std::lock_guard l(c.mu);
  EXPECT_GE(c.frames["tcp"], 10);
  EXPECT_GE(c.frames["udp"], 10);
  EXPECT_EQ(c.frames["wrong"], 0);
  ASSERT_FALSE(c.errors.empty());
  for (auto& [camera, message] : c.errors) {
    EXPECT_EQ(camera, "wrong") << message;
    EXPECT_NE(message.find("user name and password"), std::string::npos) << message;
    EXPECT_EQ(message.find("guess"), std::string::npos) << "password leaked: " << message;
  }
}
