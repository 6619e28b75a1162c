#include "bindings.hpp"

#include <exception>

#include "tessera/core/error.hpp"

namespace tessera::python {

namespace py = pybind11;

namespace {

PyObject* cancelled_error_type = nullptr;
PyObject* killed_worker_type = nullptr;

// Sets the Python error for `error`; a TaskError stands for what its task raised, which
// may itself have been a Python exception carried through the runtime.
void set_python_error(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const py::error_already_set& e) {
    // A failed task's error may be raised many times (each result() call, each dependent):
    // restore new references, which error_already_set::restore() (once only) would not.
    PyErr_Restore(e.type().inc_ref().ptr(), e.value().inc_ref().ptr(), e.trace().inc_ref().ptr());
  } catch (const TaskError& e) {
    if (e.original()) {
      set_python_error(e.original());
    } else {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  } catch (const CancelledError& e) {
    PyErr_SetString(cancelled_error_type, e.what());
  } catch (const KilledWorker& e) {
    PyErr_SetString(killed_worker_type, e.what());
  } catch (const ValueError& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const TypeError& e) {
    PyErr_SetString(PyExc_TypeError, e.what());
  } catch (const IndexError& e) {
    PyErr_SetString(PyExc_IndexError, e.what());
  } catch (const OverflowError& e) {
    PyErr_SetString(PyExc_OverflowError, e.what());
  } catch (const OutOfMemory& e) {
    PyErr_SetString(PyExc_MemoryError, e.what());
  } catch (const std::bad_alloc& e) {
    PyErr_SetString(PyExc_MemoryError, e.what());
  } catch (const py::builtin_exception& e) {
    e.set_error();
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
}

}  // namespace

void bind_errors(py::module_& module) {
  // Dask and concurrent.futures users catch concurrent.futures.CancelledError.
  py::object base = py::module_::import("concurrent.futures").attr("CancelledError");
  // Owned for the life of the process: the translator may run until the very end.
  cancelled_error_type = PyErr_NewException("tessera.CancelledError", base.ptr(), nullptr);
  if (cancelled_error_type == nullptr) throw py::error_already_set();
  module.add_object("CancelledError", py::reinterpret_borrow<py::object>(cancelled_error_type));
  // dask.distributed's name for a task that was running on too many workers that died.
  killed_worker_type = PyErr_NewException("tessera.KilledWorker", PyExc_RuntimeError, nullptr);
  if (killed_worker_type == nullptr) throw py::error_already_set();
  module.add_object("KilledWorker", py::reinterpret_borrow<py::object>(killed_worker_type));
  py::register_exception_translator([](std::exception_ptr error) {
    if (error) set_python_error(error);
  });
}

}  // namespace tessera::python
