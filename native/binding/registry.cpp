#include "registry.h"

#include <vector>

namespace vigil::binding {

static std::vector<RegisterFn>& registry() {
  static std::vector<RegisterFn> fns;
  return fns;
}

Registrar::Registrar(RegisterFn fn) { registry().push_back(std::move(fn)); }

void registerAll(Napi::Env env, Napi::Object exports) {
  for (auto& fn : registry()) fn(env, exports);
}

}  // namespace vigil::binding
