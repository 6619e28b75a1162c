#include "tessera/core/task.hpp"

#include <exception>
#include <typeinfo>

#include "tessera/core/error.hpp"

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

std::shared_ptr<const TaskFailure> failure_from_current_exception(Key key, std::string task_name) {
  auto failure = std::make_shared<TaskFailure>();
  failure->key = key;
  failure->task_name = std::move(task_name);
  failure->original = std::current_exception();
  try {
    throw;
  } catch (const std::exception& e) {
    failure->exception_type = demangle(typeid(e));
    failure->message = e.what();
  } catch (...) {
    failure->exception_type = "unknown";
    failure->message = "the task threw something that is not a std::exception";
  }
  return failure;
}

void throw_task_error(const TaskFailure& failure, Key key, const std::string& name) {
  std::string what = failure.key == key
                         ? "task '" + name + "' raised " + failure.exception_type + ": " + failure.message
                         : "task '" + name + "' could not run: its dependency '" + failure.task_name + "' raised " +
                               failure.exception_type + ": " + failure.message;
  throw TaskError(what, failure.key, failure.task_name, failure.exception_type, failure.message, failure.original);
}

}  // namespace tessera
