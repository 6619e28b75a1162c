// Helpers shared by the C++ tests.
#pragma once

#include <cstdlib>
#include <cstddef>
#include <string>

namespace tessera::testing {

/// Scales test sizes: the sanitizer presets set TESSERA_TEST_SCALE below 1 so that the
/// same suite finishes in reasonable time under ASan and TSan.
inline double scale() {
  const char* value = std::getenv("TESSERA_TEST_SCALE");
  return value ? std::atof(value) : 1.0;
}

inline std::size_t scaled(std::size_t n, std::size_t minimum = 1) {
  const auto s = static_cast<std::size_t>(static_cast<double>(n) * scale());
  return s < minimum ? minimum : s;
}

}  // namespace tessera::testing
