#pragma once
// Small helpers shared by the NanoDet and CenterNet decoders: tensor size and layout errors.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "parsers/parser.h"
#include "parsers/parser_common.h"

namespace vigil::parsers {

inline size_t elementCount(const std::vector<int64_t>& dims) {
  size_t n = 1;
  for (int64_t d : dims) n *= d > 0 ? static_cast<size_t>(d) : 0;
  return n;
}

[[noreturn]] inline void layoutError(const char* parser, const OutputTensor& t, const std::string& expected) {
  throw std::runtime_error("output '" + t.name + "' has shape " + shapeString(t.dims) + " but parser " + parser + " expects " + expected +
                           " — check the manifest's parser, labels and parserOptions");
}

}  // namespace vigil::parsers
