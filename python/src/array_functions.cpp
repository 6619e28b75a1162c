// The free functions of tessera's array namespace: creation, elementwise, manipulation,
// linear algebra, custom code and joint evaluation.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <optional>

#include "bindings.hpp"
#include "conversions.hpp"
#include "py_object.hpp"
#include "tessera/array/array.hpp"
#include "tessera/array/linalg.hpp"
#include "tessera/array/overlap.hpp"

namespace tessera::python {

namespace {

using Axes = std::vector<std::int64_t>;
using release_gil = py::call_guard<py::gil_scoped_release>;

CreationOptions creation(py::handle dtype, py::handle chunks, const Shape& shape) {
  return CreationOptions{dtype_from_python(dtype), chunk_spec_from_python(chunks, shape)};
}

random::RandomOptions random_options(std::uint64_t seed, py::handle dtype, py::handle chunks, const Shape& shape) {
  return random::RandomOptions{seed, dtype_from_python(dtype), chunk_spec_from_python(chunks, shape)};
}

// A Python function over NumPy blocks as a C++ block function: it runs on a worker thread,
// so it takes the GIL only while the Python code runs.
std::function<Chunk(const Chunk&)> block_function(py::function fn, DType out_dtype) {
  auto shared = std::make_shared<PyObjectRef>(std::move(fn));
  return [shared, out_dtype](const Chunk& block) -> Chunk {
    return with_worker_gil([&] {
      py::object result = shared->get()(chunk_to_numpy(block, /*copy=*/false));
      py::module_ numpy = py::module_::import("numpy");
      auto array = py::array(numpy.attr("ascontiguousarray")(result, to_numpy_dtype(out_dtype)));
      return chunk_from_numpy(array);
    });
  };
}

}  // namespace

void bind_array_functions(py::module_& m) {
  // ---- dtypes: tessera's promotion, which Python asks where NumPy's has no answer (bfloat16) ----
  m.def(
      "result_type",
      [](py::handle a, py::handle b) {
        // b may be a Python scalar (exactly bool, int, float or complex: NumPy's scalars
        // subclass them but carry a dtype), which promotes weakly.
        const DType left = dtype_from_python(a);
        std::optional<ScalarKind> weak;
        if (PyBool_Check(b.ptr())) weak = ScalarKind::boolean;
        else if (PyLong_CheckExact(b.ptr())) weak = ScalarKind::integer;
        else if (PyFloat_CheckExact(b.ptr())) weak = ScalarKind::real;
        else if (PyComplex_CheckExact(b.ptr())) weak = ScalarKind::complex;
        return to_numpy_dtype(weak ? result_type(left, *weak) : result_type(left, dtype_from_python(b)));
      },
      py::arg("a"), py::arg("b"));
  m.def(
      "can_cast",
      [](py::handle from, py::handle to) { return can_cast_safely(dtype_from_python(from), dtype_from_python(to)); },
      py::arg("from_"), py::arg("to"));

  // ---- creation ----
  m.def(
      "full",
      [](py::handle shape, py::handle value, py::handle dtype, py::handle chunks) {
        Shape s = shape_from_python(shape);
        return full(s, scalar_from_python(value), creation(dtype, chunks, s));
      },
      py::arg("shape"), py::arg("fill_value"), py::arg("dtype"), py::arg("chunks"));
  m.def(
      "arange",
      [](double start, double stop, double step, py::handle dtype, py::handle chunks) {
        if (step == 0) throw py::value_error("arange: step must not be zero");
        const auto length = static_cast<std::int64_t>(std::max(0.0, std::ceil((stop - start) / step)));
        return arange(start, stop, step, creation(dtype, chunks, Shape{length}));
      },
      py::arg("start"), py::arg("stop"), py::arg("step"), py::arg("dtype"), py::arg("chunks"));
  m.def(
      "linspace",
      [](double start, double stop, std::int64_t num, bool endpoint, py::handle dtype, py::handle chunks) {
        return linspace(start, stop, num, endpoint, creation(dtype, chunks, Shape{num}));
      },
      py::arg("start"), py::arg("stop"), py::arg("num"), py::arg("endpoint"), py::arg("dtype"), py::arg("chunks"));
  m.def(
      "eye",
      [](std::int64_t n, std::int64_t cols, std::int64_t k, py::handle dtype, py::handle chunks) {
        return eye(n, cols, k, creation(dtype, chunks, Shape{n, cols}));
      },
      py::arg("n"), py::arg("m"), py::arg("k"), py::arg("dtype"), py::arg("chunks"));
  m.def(
      "from_numpy",
      [](const py::array& array, py::handle chunks, bool copy) {
        Chunk whole = chunk_from_numpy(array);
        ChunkSpec spec = chunk_spec_from_python(chunks, whole.shape);
        py::gil_scoped_release release;
        if (copy) return from_buffer(whole.buffer.data(), whole.dtype, whole.shape, spec);
        // The chunk's buffer keeps the NumPy array alive for as long as any task reads it.
        auto owner = std::make_shared<Chunk>(whole);
        return from_buffer_zero_copy(owner->buffer.data(), owner->dtype, owner->shape, owner, spec);
      },
      py::arg("array"), py::arg("chunks"), py::arg("copy"));
  m.def(
      "random_uniform",
      [](py::handle shape, double low, double high, std::uint64_t seed, py::handle dtype, py::handle chunks) {
        Shape s = shape_from_python(shape);
        return random::uniform(s, low, high, random_options(seed, dtype, chunks, s));
      },
      py::arg("shape"), py::arg("low"), py::arg("high"), py::arg("seed"), py::arg("dtype"), py::arg("chunks"));
  m.def(
      "random_normal",
      [](py::handle shape, double mean, double stddev, std::uint64_t seed, py::handle dtype, py::handle chunks) {
        Shape s = shape_from_python(shape);
        return random::normal(s, mean, stddev, random_options(seed, dtype, chunks, s));
      },
      py::arg("shape"), py::arg("mean"), py::arg("stddev"), py::arg("seed"), py::arg("dtype"), py::arg("chunks"));
  m.def(
      "random_integers",
      [](py::handle shape, std::int64_t low, std::int64_t high, std::uint64_t seed, py::handle dtype, py::handle chunks) {
        Shape s = shape_from_python(shape);
        return random::integers(s, low, high, random_options(seed, dtype, chunks, s));
      },
      py::arg("shape"), py::arg("low"), py::arg("high"), py::arg("seed"), py::arg("dtype"), py::arg("chunks"));

  // ---- elementwise ----
  m.def("elementwise", &elementwise, py::arg("op"), py::arg("operands"));
  m.def(
      "scalar_array", [](py::handle value) { return scalar_array(scalar_from_python(value)); }, py::arg("value"));
  m.def("where", &where, py::arg("condition"), py::arg("x1"), py::arg("x2"));
  m.def(
      "clip",
      [](const Array& x, py::handle low, py::handle high) {
        std::optional<Scalar> lo, hi;
        if (!low.is_none()) lo = scalar_from_python(low);
        if (!high.is_none()) hi = scalar_from_python(high);
        return clip(x, lo, hi);
      },
      py::arg("x"), py::arg("min"), py::arg("max"));

  // ---- manipulation ----
  m.def("permute_dims", &permute_dims, py::arg("x"), py::arg("axes"));
  m.def("matrix_transpose", &matrix_transpose, py::arg("x"));
  m.def(
      "broadcast_to", [](const Array& x, py::handle shape) { return broadcast_to(x, shape_from_python(shape)); },
      py::arg("x"), py::arg("shape"));
  m.def("expand_dims", &expand_dims, py::arg("x"), py::arg("axis"));
  m.def("squeeze", &squeeze, py::arg("x"), py::arg("axes"));
  m.def("flip", &flip, py::arg("x"), py::arg("axes"));
  m.def("concat", &concat, py::arg("arrays"), py::arg("axis"));
  m.def("stack", &stack, py::arg("arrays"), py::arg("axis"));

  // ---- linear algebra ----
  m.def("matmul", &matmul, py::arg("x1"), py::arg("x2"));
  m.def(
      "tensordot", [](const Array& a, const Array& b, std::int64_t axes) { return tensordot(a, b, axes); },
      py::arg("x1"), py::arg("x2"), py::arg("axes"));
  m.def(
      "tensordot_axes",
      [](const Array& a, const Array& b, Axes a_axes, Axes b_axes) {
        return tensordot(a, b, std::move(a_axes), std::move(b_axes));
      },
      py::arg("x1"), py::arg("x2"), py::arg("x1_axes"), py::arg("x2_axes"));
  m.def("vecdot", &vecdot, py::arg("x1"), py::arg("x2"), py::arg("axis"));
  m.def("outer", &outer, py::arg("x1"), py::arg("x2"));

  // ---- custom code ----
  m.def(
      "map_blocks",
      [](const Array& x, py::function fn, py::handle dtype) {
        const DType out = dtype_from_python(dtype);
        return map_blocks(x, block_function(std::move(fn), out), out);
      },
      py::arg("x"), py::arg("fn"), py::arg("dtype"));

  m.def(
      "map_overlap",
      [](const Array& x, py::function fn, py::handle dtype, Axes depth, const std::string& boundary, py::handle constant,
         bool trim) {
        const DType out = dtype_from_python(dtype);
        OverlapOptions options;
        options.depth = std::move(depth);
        if (boundary == "none") {
          options.boundary = Boundary::none;
        } else if (boundary == "constant") {
          options.boundary = Boundary::constant;
        } else if (boundary == "reflect") {
          options.boundary = Boundary::reflect;
        } else if (boundary == "periodic") {
          options.boundary = Boundary::periodic;
        } else {
          throw py::value_error("boundary must be 'none', 'constant', 'reflect' or 'periodic', got '" + boundary + "'");
        }
        options.constant = scalar_from_python(constant);
        options.trim = trim;
        return map_overlap(x, block_function(std::move(fn), out), out, options);
      },
      py::arg("x"), py::arg("fn"), py::arg("dtype"), py::arg("depth"), py::arg("boundary"), py::arg("constant"),
      py::arg("trim"));

  // ---- evaluation ----
  m.def(
      "task_graph",
      [](const std::vector<Array>& arrays) {
        const Graph graph = task_graph(arrays);
        py::list tasks;
        for (const TaskSpec& spec : graph.tasks()) {
          py::list dependencies;
          for (Key key : spec.dependencies) dependencies.append(to_string(key));
          tasks.append(py::make_tuple(to_string(spec.key), spec.name, dependencies));
        }
        return tasks;
      },
      py::arg("arrays"), "(key, name, dependency keys) for every task compute() would run");
  m.def(
      "compute_many",
      [](Client& client, const std::vector<Array>& arrays) {
        std::vector<HostArray> results;
        {
          py::gil_scoped_release release;
          results = compute(client, arrays);
        }
        py::list out;
        for (const HostArray& r : results) out.append(chunk_to_numpy(r.chunk(), r.shares_storage()));
        return out;
      },
      py::arg("client"), py::arg("arrays"));
}

}  // namespace tessera::python
