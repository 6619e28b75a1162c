// The error policy of tessera: every failure a user can cause is an exception derived
// from tessera::Error whose message names the offending value; broken internal
// invariants abort through TESSERA_ASSERT instead (they are bugs, not input errors).
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

#include "tessera/core/key.hpp"

namespace tessera {

/// Base of every exception tessera throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An argument has the right type but an unacceptable value (Python: ValueError).
class ValueError : public Error {
 public:
  using Error::Error;
};

/// An argument or a stored value has the wrong type (Python: TypeError).
class TypeError : public Error {
 public:
  using Error::Error;
};

/// An index or key is out of range or unknown (Python: IndexError / KeyError).
class IndexError : public Error {
 public:
  using Error::Error;
};

/// A value does not fit the dtype it must take (Python: OverflowError), e.g. the int
/// 300 meeting an int8 array.
class OverflowError : public Error {
 public:
  using Error::Error;
};

/// Memory could not be obtained on a device or host (Python: MemoryError).
class OutOfMemory : public Error {
 public:
  using Error::Error;
};

/// A transport failed: a peer did not answer or a message was malformed (Python: ConnectionError).
class CommError : public Error {
 public:
  using Error::Error;
};

/// A device can no longer be used by this process: a GPU whose context a failed kernel
/// corrupted (an illegal address, a trap, an uncorrectable ECC error), after which every
/// call on it fails. The worker on it retires; its work moves to other workers.
class DeviceLost : public Error {
 public:
  using Error::Error;
};

/// A task was running on too many workers that were lost while it ran (the runtime
/// retries it elsewhere up to SchedulerOptions::allowed_failures times), or needed data
/// that only a lost worker held and that cannot be computed again (scattered data).
/// Named after dask.distributed's exception for the same event.
class KilledWorker : public Error {
 public:
  using Error::Error;
};

/// The result of a future is not available because its task was cancelled.
class CancelledError : public Error {
 public:
  using Error::Error;
};

/// A task raised an exception, or depends on one that did.
///
/// `failed_key()` names the task that raised (the root cause), which differs from the
/// future's own key when the failure came through a dependency. `original()` holds the
/// exception the task threw when it ran in this process (null when it came over a wire).
class TaskError : public Error {
 public:
  TaskError(const std::string& what, Key failed_key, std::string failed_name, std::string exception_type,
            std::string message, std::exception_ptr original)
      : Error(what),
        failed_key_(failed_key),
        failed_name_(std::move(failed_name)),
        exception_type_(std::move(exception_type)),
        message_(std::move(message)),
        original_(std::move(original)) {}

  Key failed_key() const noexcept { return failed_key_; }
  const std::string& failed_name() const noexcept { return failed_name_; }
  /// Demangled type of the exception the task threw, e.g. "std::runtime_error".
  const std::string& exception_type() const noexcept { return exception_type_; }
  /// The `what()` of the exception the task threw.
  const std::string& message() const noexcept { return message_; }
  const std::exception_ptr& original() const noexcept { return original_; }

 private:
  Key failed_key_;
  std::string failed_name_;
  std::string exception_type_;
  std::string message_;
  std::exception_ptr original_;
};

namespace detail {
[[noreturn]] void throw_value_error(const char* condition, const std::string& message, const char* file, int line);
[[noreturn]] void assertion_failed(const char* condition, const char* message, const char* file, int line) noexcept;
}  // namespace detail

}  // namespace tessera

/// Precondition on user input: throws tessera::ValueError naming the message, file and line.
#define TESSERA_EXPECTS(cond, msg)                                                       \
  do {                                                                                   \
    if (!(cond)) [[unlikely]] {                                                          \
      ::tessera::detail::throw_value_error(#cond, (msg), __FILE__, __LINE__);            \
    }                                                                                    \
  } while (false)

/// Internal invariant, checked in every build type; a failure is a tessera bug and aborts.
#define TESSERA_ASSERT(cond, msg)                                                        \
  do {                                                                                   \
    if (!(cond)) [[unlikely]] {                                                          \
      ::tessera::detail::assertion_failed(#cond, (msg), __FILE__, __LINE__);             \
    }                                                                                    \
  } while (false)
