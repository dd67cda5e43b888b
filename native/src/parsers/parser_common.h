#pragma once
// Helpers shared by the output decoders: shape checks with errors that say what to fix.
#include <cstdint>
#include <string>
#include <vector>

#include "parsers/parser.h"

namespace vigil::parsers {

// "[1, 84, 8400]"
std::string shapeString(const std::vector<int64_t>& dims);

// Throws std::runtime_error: "output 'name' has shape [..] but parser P expects LAYOUT — FIX".
[[noreturn]] void throwLayoutError(ParserKind kind, const OutputTensor& tensor, const std::string& expected,
                                   const std::string& detail = {});

// The single output a one-output parser reads; throws when there is none.
const OutputTensor& singleOutput(ParserKind kind, const std::vector<OutputTensor>& outputs, const std::string& expected);

// Checks batchIndex against the tensor's batch size and that data is present; throws naming the tensor otherwise.
void checkBatch(ParserKind kind, const OutputTensor& tensor, int batchIndex, int64_t batchSize, const std::string& expected);

// Throws unless numClasses >= 1 (the manifest's labels define it).
void checkClasses(ParserKind kind, const ParseParams& params);

// Lowest pre-cluster threshold over all classes, for quick rejection before per-class checks.
float minPreClusterThreshold(const ParseParams& params);

}  // namespace vigil::parsers
