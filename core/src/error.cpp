#include "tessera/core/error.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace tessera::detail {

void throw_value_error(const char* condition, const std::string& message, const char* file, int line) {
  throw ValueError(message + " [" + condition + " failed at " + file + ":" + std::to_string(line) + "]");
}

void assertion_failed(const char* condition, const char* message, const char* file, int line) noexcept {
  std::fprintf(stderr, "tessera internal error: %s (%s) at %s:%d\n", message, condition, file, line);
  std::abort();
}

}  // namespace tessera::detail
