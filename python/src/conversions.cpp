#include "conversions.hpp"

#include <pybind11/stl.h>

#include <complex>
#include <string>

#include "py_object.hpp"
#include "tessera/array/chunking.hpp"
#include "tessera/core/error.hpp"

namespace tessera::python {

namespace {

// The integer of `object` by __index__ (ints, NumPy integers), or nullopt when it has none.
std::optional<std::int64_t> index_value(py::handle object) {
  PyObject* integer = PyNumber_Index(object.ptr());
  if (integer == nullptr) {
    PyErr_Clear();
    return std::nullopt;
  }
  return py::reinterpret_steal<py::object>(integer).cast<std::int64_t>();
}

std::string type_name(py::handle object) { return py::str(py::type::of(object).attr("__name__")).cast<std::string>(); }

}  // namespace

py::dtype to_numpy_dtype(DType dtype) { return py::dtype(std::string(name(dtype))); }

DType dtype_from_python(py::handle object) {
  py::dtype numpy_dtype = py::dtype::from_args(py::reinterpret_borrow<py::object>(object));
  const auto dtype_name = py::str(numpy_dtype.attr("name")).cast<std::string>();
  try {
    return parse_dtype(dtype_name);
  } catch (const TypeError&) {
    throw TypeError("tessera has no dtype " + dtype_name + " (it has " + std::string(kDTypeList) + ")");
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
      throw OverflowError("the Python int " + py::str(object).cast<std::string>() + " does not fit in int64");
    }
    return Scalar(static_cast<std::int64_t>(v));
  }
  if (PyFloat_Check(object.ptr())) return Scalar(object.cast<double>());
  if (PyComplex_Check(object.ptr())) return Scalar(object.cast<std::complex<double>>());
  throw py::type_error("expected a Python bool, int, float or complex, got " + type_name(object));
}

namespace {

// One axis' block size: an int, or -1 / None for the whole axis (returned as -1).
std::int64_t axis_chunk_from_python(py::handle entry) {
  if (entry.is_none()) return -1;
  if (auto size = index_value(entry)) return *size;
  throw py::type_error("a chunk size must be an int, -1 or None, got " + type_name(entry));
}

std::vector<std::int64_t> explicit_sizes_from_python(py::handle entry, std::size_t axis) {
  std::vector<std::int64_t> sizes;
  for (py::handle size : py::reinterpret_borrow<py::sequence>(entry)) {
    auto value = index_value(size);
    if (!value) {
      throw py::type_error("the chunks of axis " + std::to_string(axis) + " must be ints, got " +
                           py::str(entry).cast<std::string>());
    }
    sizes.push_back(*value);
  }
  return sizes;
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
    for (std::size_t d = 0; d < shape.size(); ++d) sizes.push_back(axis_chunk_from_python(entries[d]));
    return ChunkSpec(std::move(sizes));
  }
  ChunkSizes sizes;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    py::handle entry = entries[d];
    if (py::isinstance<py::sequence>(entry)) {
      sizes.push_back(explicit_sizes_from_python(entry, d));
    } else {
      const std::int64_t size = axis_chunk_from_python(entry);
      sizes.push_back(size == -1 || shape[d] == 0 ? std::vector<std::int64_t>{shape[d]} : regular_chunks(shape[d], size));
    }
  }
  return ChunkSpec(std::move(sizes));
}

std::vector<IndexItem> index_from_python(const py::sequence& items) {
  std::vector<IndexItem> index;
  index.reserve(items.size());
  for (py::handle item : items) {
    if (item.is_none()) {
      index.emplace_back(NewAxis{});
    } else if (item.ptr() == Py_Ellipsis) {
      index.emplace_back(Ellipsis{});
    } else if (PyBool_Check(item.ptr())) {
      // NumPy reads a bool as a 0-d mask, not as the integer 0 or 1.
      if (item.ptr() == Py_True) {
        index.emplace_back(NewAxis{});
      } else {
        throw py::index_error("indexing with False (an empty 0-d mask) is not supported; use a slice such as [0:0]");
      }
    } else if (py::isinstance<py::slice>(item)) {
      auto read = [&](const char* field) -> std::optional<std::int64_t> {
        py::object v = item.attr(field);
        if (v.is_none()) return std::nullopt;
        if (auto value = index_value(v)) return value;
        throw py::type_error("slice indices must be integers or None, got " + type_name(v));
      };
      index.emplace_back(Slice{read("start"), read("stop"), read("step")});
    } else if (auto integer = index_value(item)) {
      index.emplace_back(*integer);
    } else {
      throw py::index_error("only integers, slices, None, Ellipsis, integer arrays and boolean arrays are valid indices; got " +
                            type_name(item));
    }
  }
  return index;
}

Shape shape_from_python(py::handle object) {
  if (PyLong_Check(object.ptr())) return Shape{object.cast<std::int64_t>()};
  return object.cast<Shape>();
}

}  // namespace tessera::python
