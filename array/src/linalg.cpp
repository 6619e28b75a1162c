// Blocked linear algebra. matmul and tensordot both become one MatmulNode: tensordot
// permutes its operands to (free..., contracted...) and (contracted..., free...) and
// contracts the blocks directly, summing BLAS products over the contracted block tuples.
// tessera has no reshape across chunks, and none is needed: an operand block's
// C-contiguous elements already are a matrix of (free) × (contracted) elements. Blocks
// whose chunk holds them in that order (or swapped, as x.T) are read in place; others
// are copied once per block, as NumPy's tensordot copies its transposed operands.
#include "tessera/array/linalg.hpp"

#include <algorithm>

#include "nodes.hpp"
#include "tessera/core/error.hpp"
#include "tessera/kernels/matmul.hpp"

namespace tessera {

namespace {

using array_detail::ContractionLayout;
using array_detail::MatmulNode;

std::string pair_string(const Array& a, const Array& b) {
  return shape_to_string(a.shape()) + " and " + shape_to_string(b.shape());
}

// b rechunked so that its axes `b_axes` have the chunks of a's axes `a_axes`.
Array aligned(const Array& b, const Array& a, const std::vector<std::pair<int, int>>& b_to_a) {
  ChunkSizes target = b.chunks();
  for (auto [bd, ad] : b_to_a) target[static_cast<std::size_t>(bd)] = a.chunks()[static_cast<std::size_t>(ad)];
  return target == b.chunks() ? b : b.rechunk(target);
}

// The product of operands laid out as `layout`. A 16-bit float contraction that spans
// several blocks sums their products in float32 and rounds to 16 bits once, as one GEMM
// (NumPy's, or cuBLAS's) does, instead of once per block.
Array contraction(const Array& a, const Array& b, ContractionLayout layout) {
  const int first = layout.batch + layout.rows;
  bool split = false;
  for (int d = first; d < first + layout.contracted; ++d) {
    split = split || a.chunks()[static_cast<std::size_t>(d)].size() > 1;
  }
  const DType wide = kernels::wider_matmul_accumulator(a.dtype());
  if (!split || wide == a.dtype()) return array_detail::make_array<MatmulNode>(a, b, layout, a.dtype());
  return array_detail::make_array<MatmulNode>(a, b, layout, wide).astype(a.dtype());
}

}  // namespace

Array matmul(const Array& a_in, const Array& b_in) {
  if (a_in.ndim() == 0 || b_in.ndim() == 0) {
    throw ValueError("matmul does not accept 0-d operands (shapes " + pair_string(a_in, b_in) + "); use multiply");
  }
  // NumPy's rules for 1-d operands: a vector is a row on the left, a column on the right,
  // and the added axis is removed from the result. Missing batch axes are length 1.
  Array a = a_in.ndim() == 1 ? expand_dims(a_in, 0) : a_in;
  Array b = b_in.ndim() == 1 ? expand_dims(b_in, 1) : b_in;
  while (a.ndim() < b.ndim()) a = expand_dims(a, 0);
  while (b.ndim() < a.ndim()) b = expand_dims(b, 0);
  const int nd = a.ndim();
  const int nb = nd - 2;
  const auto k = static_cast<std::size_t>(nd - 1);
  if (a.shape()[k] != b.shape()[k - 1]) {
    throw ValueError("matmul: the contracted dimensions of shapes " + pair_string(a_in, b_in) + " differ (" +
                     std::to_string(a.shape()[k]) + " ≠ " + std::to_string(b.shape()[k - 1]) + ")");
  }
  std::vector<std::pair<int, int>> b_to_a{{nb, nb + 1}};
  for (int d = 0; d < nb; ++d) {
    const std::int64_t sa = a.shape()[static_cast<std::size_t>(d)], sb = b.shape()[static_cast<std::size_t>(d)];
    if (sa != sb && sa != 1 && sb != 1) {
      throw ValueError("matmul: the batch dimensions of shapes " + pair_string(a_in, b_in) + " do not broadcast");
    }
    if (sa == sb) b_to_a.emplace_back(d, d);
  }
  const DType dtype = result_type(a.dtype(), b.dtype());
  a = a.astype(dtype);
  b = aligned(b.astype(dtype), a, b_to_a);
  Array c = contraction(a, b, ContractionLayout{.batch = nb, .rows = 1, .contracted = 1, .cols = 1});
  if (a_in.ndim() == 1) c = squeeze(c, {-2});
  if (b_in.ndim() == 1) c = squeeze(c, {-1});
  return c;
}

Array tensordot(const Array& a, const Array& b, std::int64_t axes) {
  if (axes < 0 || axes > a.ndim() || axes > b.ndim()) {
    throw ValueError("tensordot: cannot contract " + std::to_string(axes) + " axes of shapes " + pair_string(a, b));
  }
  std::vector<std::int64_t> a_axes, b_axes;
  for (std::int64_t i = 0; i < axes; ++i) {
    a_axes.push_back(a.ndim() - axes + i);
    b_axes.push_back(i);
  }
  return tensordot(a, b, std::move(a_axes), std::move(b_axes));
}

Array tensordot(const Array& a_in, const Array& b_in, std::vector<std::int64_t> a_axes, std::vector<std::int64_t> b_axes) {
  if (a_axes.size() != b_axes.size()) {
    throw ValueError("tensordot: axes " + shape_to_string(a_axes) + " and " + shape_to_string(b_axes) +
                     " differ in number");
  }
  const auto contracted = [](std::vector<std::int64_t>& axes, const Array& x) {
    std::vector<bool> used(static_cast<std::size_t>(x.ndim()), false);
    for (std::int64_t& axis : axes) {
      axis = normalize_axis(axis, x.ndim());
      if (used[static_cast<std::size_t>(axis)]) {
        throw ValueError("tensordot: axis " + std::to_string(axis) + " is repeated for shape " + shape_to_string(x.shape()));
      }
      used[static_cast<std::size_t>(axis)] = true;
    }
    // The permutation (free axes in order, then the contracted ones in pairing order).
    std::vector<std::int64_t> perm;
    for (int d = 0; d < x.ndim(); ++d) {
      if (!used[static_cast<std::size_t>(d)]) perm.push_back(d);
    }
    return perm;
  };
  std::vector<std::int64_t> perm_a = contracted(a_axes, a_in);
  const std::vector<std::int64_t> free_b = contracted(b_axes, b_in);
  for (std::size_t i = 0; i < a_axes.size(); ++i) {
    const std::int64_t la = a_in.shape()[static_cast<std::size_t>(a_axes[i])];
    const std::int64_t lb = b_in.shape()[static_cast<std::size_t>(b_axes[i])];
    if (la != lb) {
      throw ValueError("tensordot: axis " + std::to_string(a_axes[i]) + " of shape " + shape_to_string(a_in.shape()) +
                       " (length " + std::to_string(la) + ") does not match axis " + std::to_string(b_axes[i]) +
                       " of shape " + shape_to_string(b_in.shape()) + " (length " + std::to_string(lb) + ")");
    }
  }
  const auto n_free_a = static_cast<int>(perm_a.size());
  perm_a.insert(perm_a.end(), a_axes.begin(), a_axes.end());
  std::vector<std::int64_t> perm_b = b_axes;
  perm_b.insert(perm_b.end(), free_b.begin(), free_b.end());
  const DType dtype = result_type(a_in.dtype(), b_in.dtype());
  const Array a = permute_dims(a_in.astype(dtype), perm_a);
  std::vector<std::pair<int, int>> b_to_a;
  const auto n_contracted = static_cast<int>(a_axes.size());
  for (int i = 0; i < n_contracted; ++i) b_to_a.emplace_back(i, n_free_a + i);
  const Array b = aligned(permute_dims(b_in.astype(dtype), perm_b), a, b_to_a);
  return contraction(
      a, b,
      ContractionLayout{.batch = 0, .rows = n_free_a, .contracted = n_contracted, .cols = static_cast<int>(free_b.size())});
}

Array vecdot(const Array& a, const Array& b, std::int64_t axis) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape());
  const int nd = static_cast<int>(shape.size());
  if (nd == 0) throw ValueError("vecdot needs operands of at least 1 dimension, got shapes " + pair_string(a, b));
  if (axis < -std::min(a.ndim(), b.ndim()) || axis >= nd) {
    throw IndexError("vecdot: axis " + std::to_string(axis) + " is out of bounds for shapes " + pair_string(a, b));
  }
  const int ax = normalize_axis(axis, nd);
  const auto length = [&](const Array& x) -> std::int64_t {
    const int own = ax - (nd - x.ndim());
    if (own < 0) {
      throw IndexError("vecdot: axis " + std::to_string(axis) + " of the broadcast shape " + shape_to_string(shape) +
                       " is not an axis of shape " + shape_to_string(x.shape()));
    }
    return x.shape()[static_cast<std::size_t>(own)];
  };
  if (length(a) != length(b)) {
    throw ValueError("vecdot: shapes " + pair_string(a, b) + " differ along the contracted axis " + std::to_string(axis));
  }
  const DType dtype = result_type(a.dtype(), b.dtype());
  // The 16-bit floats multiply in float, as NumPy's half dot does: products rounded to 16
  // bits would lose precision before the sum (and float16's overflow past 65504).
  const DType wide = kernels::wider_matmul_accumulator(dtype);
  Array x = a.astype(wide);
  if (is_complex(dtype)) x = conj(x);
  // One fused task per block multiplies and folds; sum widens integers (to int64, which
  // wraps like the narrower type once cast back) and bool (to a count: > 0 is any(a & b)).
  return (x * b.astype(wide)).sum({ax}).astype(dtype);
}

Array outer(const Array& a, const Array& b) {
  if (a.ndim() != 1 || b.ndim() != 1) throw ValueError("outer needs 1-d operands, got shapes " + pair_string(a, b));
  return expand_dims(a, 1) * expand_dims(b, 0);
}

}  // namespace tessera
