// tessera.Array's native side: the C++ Array class and its methods.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "conversions.hpp"
#include "tessera/array/array.hpp"

namespace tessera::python {

namespace {

using Axes = std::vector<std::int64_t>;
using release_gil = py::call_guard<py::gil_scoped_release>;

py::tuple chunks_to_python(const ChunkSizes& chunks) {
  py::tuple out(chunks.size());
  for (std::size_t d = 0; d < chunks.size(); ++d) out[d] = py::tuple(py::cast(chunks[d]));
  return out;
}

Array reduce(const Array& x, const std::string& op, const Axes& axes, bool keepdims, int split_every, double correction) {
  const ReduceOptions options{keepdims, split_every};
  if (op == "sum") return x.sum(axes, options);
  if (op == "prod") return x.prod(axes, options);
  if (op == "min") return x.min(axes, options);
  if (op == "max") return x.max(axes, options);
  if (op == "mean") return x.mean(axes, options);
  if (op == "var") return x.var(axes, correction, options);
  if (op == "std") return x.std(axes, correction, options);
  if (op == "any") return x.any(axes, options);
  if (op == "all") return x.all(axes, options);
  throw ValueError("unknown reduction '" + op + "'");
}

}  // namespace

void bind_array(py::module_& m) {
  py::class_<Array>(m, "Array", "The native array; tessera.Array wraps it with NumPy's spelling.")
      .def_property_readonly("shape", [](const Array& a) { return py::tuple(py::cast(a.shape())); })
      .def_property_readonly("dtype", [](const Array& a) { return std::string(name(a.dtype())); })
      .def_property_readonly("chunks", [](const Array& a) { return chunks_to_python(a.chunks()); })
      .def_property_readonly("numblocks", [](const Array& a) { return py::tuple(py::cast(a.numblocks())); })
      .def_property_readonly("ndim", &Array::ndim)
      .def_property_readonly("size", &Array::size)
      .def_property_readonly("nbytes", &Array::nbytes)
      .def("repr", &Array::repr)
      .def(
          "compute",
          [](const Array& a, Client& client) {
            HostArray result;
            {
              py::gil_scoped_release release;
              result = a.compute(client);
            }
            return chunk_to_numpy(result.chunk(), /*copy=*/result.shares_storage());
          },
          py::arg("client"))
      .def(
          "persist", [](const Array& a, Client& client) { return a.persist(client); }, py::arg("client"), release_gil())
      .def(
          "astype", [](const Array& a, py::handle dtype) { return a.astype(dtype_from_python(dtype)); }, py::arg("dtype"))
      .def(
          "rechunk", [](const Array& a, py::handle chunks) { return a.rechunk(chunk_spec_from_python(chunks, a.shape())); },
          py::arg("chunks"))
      .def("transpose", &Array::transpose, py::arg("axes") = Axes{})
      .def("getitem", [](const Array& a, const py::sequence& index) { return a[index_from_python(index)]; })
      .def("reduce", &reduce, py::arg("op"), py::arg("axes"), py::arg("keepdims") = false, py::arg("split_every") = 0,
           py::arg("correction") = 0.0, release_gil())
      .def(
          "argreduce",
          [](const Array& a, const std::string& op, std::optional<std::int64_t> axis, bool keepdims, int split_every) {
            const ReduceOptions options{keepdims, split_every};
            if (op == "argmin") return a.argmin(axis, options);
            if (op == "argmax") return a.argmax(axis, options);
            throw ValueError("unknown arg-reduction '" + op + "'");
          },
          py::arg("op"), py::arg("axis"), py::arg("keepdims") = false, py::arg("split_every") = 0);
}

}  // namespace tessera::python
