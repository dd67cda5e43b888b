#pragma once
// `vigil-engine schedule`: real-time scheduling of the engine against a stand-in GPU (see the .cpp).
namespace vigil::cli {
int scheduleBench(int argc, char** argv);
}
