#include "tessera/core/task.hpp"

namespace tessera {

std::string_view to_string(TaskStatus status) noexcept {
  switch (status) {
    case TaskStatus::released: return "released";
    case TaskStatus::waiting: return "waiting";
    case TaskStatus::queued: return "queued";
    case TaskStatus::processing: return "processing";
    case TaskStatus::memory: return "memory";
    case TaskStatus::erred: return "erred";
    case TaskStatus::forgotten: return "forgotten";
  }
  return "unknown";
}

}  // namespace tessera
