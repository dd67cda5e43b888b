#include "probe.h"

#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include "engine_info.h"
#include "source.h"

namespace vigil {

ProbeResult probeSource(const std::string& uri, int timeoutMs) {
  ProbeResult result;
  std::string gstError;
  if (!ensureGstreamer(&gstError)) {
    result.error = gstError;
    return result;
  }
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  SourceOptions options;
  options.maxRetries = 0;  // a test-connect reports the first failure instead of retrying
  SourceCallbacks callbacks;
  callbacks.onFrame = [&](Frame&& f) {
    std::lock_guard lock(mu);
    if (done) return;
    result.ok = true;
    result.width = f.image.width;
    result.height = f.image.height;
    done = true;
    cv.notify_all();
  };
  callbacks.onError = [&](const std::string& message) {
    std::lock_guard lock(mu);
    if (done) return;
    result.error = message;
    done = true;
    cv.notify_all();
  };
  try {
    Source source("probe", uri, options, callbacks);
    source.start();
    {
      std::unique_lock lock(mu);
      if (!cv.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return done; })) {
        result.error = "no video from " + redactUri(uri) + " within " + std::to_string(timeoutMs / 1000) +
                       " s — check that the camera is reachable and streaming";
        done = true;
      }
    }
    source.stop();
  } catch (const std::exception& e) {
    result.ok = false;
    result.error = e.what();
  }
  return result;
}

}  // namespace vigil
