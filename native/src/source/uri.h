#pragma once
// Query parameters of source URIs (test://ball?width=640&fps=30, ...).
#include <map>
#include <string>

namespace vigil::sources {

std::map<std::string, std::string> queryParams(const std::string& uri);
// A positive integer parameter, or `def` when absent; throws std::runtime_error naming the parameter.
int intParam(const std::map<std::string, std::string>& params, const char* key, int def, const std::string& uri);

}  // namespace vigil::sources
