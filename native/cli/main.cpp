// vigil-engine: the headless engine, Vigil's deepstream-app.
#include <cstdio>
#include <cstring>
#include <string>

#include "engine_info.h"

namespace {

int usage(FILE* out) {
  std::fputs(
      "usage: vigil-engine info\n"
      "       vigil-engine run URI... [--model NAME|MANIFEST] [--tracker iou|sort|bytetrack] [--frames N] [--json]\n"
      "       vigil-engine bench [--streams N] [--uri URI] [--seconds S] [--json]\n",
      out);
  return out == stderr ? 2 : 0;
}

int info() {
  vigil::EngineInfo e = vigil::queryEngineInfo();
  std::printf("vigil-engine %s\nGStreamer: %s\nONNX Runtime: %s\nexecution providers:", e.engineVersion.c_str(),
              e.gstreamerVersion.c_str(), e.onnxRuntimeVersion.c_str());
  for (auto& p : e.executionProviders) std::printf(" %s", p.c_str());
  std::printf("\nhardware decoders:");
  if (e.hardwareDecoders.empty()) std::printf(" none");
  for (auto& d : e.hardwareDecoders) std::printf(" %s", d.c_str());
  std::printf("\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(stderr);
  std::string cmd = argv[1];
  if (cmd == "info") return info();
  if (cmd == "-h" || cmd == "--help" || cmd == "help") return usage(stdout);
  std::fprintf(stderr, "vigil-engine: unknown command '%s'\n", cmd.c_str());
  return usage(stderr);
}
