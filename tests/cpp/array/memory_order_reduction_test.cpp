// Reductions of inputs read through permuted axes, against plain loops. The evaluator walks
// such a reduction in its source's memory order rather than in the result's axis order
// (fused_eval.cpp, memory_order), renaming axes, states and element indices: every
// permutation of a 3-d array with every set of reduced axes, chunked evenly, unevenly and
// as one chunk; ties for argmin/argmax, whose index must stay the first in C order of the
// permuted array; and the seed's mixed program, a transpose minus a broadcast row.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "array_test_support.hpp"

namespace {

using tessera::Array;
using tessera::Shape;
using tessera::testing::computed;
using tessera::testing::expect_near_all;
using tessera::testing::for_each_index;

// Values with many ties: small integers, so that sums are exact and argmin has choices.
std::vector<double> tied_values(std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<double>((i * 7919 + 13) % 11) - 5.0;
  return v;
}

// The C-order elements of `v` (shape `shape`) with its axes permuted by `perm`.
std::vector<double> permuted_values(const std::vector<double>& v, const Shape& shape, const std::vector<std::int64_t>& perm,
                                    Shape& out_shape) {
  out_shape.clear();
  for (const std::int64_t a : perm) out_shape.push_back(shape[static_cast<std::size_t>(a)]);
  std::vector<double> out;
  for_each_index(out_shape, [&](const std::vector<std::int64_t>& index) {
    std::int64_t flat = 0;
    std::vector<std::int64_t> source(shape.size());
    for (std::size_t d = 0; d < perm.size(); ++d) source[static_cast<std::size_t>(perm[d])] = index[d];
    for (std::size_t d = 0; d < shape.size(); ++d) flat = flat * shape[d] + source[d];
    out.push_back(v[static_cast<std::size_t>(flat)]);
  });
  return out;
}

struct Folded {
  std::vector<double> sum, min, max;
};

// Sums, minima and maxima of `values` (C order, `shape`) over the axes marked in `reduced`.
Folded fold(const std::vector<double>& values, const Shape& shape, const std::vector<bool>& reduced) {
  Shape kept;
  for (std::size_t d = 0; d < shape.size(); ++d) kept.push_back(reduced[d] ? 1 : shape[d]);
  const auto n = static_cast<std::size_t>(tessera::shape_size(kept));
  Folded f{std::vector<double>(n, 0.0), std::vector<double>(n, std::numeric_limits<double>::infinity()),
           std::vector<double>(n, -std::numeric_limits<double>::infinity())};
  std::size_t i = 0;
  for_each_index(shape, [&](const std::vector<std::int64_t>& index) {
    std::int64_t slot = 0;
    for (std::size_t d = 0; d < shape.size(); ++d) slot = slot * kept[d] + (reduced[d] ? 0 : index[d]);
    const auto s = static_cast<std::size_t>(slot);
    f.sum[s] += values[i];
    f.min[s] = std::min(f.min[s], values[i]);
    f.max[s] = std::max(f.max[s], values[i]);
    ++i;
  });
  return f;
}

// The first index of the minimum along `axis` (NumPy's argmin), for every other position.
std::vector<double> argmin_along(const std::vector<double>& values, const Shape& shape, std::size_t axis) {
  Shape kept = shape;
  kept[axis] = 1;
  std::vector<double> best(static_cast<std::size_t>(tessera::shape_size(kept)), -1);
  std::vector<double> best_value(best.size(), 0);
  std::size_t i = 0;
  for_each_index(shape, [&](const std::vector<std::int64_t>& index) {
    std::int64_t slot = 0;
    for (std::size_t d = 0; d < shape.size(); ++d) slot = slot * kept[d] + (d == axis ? 0 : index[d]);
    const auto s = static_cast<std::size_t>(slot);
    if (best[s] < 0 || values[i] < best_value[s]) {
      best[s] = static_cast<double>(index[axis]);
      best_value[s] = values[i];
    }
    ++i;
  });
  return best;
}

TEST(MemoryOrderReductions, EveryPermutationAndSetOfAxes) {
  const Shape shape{5, 6, 7};
  const std::vector<double> v = tied_values(static_cast<std::size_t>(tessera::shape_size(shape)));
  std::vector<std::int64_t> perm{0, 1, 2};
  for (const tessera::ChunkSpec& chunks :
       {tessera::ChunkSpec(std::int64_t{-1}), tessera::ChunkSpec(std::int64_t{3}),
        tessera::ChunkSpec(std::vector<std::int64_t>{2, 4, 5})}) {
    const Array x = tessera::from_vector(v, shape, chunks);
    do {
      Shape y_shape;
      const std::vector<double> y_values = permuted_values(v, shape, perm, y_shape);
      const Array y = tessera::permute_dims(x, perm);
      for (int mask = 1; mask < 8; ++mask) {
        std::vector<std::int64_t> axes;
        std::vector<bool> reduced(3, false);
        for (std::int64_t d = 0; d < 3; ++d) {
          if ((mask >> d) & 1) {
            axes.push_back(d);
            reduced[static_cast<std::size_t>(d)] = true;
          }
        }
        SCOPED_TRACE(::testing::Message() << y.repr() << " axes mask " << mask);
        const Folded want = fold(y_values, y_shape, reduced);
        expect_near_all(computed(y.sum(axes)), want.sum, 0);
        expect_near_all(computed(y.min(axes)), want.min, 0);
        expect_near_all(computed(y.max(axes)), want.max, 0);
      }
      for (std::size_t axis = 0; axis < 3; ++axis) {
        SCOPED_TRACE(::testing::Message() << y.repr() << " argmin axis " << axis);
        expect_near_all(computed(y.argmin(static_cast<std::int64_t>(axis))), argmin_along(y_values, y_shape, axis), 0);
      }
      // Over the whole array: the first flat index, in C order of y, of the minimum.
      const auto first_min = std::min_element(y_values.begin(), y_values.end()) - y_values.begin();
      expect_near_all(computed(y.argmin()), {static_cast<double>(first_min)}, 0);
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
}

TEST(MemoryOrderReductions, TransposeMinusBroadcastRow) {
  const std::int64_t n = 37;
  const std::vector<double> v = tessera::testing::random_values(static_cast<std::size_t>(n * n), 5);
  for (const std::int64_t chunk : {std::int64_t{n}, std::int64_t{10}}) {
    const Array x = tessera::from_vector(v, {n, n}, chunk);
    const Array centered = x.T() - x.mean(0);
    // Reference: y[r][c] = x[c][r] - mean over rows of column c of x.
    std::vector<double> mean(static_cast<std::size_t>(n), 0.0);
    for (std::int64_t r = 0; r < n; ++r) {
      for (std::int64_t c = 0; c < n; ++c) mean[static_cast<std::size_t>(c)] += v[static_cast<std::size_t>(r * n + c)];
    }
    for (double& m : mean) m /= static_cast<double>(n);
    std::vector<double> row_sums(static_cast<std::size_t>(n), 0.0), col_sums(static_cast<std::size_t>(n), 0.0);
    double total = 0;
    for (std::int64_t r = 0; r < n; ++r) {
      for (std::int64_t c = 0; c < n; ++c) {
        const double y = v[static_cast<std::size_t>(c * n + r)] - mean[static_cast<std::size_t>(c)];
        row_sums[static_cast<std::size_t>(r)] += y;
        col_sums[static_cast<std::size_t>(c)] += y;
        total += y;
      }
    }
    SCOPED_TRACE(::testing::Message() << "chunk " << chunk);
    expect_near_all(computed(centered.sum()), {total}, 1e-12);
    expect_near_all(computed(centered.sum(1)), row_sums, 1e-12);
    expect_near_all(computed(centered.sum(0)), col_sums, 1e-12);
  }
}

}  // namespace
