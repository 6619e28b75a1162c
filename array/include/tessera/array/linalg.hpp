// Blocked linear algebra on tessera::Array: matmul with NumPy's batch broadcasting,
// tensordot, vecdot and outer. Products run BLAS per block pair (one BLAS thread per
// task: the worker's executor owns the parallelism); contracted axes' chunks are aligned
// automatically.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/array/array.hpp"

namespace tessera {

/// NumPy matmul for any ndim >= 1: the last two axes multiply as matrices, the others are
/// batch axes that broadcast (size 1 against n). A 1-d left operand is a row and a 1-d
/// right operand a column, their added axis removed from the result.
Array matmul(const Array& a, const Array& b);

/// Contracts the last `axes` axes of a with the first `axes` axes of b (NumPy's
/// tensordot with an integer); the result's axes are a's free axes then b's.
Array tensordot(const Array& a, const Array& b, std::int64_t axes = 2);
/// Contracts axis a_axes[i] of a with axis b_axes[i] of b for every i.
Array tensordot(const Array& a, const Array& b, std::vector<std::int64_t> a_axes, std::vector<std::int64_t> b_axes);

/// sum(conj(a) * b) along `axis` of the broadcast operands (the array API's vecdot); the
/// contracted axis must have the same length in both. A negative axis counts from the end
/// of every operand, a non-negative one indexes the broadcast shape.
Array vecdot(const Array& a, const Array& b, std::int64_t axis = -1);

/// The outer product of two 1-d arrays: result[i, j] = a[i] * b[j].
Array outer(const Array& a, const Array& b);

}  // namespace tessera
