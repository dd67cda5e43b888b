#pragma once
// Each binding file registers its exports through a static Registrar, so that adding a binding
// file never means editing addon.cpp.
#include <napi.h>

#include <functional>

namespace vigil::binding {

using RegisterFn = std::function<void(Napi::Env, Napi::Object)>;

struct Registrar {
  explicit Registrar(RegisterFn fn);
};

void registerAll(Napi::Env env, Napi::Object exports);

}  // namespace vigil::binding
