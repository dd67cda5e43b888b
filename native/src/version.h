#pragma once
namespace vigil {
inline constexpr const char* kEngineVersion = "0.1.0";
}
