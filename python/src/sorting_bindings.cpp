// Sorting, searching, set functions and boolean masks. The data-dependent ones (masks,
// unique, nonzero) compute their sizes on the given client while they build the result.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "tessera/array/sorting.hpp"

namespace tessera::python {

namespace py = pybind11;

void bind_sorting(py::module_& m) {
  using release_gil = py::call_guard<py::gil_scoped_release>;
  m.def(
      "sort", [](const Array& x, std::int64_t axis, bool descending) { return sort(x, axis, {descending, true}); },
      py::arg("x"), py::arg("axis"), py::arg("descending"), release_gil());
  m.def(
      "argsort", [](const Array& x, std::int64_t axis, bool descending) { return argsort(x, axis, {descending, true}); },
      py::arg("x"), py::arg("axis"), py::arg("descending"), release_gil());
  m.def(
      "unique_all",
      [](Client& client, const Array& x) {
        UniqueAll u = unique_all(client, x);
        return std::vector<Array>{u.values, u.indices, u.inverse_indices, u.counts};
      },
      release_gil());
  m.def(
      "unique_counts",
      [](Client& client, const Array& x) {
        UniqueCounts u = unique_counts(client, x);
        return std::vector<Array>{u.values, u.counts};
      },
      release_gil());
  m.def(
      "unique_inverse",
      [](Client& client, const Array& x) {
        UniqueInverse u = unique_inverse(client, x);
        return std::vector<Array>{u.values, u.inverse_indices};
      },
      release_gil());
  m.def(
      "unique_values", [](Client& client, const Array& x) { return unique_values(client, x); }, release_gil());
  m.def(
      "nonzero", [](Client& client, const Array& x) { return nonzero(client, x); }, release_gil());
  m.def(
      "argwhere", [](Client& client, const Array& x) { return argwhere(client, x); }, release_gil());
  m.def(
      "boolean_index", [](Client& client, const Array& x, const Array& mask) { return boolean_index(client, x, mask); },
      release_gil());
  m.def(
      "searchsorted",
      [](const Array& sorted, const Array& values, const std::string& side) { return searchsorted(sorted, values, side); },
      release_gil());
  m.def("count_nonzero", &count_nonzero, py::arg("x"), py::arg("axes"), release_gil());
}

}  // namespace tessera::python
