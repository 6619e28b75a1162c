// Conversions between Python/NumPy values and tessera's C++ types.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "tessera/array/array.hpp"
#include "tessera/core/chunk.hpp"

namespace tessera::python {

namespace py = pybind11;

/// The NumPy dtype of a tessera dtype (same names: "float64", "bool", ...).
py::dtype to_numpy_dtype(DType dtype);
/// The tessera dtype of anything np.dtype() accepts; TypeError for the ones tessera lacks.
DType dtype_from_python(py::handle object);

/// A NumPy array over the chunk's bytes. With `copy`, an independent writable copy;
/// otherwise a read-only view that keeps the chunk alive.
py::array chunk_to_numpy(const Chunk& chunk, bool copy);
/// A chunk over a NumPy array's bytes (no copy; the chunk keeps the array alive). The array
/// must be C-contiguous and of a tessera dtype.
Chunk chunk_from_numpy(const py::array& array);

/// A Python bool, int, float or complex as a weakly typed scalar.
Scalar scalar_from_python(py::handle object);

/// Chunks as users write them: None or "auto", an int, one entry per axis (int, -1 or
/// None for the whole axis, or an explicit tuple of block sizes), or a byte target.
ChunkSpec chunk_spec_from_python(py::handle object, const Shape& shape);

Shape shape_from_python(py::handle object);

/// A basic index (ints, slices, None, Ellipsis) as the C++ API spells it; IndexError for
/// anything else.
std::vector<IndexItem> index_from_python(const py::sequence& items);

}  // namespace tessera::python
