// The pieces of the `tessera._tessera` extension module, one per family.
#pragma once

#include <pybind11/pybind11.h>

namespace tessera::python {

void bind_errors(pybind11::module_& module);
void bind_client(pybind11::module_& module);
void bind_array(pybind11::module_& module);
void bind_array_functions(pybind11::module_& module);
void bind_sorting(pybind11::module_& module);
void bind_reshaping(pybind11::module_& module);
void bind_dlpack(pybind11::module_& module);

}  // namespace tessera::python
