#include "py_object.hpp"

#include <algorithm>
#include <atomic>

namespace tessera::python {

namespace {
std::atomic<bool> exiting{false};
}

void mark_interpreter_exiting() noexcept { exiting.store(true, std::memory_order_release); }

bool interpreter_alive() noexcept { return !exiting.load(std::memory_order_acquire) && Py_IsInitialized() != 0; }

void release_reference(PyObject* object) noexcept {
  if (object == nullptr || !interpreter_alive()) return;
  PyGILState_STATE state = PyGILState_Ensure();
  Py_DECREF(object);
  PyGILState_Release(state);
}

GilReleasedIfHeld::GilReleasedIfHeld() noexcept {
#if PY_VERSION_HEX >= 0x030D0000
  PyThreadState* current = PyThreadState_GetUnchecked();
#else
  PyThreadState* current = _PyThreadState_UncheckedGet();
#endif
  if (current != nullptr && current == PyGILState_GetThisThreadState()) saved_ = PyEval_SaveThread();
}

GilReleasedIfHeld::~GilReleasedIfHeld() {
  if (saved_ != nullptr) PyEval_RestoreThread(saved_);
}

WorkerGil::WorkerGil() {
  thread_local bool state_kept = false;
  if (!state_kept) {
    acquire_.inc_ref();
    state_kept = true;
  }
}

std::shared_ptr<const void> keep_alive(py::object object) {
  PyObject* raw = object.release().ptr();
  return std::shared_ptr<const void>(raw, [](const void* p) { release_reference(static_cast<PyObject*>(const_cast<void*>(p))); });
}

std::size_t estimate_nbytes(py::handle object) {
  // Cheap type tests first: a failed attribute lookup raises (and clears) an exception,
  // which would cost more than the trivial tasks whose results these often are.
  PyObject* o = object.ptr();
  if (o == Py_None || PyLong_CheckExact(o) || PyFloat_CheckExact(o) || PyBool_Check(o) || PyComplex_CheckExact(o)) {
    return static_cast<std::size_t>(Py_TYPE(o)->tp_basicsize);
  }
  if (PyBytes_Check(o) || PyUnicode_Check(o) || PyList_Check(o) || PyTuple_Check(o) || PyDict_Check(o) ||
      PySet_Check(o)) {
    return static_cast<std::size_t>(Py_TYPE(o)->tp_basicsize) +
           static_cast<std::size_t>(std::max<Py_ssize_t>(PyObject_Size(o), 0)) * sizeof(PyObject*);
  }
  if (PyObject_CheckBuffer(o) != 0) {  // NumPy arrays and other buffers: their bytes
    Py_buffer view;
    if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) == 0) {
      const auto bytes = static_cast<std::size_t>(view.len);
      PyBuffer_Release(&view);
      return bytes;
    }
    PyErr_Clear();
  }
  return static_cast<std::size_t>(Py_TYPE(o)->tp_basicsize);
}

}  // namespace tessera::python
