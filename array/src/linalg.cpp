// Blocked linear algebra.
#include "nodes.hpp"
#include "tessera/core/error.hpp"

namespace tessera {

Array matmul(const Array& a_in, const Array& b_in) {
  if (a_in.ndim() == 0 || b_in.ndim() == 0) throw ValueError("matmul does not accept 0-d operands; use multiply");
  if (a_in.ndim() > 2 || b_in.ndim() > 2) {
    throw ValueError("matmul of operands with more than 2 dimensions (batched) is not implemented yet; got " +
                     shape_to_string(a_in.shape()) + " @ " + shape_to_string(b_in.shape()));
  }
  const DType dtype = result_type(a_in.dtype(), b_in.dtype());
  // NumPy's rules for 1-d operands: a vector is a row on the left, a column on the right,
  // and the added axis is removed from the result.
  Array a = a_in.ndim() == 1 ? expand_dims(a_in, 0) : a_in;
  Array b = b_in.ndim() == 1 ? expand_dims(b_in, 1) : b_in;
  if (a.shape()[1] != b.shape()[0]) {
    throw ValueError("matmul: the contracted dimensions differ: " + shape_to_string(a_in.shape()) + " @ " +
                     shape_to_string(b_in.shape()) + " (" + std::to_string(a.shape()[1]) + " ≠ " +
                     std::to_string(b.shape()[0]) + ")");
  }
  a = a.astype(dtype);
  b = b.astype(dtype);
  if (b.chunks()[0] != a.chunks()[1]) b = b.rechunk(ChunkSizes{a.chunks()[1], b.chunks()[1]});
  Array c = array_detail::make_array<array_detail::MatmulNode>(a, b, ChunkSizes{a.chunks()[0], b.chunks()[1]});
  if (a_in.ndim() == 1) c = squeeze(c, {0});
  if (b_in.ndim() == 1) c = squeeze(c, {-1});
  return c;
}

}  // namespace tessera
