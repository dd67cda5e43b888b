#pragma once
// Small helpers shared by the NanoDet and CenterNet decoders: tensor size and layout errors.
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "../vision.h"

namespace vigil::parsers {

inline size_t elementCount(const std::vector<int64_t>& dims) {
  size_t n = 1;
  for (int64_t d : dims) n *= d > 0 ? static_cast<size_t>(d) : 0;
  return n;
}

inline std::string dimsText(const std::vector<int64_t>& dims) {
  std::ostringstream s;
  s << '[';
  for (size_t i = 0; i < dims.size(); ++i) s << (i ? ", " : "") << dims[i];
  s << ']';
  return s.str();
}

[[noreturn]] inline void layoutError(const char* parser, const OutputTensor& t, const std::string& expected) {
  throw std::runtime_error("output '" + t.name + "' has shape " + dimsText(t.dims) + " but parser " + parser + " expects " +
                           expected + " — check the manifest's parser, labels and parserOptions");
}

}  // namespace vigil::parsers
