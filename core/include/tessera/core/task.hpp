// Tasks: what the scheduler places and a worker runs. A task reads the results of its
// dependencies (in order), produces the result named by its key, and is described by a
// TaskSpec. The code it runs is a TaskRunner.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera/core/device.hpp"
#include "tessera/core/key.hpp"
#include "tessera/core/value.hpp"

namespace tessera {

/// Which devices a task can run on, and which it would rather: the scheduler sends a
/// task to a worker of the preferred kind when the cluster has one, else to any kind it
/// can run on.
struct Placement {
  Placement() = default;
  Placement(DeviceKindMask can_run_on, DeviceKind preferred, std::string on_device = {})
      : can_run(can_run_on), prefers(preferred), device(std::move(on_device)) {}

  DeviceKindMask can_run = mask_of(DeviceKind::cpu);
  DeviceKind prefers = DeviceKind::cpu;
  /// The name of the device whose memory holds the task's data (Device::name(), e.g.
  /// "cuda:1"), or empty. The task then runs on the worker of that device while it is
  /// alive, and is never stolen from it: anywhere else it would copy the data first.
  std::string device;
};

/// Where a task runs: the worker's device and the executor lane (its stream on a GPU).
struct ExecutionContext {
  Device& device;
  std::size_t lane = 0;
};

/// The code of a task: a pure function from its dependencies' values to its result.
///
/// In-process transports hand the runner over by pointer. Transports that cross
/// processes will only carry runners that can name themselves (registered kernels,
/// pickled Python callables); a C++ closure cannot leave its process.
class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  /// Runs the task. `inputs[i]` is the value of the i-th dependency. May throw: the
  /// exception becomes the task's error.
  virtual Value run(std::span<const Value> inputs) const = 0;
  /// Runs the task on `context.device`, where the worker has put every input. Runners
  /// that can run on a GPU override this and placement(); the default runs on the host.
  virtual Value run_on(std::span<const Value> inputs, const ExecutionContext& /*context*/) const {
    return run(inputs);
  }
  virtual Placement placement() const { return {}; }
};

/// A runner returning a value fixed when the graph was built (a literal, as Dask's
/// graph holds plain data).
class LiteralRunner final : public TaskRunner {
 public:
  explicit LiteralRunner(Value value) : value_(std::move(value)) {}
  Value run(std::span<const Value>) const override { return value_; }
  /// Device data (an array imported from a GPU library) is held by the worker of the
  /// device it is on (or, with none, one of its kind), where the tasks reading it run.
  Placement placement() const override {
    const Device* where = value_.location();
    if (where == nullptr) return {};
    return {static_cast<DeviceKindMask>(mask_of(DeviceKind::cpu) | mask_of(where->kind())), where->kind(),
            where->name()};
  }

 private:
  Value value_;
};

/// Everything the scheduler needs to know about one task.
struct TaskSpec {
  Key key;
  /// Readable name for logs and errors; its prefix up to the first '-' groups tasks of
  /// one kind for duration estimates ("inc-17" is of kind "inc").
  std::string name;
  /// Keys read by the task, in the order `TaskRunner::run` receives them; no repeats.
  std::vector<Key> dependencies;
  std::shared_ptr<const TaskRunner> runner;
};

/// Lifecycle of a task at the scheduler (dask.distributed's names).
enum class TaskStatus : std::uint8_t {
  released,    ///< known, but its result is not wanted now (or was dropped)
  waiting,     ///< wanted; some dependencies are not in memory yet
  queued,      ///< ready, held at the scheduler until a worker has room (backpressure)
  processing,  ///< assigned to a worker
  memory,      ///< its result is held by one or more workers
  erred,       ///< it, or a dependency, raised
  forgotten,   ///< removed from the scheduler
};

std::string_view to_string(TaskStatus status) noexcept;

/// Why a task erred: the task that raised (the root cause, possibly a dependency) and what.
struct TaskFailure {
  Key key;
  std::string task_name;
  std::string exception_type;
  std::string message;
  /// The exception object itself when the task ran in this process.
  std::exception_ptr original;
};

/// The failure of task `key` from the exception being handled (call inside a catch block).
std::shared_ptr<const TaskFailure> failure_from_current_exception(Key key, std::string task_name = {});

/// The TaskError a future of task `key` named `name` throws when `failure` made it err.
[[noreturn]] void throw_task_error(const TaskFailure& failure, Key key, const std::string& name);

}  // namespace tessera
