#include "tessera/core/logging.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace tessera {
namespace {

LogLevel level_from_environment() noexcept {
  const char* value = std::getenv("TESSERA_LOG_LEVEL");
  if (value == nullptr) return LogLevel::warning;
  std::string_view v(value);
  if (v == "error") return LogLevel::error;
  if (v == "info") return LogLevel::info;
  if (v == "debug") return LogLevel::debug;
  return LogLevel::warning;
}

const char* name_of(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::error: return "error";
    case LogLevel::warning: return "warning";
    case LogLevel::info: return "info";
    case LogLevel::debug: return "debug";
  }
  return "?";
}

}  // namespace

LogLevel log_level() noexcept {
  static const LogLevel level = level_from_environment();
  return level;
}

void log_message(LogLevel level, const std::string& message) {
  std::string line = std::string("tessera ") + name_of(level) + ": " + message + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);  // one write, so lines from threads do not interleave
}

}  // namespace tessera
