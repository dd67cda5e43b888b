#pragma once
// The model manifest (resources/models/MANIFEST.md) as the engine reads it.
#include <string>
#include <vector>

#include "image.h"
#include "parsers/parser.h"

namespace vigil {

struct ModelManifest {
  std::string path;  // the manifest file
  std::string name;
  std::string modelFile;      // absolute path of the ONNX file
  std::string fp16ModelFile;  // "fp16File": the FP16 variant (float32 input/outputs), opened on CUDA and TensorRT; empty: none
  std::string inputName;
  TensorFormat input;  // size, layout, channel order, normalisation, letterbox or stretch
  int fixedBatch = 0;  // 0: dynamic
  ParserKind parser = ParserKind::YoloV8;
  ParseParams params;
  std::vector<std::string> labels;
  std::vector<std::string> executionProviders{"cpu"};
  bool fp16 = false;  // "precision": "fp16": TensorRT may build a half-precision engine
};

// A manifest's "input" section given as JSON text (model checks before the manifest is on disk).
// Throws std::runtime_error naming `what`, the field and the fix.
TensorFormat parseTensorFormat(const std::string& inputJson, const std::string& what);

// Reads and validates a manifest. Throws std::runtime_error naming the file, the field and the fix.
ModelManifest loadManifest(const std::string& manifestPath);
// Resolves NAME (a folder under resources/models or VIGIL_MODELS) or a path to a manifest file.
std::string resolveManifest(const std::string& nameOrPath);
// The manifest resources/models/default.json points at (set-up generates it), or "" when absent.
std::string shippedDefaultManifest();

}  // namespace vigil
