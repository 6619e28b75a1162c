// Python objects held by C++ code that outlives the calling thread: task results stored
// by workers, callables kept by task runners, NumPy arrays whose memory a chunk borrows.
// Whoever drops the last reference may be a worker thread without the GIL, so the
// release takes the GIL itself; once the interpreter is shutting down it leaks instead,
// because taking the GIL then would hang or kill the thread.
#pragma once

#include <pybind11/pybind11.h>

#include "tessera/core/value.hpp"

#include <cstddef>
#include <memory>
#include <utility>

namespace tessera::python {

namespace py = pybind11;

/// Called from the module's atexit hook: from then on references are leaked, not released.
void mark_interpreter_exiting() noexcept;

/// Whether Python code may still run: false once the interpreter is shutting down.
bool interpreter_alive() noexcept;

/// Drops one reference to `object` from any thread.
void release_reference(PyObject* object) noexcept;

/// Takes the GIL on a thread that is not Python's (a worker's executor). The thread's
/// Python state is created once and kept: making and freeing one per task would cost more
/// than a small task itself.
class WorkerGil {
 public:
  WorkerGil();

 private:
  py::gil_scoped_acquire acquire_;
};

/// Lets go of the GIL for its scope when this thread holds it through its own thread state
/// (the one a Save/Restore pair gives back), and does nothing otherwise: for code that
/// waits on threads that may need the GIL, and may be called with or without it. Not
/// PyGILState_Check(), which answers yes on every thread once a subinterpreter exists.
class GilReleasedIfHeld {
 public:
  GilReleasedIfHeld() noexcept;
  ~GilReleasedIfHeld();
  GilReleasedIfHeld(const GilReleasedIfHeld&) = delete;
  GilReleasedIfHeld& operator=(const GilReleasedIfHeld&) = delete;

 private:
  PyThreadState* saved_ = nullptr;
};

/// Runs `body` on a worker thread with the GIL held. A Python exception leaves with its
/// message already formatted, while this thread still holds the GIL: the runtime reads
/// what() later, from threads that do not.
template <class F>
auto with_worker_gil(F&& body) -> decltype(body()) {
  WorkerGil gil;
  try {
    return body();
  } catch (py::error_already_set& e) {
    (void)e.what();
    throw;
  }
}

/// An owned reference to a Python object, safe to destroy on any thread.
class PyObjectRef {
 public:
  PyObjectRef() = default;
  /// Needs the GIL (as everything that touches the object but the destructor).
  explicit PyObjectRef(py::object object, std::size_t nbytes = sizeof(PyObject*))
      : object_(object.release().ptr()), nbytes_(nbytes) {}
  PyObjectRef(PyObjectRef&& other) noexcept
      : object_(std::exchange(other.object_, nullptr)), nbytes_(other.nbytes_) {}
  PyObjectRef& operator=(PyObjectRef&& other) noexcept {
    if (this != &other) {
      release_reference(object_);
      object_ = std::exchange(other.object_, nullptr);
      nbytes_ = other.nbytes_;
    }
    return *this;
  }
  PyObjectRef(const PyObjectRef&) = delete;
  PyObjectRef& operator=(const PyObjectRef&) = delete;
  ~PyObjectRef() { release_reference(object_); }

  /// A new reference to the object; needs the GIL.
  py::object get() const { return py::reinterpret_borrow<py::object>(object_); }
  /// What the object occupies, as estimated when it was wrapped (for memory limits).
  std::size_t nbytes() const noexcept { return nbytes_; }

 private:
  PyObject* object_ = nullptr;
  std::size_t nbytes_ = 0;
};

/// A shared_ptr owner that keeps `object` alive (for Buffer::wrap_host and friends).
std::shared_ptr<const void> keep_alive(py::object object);

/// Memory an object holds, cheaply estimated: a buffer's bytes (NumPy arrays), a size by
/// length for containers, the object's own size otherwise.
std::size_t estimate_nbytes(py::handle object);

}  // namespace tessera::python

namespace tessera {
template <>
struct ValueTraits<python::PyObjectRef> {
  // Python objects stay in memory; spilling them (with pickle) waits for cluster mode.
  static constexpr bool serializable = false;
  static std::size_t nbytes(const python::PyObjectRef& ref) noexcept { return ref.nbytes(); }
};
}  // namespace tessera
