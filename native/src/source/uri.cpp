// What a URI means to the engine: its kind, its parameters, and a form safe to print.
#include "source/uri.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

#include "source.h"

namespace vigil {

namespace sources {

std::map<std::string, std::string> queryParams(const std::string& uri) {
  std::map<std::string, std::string> out;
  auto q = uri.find('?');
  if (q == std::string::npos) return out;
  std::stringstream ss(uri.substr(q + 1));
  std::string kv;
  while (std::getline(ss, kv, '&')) {
    auto eq = kv.find('=');
    if (eq == std::string::npos)
      out[kv] = "";
    else
      out[kv.substr(0, eq)] = kv.substr(eq + 1);
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

}  // namespace sources

SourceKind classifyUri(const std::string& uri) {
  auto colon = uri.find("://");
  if (colon == std::string::npos || colon == 0)
    throw std::runtime_error("'" + redactUri(uri) +
                             "' is not a URI — use file:///path, rtsp://host/path, http(s)://..., v4l2:///dev/videoN or test://pattern");
  std::string scheme = uri.substr(0, colon);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  SourceKind k;
  k.scheme = scheme;
  if (scheme == "file")
    k.live = false;
  else if (scheme == "rtsp" || scheme == "rtspt" || scheme == "rtspu" || scheme == "rtsps" || scheme == "http" || scheme == "https" ||
           scheme == "v4l2")
    k.live = true;
  else if (scheme == "test")
    k.live = sources::queryParams(uri)["live"] != "false";
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

}  // namespace vigil
