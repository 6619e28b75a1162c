// map_overlap: stencils and other neighbourhood computations on a chunked array. Each
// chunk is handed to a function extended by a halo of its neighbours' elements (the
// array's edges extended by a boundary rule), as dask.array.map_overlap does; only the
// halo slabs of the neighbours are copied, never their whole chunks.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "tessera/array/array.hpp"

namespace tessera {

/// How the halo is filled beyond the array's edges.
enum class Boundary {
  none,      ///< not at all: chunks on an edge are not extended across it
  constant,  ///< with OverlapOptions::constant
  reflect,   ///< mirrored with the edge element repeated (dask's 'reflect', NumPy pad 'symmetric')
  periodic,  ///< wrapped around from the other edge (NumPy pad 'wrap')
};

struct OverlapOptions {
  /// Halo width per axis; a single value applies to every axis. Depths may exceed the
  /// neighbouring chunks (the halo then reads from further chunks); with reflect and
  /// periodic boundaries they may not exceed the axis length.
  std::vector<std::int64_t> depth = {};
  Boundary boundary = Boundary::reflect;  // dask's default
  /// The fill value of Boundary::constant, cast to the array's dtype.
  Scalar constant = 0;
  /// Drop the halo from fn's result; without trimming the result keeps the extended
  /// chunks (its chunks are the extended chunks' shapes).
  bool trim = true;
};

/// Calls fn on every chunk extended by `depth` elements from its neighbours (the array's
/// edges extended by `boundary`; with Boundary::none edge chunks are simply not extended
/// there), and assembles the (trimmed) results, which must keep the extended chunk's
/// shape and have out_dtype. An array with no elements gives an empty result of
/// out_dtype without calling fn.
Array map_overlap(const Array& x, std::function<Chunk(const Chunk&)> fn, DType out_dtype, OverlapOptions options = {});

}  // namespace tessera
