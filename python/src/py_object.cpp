#include "py_object.hpp"

#include <atomic>

namespace tessera::python {

namespace {
std::atomic<bool> exiting{false};
}

void mark_interpreter_exiting() noexcept { exiting.store(true, std::memory_order_release); }

void release_reference(PyObject* object) noexcept {
  if (object == nullptr || exiting.load(std::memory_order_acquire) || Py_IsInitialized() == 0) return;
  PyGILState_STATE state = PyGILState_Ensure();
  Py_DECREF(object);
  PyGILState_Release(state);
}

std::shared_ptr<const void> keep_alive(py::object object) {
  PyObject* raw = object.release().ptr();
  return std::shared_ptr<const void>(raw, [](const void* p) { release_reference(static_cast<PyObject*>(const_cast<void*>(p))); });
}

std::size_t estimate_nbytes(py::handle object) {
  if (PyObject_HasAttrString(object.ptr(), "nbytes") != 0) {
    try {
      return object.attr("nbytes").cast<std::size_t>();
    } catch (const py::error_already_set&) {
    } catch (const py::cast_error&) {
    }
  }
  Py_ssize_t size = PyObject_Size(object.ptr());  // containers: a rough count is enough
  if (size < 0) {
    PyErr_Clear();
    size = 0;
  }
  return sizeof(PyObject) + static_cast<std::size_t>(size) * sizeof(PyObject*);
}

}  // namespace tessera::python
