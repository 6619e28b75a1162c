// Minimal leveled logging to stderr. The level comes from TESSERA_LOG_LEVEL
// (error, warning, info, debug; default warning) and is read once.
#pragma once

#include <sstream>
#include <string>

namespace tessera {

enum class LogLevel { error = 0, warning = 1, info = 2, debug = 3 };

/// The level below which messages are dropped.
LogLevel log_level() noexcept;
/// Writes one line "tessera <level>: <message>" to stderr (thread-safe, one write call).
void log_message(LogLevel level, const std::string& message);

}  // namespace tessera

/// TESSERA_LOG(info) << "started " << n << " workers";
#define TESSERA_LOG(level)                                                            \
  if (::tessera::LogLevel::level > ::tessera::log_level()) {                          \
  } else                                                                              \
    ::tessera::detail::LogLine(::tessera::LogLevel::level).stream()

namespace tessera::detail {
class LogLine {
 public:
  explicit LogLine(LogLevel level) : level_(level) {}
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;
  ~LogLine() { log_message(level_, stream_.str()); }
  std::ostringstream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};
}  // namespace tessera::detail
