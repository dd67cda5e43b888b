#include "gpu_info.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

namespace vigil {

std::string nvidiaGpuName(const std::string& gpusDir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> gpus;
  for (fs::directory_iterator it(gpusDir, ec), end; !ec && it != end; it.increment(ec)) gpus.push_back(it->path());
  std::sort(gpus.begin(), gpus.end());  // PCI bus order: the first GPU is the one reported
  for (const fs::path& gpu : gpus) {
    std::ifstream in(gpu / "information");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("Model:", 0) != 0) continue;
      const size_t b = line.find_first_not_of(" \t", 6);
      const size_t e = line.find_last_not_of(" \t\r");
      if (b != std::string::npos) return line.substr(b, e - b + 1);
    }
    if (fs::exists(gpu / "information", ec)) return "NVIDIA GPU";  // listed, but without a model line
  }
  return "";
}

}  // namespace vigil
