#pragma once
#include <string>

namespace vigil {

struct ProbeResult {
  bool ok = false;
  int width = 0, height = 0;
  std::string error;  // names the source and what to do, when !ok
};

// Opens a URI until its first decoded frame (or an error, or the timeout): the add-camera check.
ProbeResult probeSource(const std::string& uri, int timeoutMs);

}  // namespace vigil
