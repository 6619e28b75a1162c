// Reshaping, scans, take and setitem.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "conversions.hpp"
#include "tessera/array/reshaping.hpp"

namespace tessera::python {

namespace py = pybind11;

namespace {

std::optional<DType> optional_dtype(py::handle dtype) {
  if (dtype.is_none()) return std::nullopt;
  return dtype_from_python(dtype);
}

}  // namespace

void bind_reshaping(py::module_& m) {
  using release_gil = py::call_guard<py::gil_scoped_release>;
  m.def("reshape", &reshape, py::arg("x"), py::arg("shape"));
  m.def("moveaxis", &moveaxis, py::arg("x"), py::arg("source"), py::arg("destination"));
  m.def("roll", &roll, py::arg("x"), py::arg("shift"), py::arg("axes"));
  m.def("tile", &tile, py::arg("x"), py::arg("repetitions"));
  m.def("repeat", &repeat, py::arg("x"), py::arg("repeats"), py::arg("axis"));
  m.def(
      "cumulative_sum",
      [](const Array& x, std::optional<std::int64_t> axis, py::handle dtype, bool include_initial) {
        return cumulative_sum(x, axis, optional_dtype(dtype), include_initial);
      },
      py::arg("x"), py::arg("axis"), py::arg("dtype"), py::arg("include_initial"));
  m.def(
      "cumulative_prod",
      [](const Array& x, std::optional<std::int64_t> axis, py::handle dtype, bool include_initial) {
        return cumulative_prod(x, axis, optional_dtype(dtype), include_initial);
      },
      py::arg("x"), py::arg("axis"), py::arg("dtype"), py::arg("include_initial"));
  // take computes the indices while it builds the graph: no GIL held meanwhile.
  m.def("take", &take, py::arg("x"), py::arg("indices"), py::arg("axis"), release_gil());
  m.def(
      "setitem",
      [](const Array& x, const py::sequence& index, const Array& value) {
        return setitem(x, index_from_python(index), value);
      },
      py::arg("x"), py::arg("index"), py::arg("value"));
  m.def(
      "setitem_scalar",
      [](const Array& x, const py::sequence& index, py::handle value) {
        return setitem(x, index_from_python(index), scalar_from_python(value));
      },
      py::arg("x"), py::arg("index"), py::arg("value"));
}

}  // namespace tessera::python
