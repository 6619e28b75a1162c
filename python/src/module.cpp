// tessera._tessera: the thin C++ layer under the `tessera` Python package. Argument
// spelling (NumPy's names, defaults, dtype objects) is done in Python; the work is here,
// with the GIL released around everything that can take time.
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "py_object.hpp"

PYBIND11_MODULE(_tessera, module) {
  module.doc() = "tessera's native core: arrays, the task runtime and its client";
  tessera::python::bind_errors(module);
  tessera::python::bind_client(module);
  tessera::python::bind_array(module);
  tessera::python::bind_array_functions(module);
  tessera::python::bind_sorting(module);
  tessera::python::bind_reshaping(module);
  tessera::python::bind_dlpack(module);
  // Before the interpreter starts tearing down, stop releasing references from other
  // threads (see py_object.hpp).
  pybind11::module_::import("atexit").attr("register")(
      pybind11::cpp_function([] { tessera::python::mark_interpreter_exiting(); }));
}
