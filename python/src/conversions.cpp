#include "conversions.hpp"

#include <pybind11/stl.h>

#include <complex>
#include <string>

#include "py_object.hpp"
#include "tessera/array/chunking.hpp"
#include "tessera/core/error.hpp"

namespace tessera::python {

py::dtype to_numpy_dtype(DType dtype) { return py::dtype(std::string(name(dtype))); }

DType dtype_from_python(py::handle object) {
  py::dtype numpy_dtype = py::dtype::from_args(py::reinterpret_borrow<py::object>(object));
  const auto dtype_name = py::str(numpy_dtype.attr("name")).cast<std::string>();
  try {
    return parse_dtype(dtype_name);
  } catch (const ValueError&) {
    throw TypeError("tessera has no dtype " + dtype_name +
                    " (it has the array API's bool, int8-int64, uint8-uint64, float32, float64, complex64, complex128)");
  }
}

py::array chunk_to_numpy(const Chunk& chunk, bool copy) {
  std::vector<py::ssize_t> shape(chunk.shape.begin(), chunk.shape.end());
  std::vector<py::ssize_t> strides;
  const auto item = static_cast<py::ssize_t>(itemsize(chunk.dtype));
  for (std::int64_t s : c_strides(chunk.shape)) strides.push_back(s * item);
  auto* owner = new Chunk(chunk);
  py::capsule base(owner, [](void* p) { delete static_cast<Chunk*>(p); });
  py::array view(to_numpy_dtype(chunk.dtype), shape, strides, owner->buffer.data(), base);
  if (copy) return py::array(view.attr("copy")());
  view.attr("flags").attr("writeable") = false;  // the bytes are a stored, immutable chunk
  return view;
}

Chunk chunk_from_numpy(const py::array& array) {
  if ((array.flags() & py::array::c_style) == 0) throw ValueError("chunk_from_numpy needs a C-contiguous array");
  Chunk chunk;
  chunk.dtype = dtype_from_python(array.dtype());
  chunk.shape.assign(array.shape(), array.shape() + array.ndim());
  chunk.buffer = Buffer::wrap_host(const_cast<void*>(array.data()), static_cast<std::size_t>(array.nbytes()),
                                   keep_alive(py::reinterpret_borrow<py::object>(array)));
  return chunk;
}

Scalar scalar_from_python(py::handle object) {
  if (PyBool_Check(object.ptr())) return Scalar(object.cast<bool>());
  if (PyLong_Check(object.ptr())) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(object.ptr(), &overflow);
    if (overflow != 0) {
      throw py::value_error("the Python int " + py::str(object).cast<std::string>() + " does not fit in int64");
    }
    return Scalar(static_cast<std::int64_t>(v));
  }
  if (PyFloat_Check(object.ptr())) return Scalar(object.cast<double>());
  if (PyComplex_Check(object.ptr())) return Scalar(object.cast<std::complex<double>>());
  throw py::type_error("expected a Python bool, int, float or complex, got " +
                       py::str(py::type::of(object).attr("__name__")).cast<std::string>());
}

namespace {

std::int64_t axis_size_from_python(py::handle entry, std::int64_t length) {
  if (entry.is_none()) return -1;
  auto size = entry.cast<std::int64_t>();
  return size == -1 ? length : size;
}

}  // namespace

ChunkSpec chunk_spec_from_python(py::handle object, const Shape& shape) {
  if (object.is_none()) return ChunkSpec::automatic();
  if (py::isinstance<py::str>(object)) {
    if (object.cast<std::string>() == "auto") return ChunkSpec::automatic();
    throw py::value_error("chunks must be 'auto', an int, or one entry per axis; got '" + object.cast<std::string>() + "'");
  }
  if (PyLong_Check(object.ptr()) && !PyBool_Check(object.ptr())) return ChunkSpec(object.cast<std::int64_t>());
  if (!py::isinstance<py::sequence>(object)) {
    throw py::type_error("chunks must be 'auto', an int, or a tuple with one entry per axis");
  }
  auto entries = py::reinterpret_borrow<py::sequence>(object);
  if (entries.size() != shape.size()) {
    throw py::value_error("chunks " + py::str(object).cast<std::string>() + " has " + std::to_string(entries.size()) +
                          " entries for an array of " + std::to_string(shape.size()) + " axes");
  }
  bool explicit_sizes = false;
  for (auto entry : entries) explicit_sizes = explicit_sizes || py::isinstance<py::sequence>(entry);
  if (!explicit_sizes) {
    std::vector<std::int64_t> sizes;
    for (std::size_t d = 0; d < shape.size(); ++d) sizes.push_back(axis_size_from_python(entries[d], shape[d]));
    return ChunkSpec(std::move(sizes));
  }
  ChunkSizes sizes;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    py::handle entry = entries[d];
    if (py::isinstance<py::sequence>(entry)) {
      sizes.push_back(entry.cast<std::vector<std::int64_t>>());
    } else {
      const std::int64_t size = axis_size_from_python(entry, shape[d]);
      sizes.push_back(size == -1 ? std::vector<std::int64_t>{shape[d]} : regular_chunks(shape[d], size));
    }
  }
  return ChunkSpec(std::move(sizes));
}

Shape shape_from_python(py::handle object) {
  if (PyLong_Check(object.ptr())) return Shape{object.cast<std::int64_t>()};
  return object.cast<Shape>();
}

}  // namespace tessera::python
