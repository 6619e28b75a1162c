// map_overlap against a reference that pads the whole array (NumPy's pad modes) and
// applies the function to whole-array windows: every boundary, depths 1 and 2 and
// depths beyond a neighbouring chunk, 1-d and 2-d, uneven and size-1 chunks, untrimmed
// results, and the errors of bad input.
#include <gtest/gtest.h>

#include <algorithm>

#include "array_test_support.hpp"

namespace {

using tessera::Array;
using tessera::Boundary;
using tessera::ChunkSizes;
using tessera::ChunkSpec;
using tessera::DType;
using tessera::Shape;
using tessera::testing::expect_tensor;
using tessera::testing::for_each_index;
using tessera::testing::random_tensor;
using tessera::testing::Tensor;
using tessera::testing::typed_array;
using Index = std::vector<std::int64_t>;

// A weight per stencil offset, distinct enough that a wrong neighbour shows.
double weight(const Index& offset) {
  double w = 1;
  for (std::size_t d = 0; d < offset.size(); ++d) w += static_cast<double>((offset[d] + 3) * (d == 0 ? 5 : 11));
  return w;
}

// Σ weight(k) · x[i + k] over offsets |k_d| <= radius[d] that stay inside the array:
// what the tested function computes on a chunk, and the reference on the whole array.
Tensor stencil(const Tensor& x, const Index& radius) {
  Tensor y{x.shape, std::vector<std::complex<double>>(x.v.size())};
  Shape window;
  for (std::int64_t r : radius) window.push_back(2 * r + 1);
  for_each_index(x.shape, [&](const Index& i) {
    double sum = 0;
    for_each_index(window, [&](const Index& w) {
      Index at = i, offset = w;
      for (std::size_t d = 0; d < i.size(); ++d) {
        offset[d] -= radius[d];
        at[d] += offset[d];
        if (at[d] < 0 || at[d] >= x.shape[d]) return;
      }
      sum += weight(offset) * x.at(at).real();
    });
    y.at(i) = sum;
  });
  return y;
}

// The tested function: the stencil over one chunk of `dtype`, computed in double.
std::function<tessera::Chunk(const tessera::Chunk&)> stencil_fn(Index radius) {
  return [radius](const tessera::Chunk& c) {
    Tensor x{c.shape, {}};
    tessera::type_dispatch(c.dtype, [&]<class T>() {
      if constexpr (std::is_arithmetic_v<T>) {
        for (std::int64_t i = 0; i < c.size(); ++i) x.v.emplace_back(static_cast<double>(c.data<T>()[i]));
      }
    });
    const Tensor y = stencil(x, radius);
    tessera::Chunk out = tessera::Chunk::allocate(c.dtype, c.shape);
    tessera::type_dispatch(c.dtype, [&]<class T>() {
      if constexpr (std::is_arithmetic_v<T>) {
        for (std::int64_t i = 0; i < c.size(); ++i) out.data<T>()[i] = static_cast<T>(y.v[static_cast<std::size_t>(i)].real());
      }
    });
    return out;
  };
}

// NumPy's pad index: where padded coordinate v (may be outside [0, n)) reads from, or -1
// for the constant.
std::int64_t source_index(std::int64_t v, std::int64_t n, Boundary boundary) {
  if (v >= 0 && v < n) return v;
  switch (boundary) {
    case Boundary::reflect: return v < 0 ? -1 - v : 2 * n - 1 - v;  // 'symmetric'
    case Boundary::periodic: return v < 0 ? v + n : v - n;          // 'wrap'
    default: return -1;
  }
}

// The whole array padded by `pad[d]` on both sides of every axis.
Tensor padded(const Tensor& x, const Index& pad, Boundary boundary, double constant) {
  Shape shape = x.shape;
  for (std::size_t d = 0; d < shape.size(); ++d) shape[d] += 2 * pad[d];
  Tensor p{shape, std::vector<std::complex<double>>(static_cast<std::size_t>(tessera::shape_size(shape)))};
  for_each_index(shape, [&](const Index& i) {
    Index from(i.size());
    for (std::size_t d = 0; d < i.size(); ++d) {
      from[d] = source_index(i[d] - pad[d], x.shape[d], boundary);
      if (from[d] < 0) {
        p.at(i) = constant;
        return;
      }
    }
    p.at(i) = x.at(from);
  });
  return p;
}

Index effective_pad(const Index& depth, Boundary boundary) {
  return boundary == Boundary::none ? Index(depth.size(), 0) : depth;
}

// With trimming: the stencil of the padded whole array, cropped back to the array.
Tensor reference_trimmed(const Tensor& x, const Index& depth, Boundary boundary, double constant) {
  const Index pad = effective_pad(depth, boundary);
  const Tensor full = stencil(padded(x, pad, boundary, constant), depth);
  Tensor y{x.shape, std::vector<std::complex<double>>(x.v.size())};
  for_each_index(x.shape, [&](const Index& i) {
    Index at = i;
    for (std::size_t d = 0; d < i.size(); ++d) at[d] += pad[d];
    y.at(i) = full.at(at);
  });
  return y;
}

// Without trimming, for the identity function: every chunk's window of the padded
// array, side by side.
Tensor reference_windows(const Tensor& x, const ChunkSizes& chunks, const Index& depth, Boundary boundary,
                         double constant) {
  const Index pad = effective_pad(depth, boundary);
  const Tensor p = padded(x, pad, boundary, constant);
  std::vector<Index> rows(x.shape.size());  // per axis: the padded coordinate of each output position
  for (std::size_t d = 0; d < x.shape.size(); ++d) {
    std::int64_t lo = 0;
    for (std::int64_t c : chunks[d]) {
      const std::int64_t n = x.shape[d], hi = lo + c;
      const std::int64_t left = boundary == Boundary::none ? std::min(depth[d], lo) : depth[d];
      const std::int64_t right = boundary == Boundary::none ? std::min(depth[d], n - hi) : depth[d];
      for (std::int64_t v = lo - left; v < hi + right; ++v) rows[d].push_back(v + pad[d]);
      lo = hi;
    }
  }
  Shape shape;
  for (const auto& r : rows) shape.push_back(static_cast<std::int64_t>(r.size()));
  Tensor y{shape, std::vector<std::complex<double>>(static_cast<std::size_t>(tessera::shape_size(shape)))};
  for_each_index(shape, [&](const Index& i) {
    Index at(i.size());
    for (std::size_t d = 0; d < i.size(); ++d) at[d] = rows[d][static_cast<std::size_t>(i[d])];
    y.at(i) = p.at(at);
  });
  return y;
}

std::string boundary_name(Boundary b) {
  switch (b) {
    case Boundary::none: return "none";
    case Boundary::constant: return "constant";
    case Boundary::reflect: return "reflect";
    case Boundary::periodic: return "periodic";
  }
  return "?";
}

const std::vector<Boundary>& boundaries() {
  static const std::vector<Boundary> all = {Boundary::none, Boundary::constant, Boundary::reflect, Boundary::periodic};
  return all;
}

struct OverlapCase {
  Shape shape;
  std::vector<ChunkSpec> chunkings;
};

const std::vector<OverlapCase>& cases() {
  static const std::vector<OverlapCase> all = {
      {{10}, {ChunkSpec(std::int64_t{1}), ChunkSpec(std::int64_t{3}), ChunkSpec(std::int64_t{4}),
              ChunkSpec(std::int64_t{-1}), ChunkSpec(ChunkSizes{{2, 5, 3}})}},
      {{7, 6}, {ChunkSpec(std::vector<std::int64_t>{3, 2}), ChunkSpec(std::int64_t{1}), ChunkSpec(std::int64_t{-1}),
                ChunkSpec(ChunkSizes{{2, 4, 1}, {3, 3}})}},
  };
  return all;
}

TEST(MapOverlap, StencilMatchesThePaddedWholeArray) {
  unsigned seed = 10;
  for (DType dtype : {DType::float64, DType::int32}) {
    for (const auto& c : cases()) {
      const Tensor x = random_tensor(c.shape, dtype, ++seed);
      for (std::int64_t depth : {1, 2}) {
        const Index radius(c.shape.size(), depth);
        for (Boundary boundary : boundaries()) {
          const double constant = 3;
          const Tensor expected = reference_trimmed(x, radius, boundary, constant);
          for (const auto& chunks : c.chunkings) {
            const Array a = typed_array(x, dtype, chunks);
            const Array y = tessera::map_overlap(a, stencil_fn(radius), dtype,
                                                 {.depth = {depth}, .boundary = boundary, .constant = 3, .trim = true});
            EXPECT_EQ(y.chunks(), a.chunks());
            expect_tensor(y, dtype, expected, 1e-12,
                          tessera::to_string(dtype) + " shape " + tessera::shape_to_string(c.shape) + " chunks " +
                              tessera::chunks_to_string(a.chunks()) + " depth " + std::to_string(depth) + " " +
                              boundary_name(boundary));
          }
        }
      }
    }
  }
}

TEST(MapOverlap, UntrimmedChunksAreTheExtendedBlocks) {
  const auto identity = [](const tessera::Chunk& c) {
    tessera::Chunk out = tessera::Chunk::allocate(c.dtype, c.shape);
    std::memcpy(out.buffer.data(), c.buffer.data(), c.nbytes());
    return out;
  };
  unsigned seed = 50;
  for (const auto& c : cases()) {
    const Tensor x = random_tensor(c.shape, DType::float64, ++seed);
    for (const Index& depth : {Index(c.shape.size(), 1), Index(c.shape.size(), 2), Index{3, 1}}) {
      if (depth.size() != c.shape.size()) continue;
      for (Boundary boundary : boundaries()) {
        for (const auto& chunks : c.chunkings) {
          const Array a = typed_array(x, DType::float64, chunks);
          const Array y = tessera::map_overlap(a, identity, DType::float64,
                                               {.depth = depth, .boundary = boundary, .constant = -0.5, .trim = false});
          expect_tensor(y, DType::float64, reference_windows(x, a.chunks(), depth, boundary, -0.5), 0,
                        "untrimmed " + tessera::chunks_to_string(a.chunks()) + " depth " +
                            tessera::shape_to_string(depth) + " " + boundary_name(boundary));
        }
      }
    }
  }
}

TEST(MapOverlap, ComputedInputsAndOtherOutputDtypes) {
  // The input is an expression (computed once per block, then its halos are read) and
  // the function changes the dtype.
  const Tensor x = random_tensor({9, 5}, DType::float64, 70);
  Tensor doubled = x;
  for (auto& v : doubled.v) v *= 2;
  const Index radius{1, 2};
  const Tensor stencilled = reference_trimmed(doubled, radius, Boundary::periodic, 0);
  Tensor expected{x.shape, {}};
  for (const auto& v : stencilled.v) expected.v.emplace_back(v.real() > 0 ? 1.0 : 0.0);
  const auto positive = [radius](const tessera::Chunk& c) {
    const tessera::Chunk s = stencil_fn(radius)(c);
    tessera::Chunk out = tessera::Chunk::allocate(DType::bool_, c.shape);
    for (std::int64_t i = 0; i < c.size(); ++i) out.data<bool>()[i] = s.data<double>()[i] > 0;
    return out;
  };
  const Array a = typed_array(x, DType::float64, std::int64_t{2}) * 2.0;
  expect_tensor(tessera::map_overlap(a, positive, DType::bool_, {.depth = {1, 2}, .boundary = Boundary::periodic}),
                DType::bool_, expected, 0, "computed input, bool output");
}

TEST(MapOverlap, EmptyArraysAndZeroDepth) {
  const Array empty = tessera::zeros({0, 4}, {.chunks = std::int64_t{2}});
  const Array y = tessera::map_overlap(empty, stencil_fn({1, 1}), DType::int8, {.depth = {1}});
  EXPECT_EQ(y.shape(), (Shape{0, 4}));
  EXPECT_EQ(y.dtype(), DType::int8);
  const Tensor x = random_tensor({6}, DType::float64, 80);
  expect_tensor(tessera::map_overlap(typed_array(x, DType::float64, std::int64_t{4}), stencil_fn({0}), DType::float64),
                DType::float64, stencil(x, {0}), 1e-12, "depth 0");
}

TEST(MapOverlap, BadInputGivesClearErrors) {
  const Array x = tessera::ones({5, 4}, {.chunks = std::int64_t{2}});
  const auto fn = stencil_fn({1, 1});
  const auto message = [&](tessera::OverlapOptions options) -> std::string {
    try {
      (void)tessera::map_overlap(x, fn, DType::float64, std::move(options));
    } catch (const tessera::ValueError& e) {
      return e.what();
    }
    return "no ValueError";
  };
  EXPECT_NE(message({.depth = {1, 1, 1}}).find("(1, 1, 1)"), std::string::npos);
  EXPECT_NE(message({.depth = {1, -1}}).find("axis 1"), std::string::npos);
  const std::string too_deep = message({.depth = {1, 5}, .boundary = Boundary::reflect});
  EXPECT_NE(too_deep.find("depth 5 of axis 1 exceeds the axis length 4"), std::string::npos) << too_deep;
  EXPECT_NE(message({.depth = {6, 1}, .boundary = Boundary::periodic}).find("axis 0"), std::string::npos);
  EXPECT_THROW((void)tessera::map_overlap(x, nullptr, DType::float64, {.depth = {1}}), tessera::ValueError);
  // Depths beyond the axis are fine where the boundary needs no elements from across it.
  const Tensor t = random_tensor({5, 4}, DType::float64, 90);
  for (Boundary b : {Boundary::none, Boundary::constant}) {
    expect_tensor(tessera::map_overlap(typed_array(t, DType::float64, std::int64_t{2}), stencil_fn({1, 5}), DType::float64,
                                       {.depth = {1, 5}, .boundary = b, .constant = 2}),
                  DType::float64, reference_trimmed(t, {1, 5}, b, 2), 1e-12, "depth beyond the axis, " + boundary_name(b));
  }
  // A function returning the wrong shape fails the computation with a clear error.
  const Array wrong = tessera::map_overlap(
      x, [](const tessera::Chunk& c) { return tessera::Chunk::allocate(c.dtype, {1}); }, DType::float64, {.depth = {1}});
  try {
    (void)wrong.compute(tessera::testing::test_client());
    ADD_FAILURE() << "no error";
  } catch (const tessera::Error& e) {
    EXPECT_NE(std::string(e.what()).find("map_overlap"), std::string::npos) << e.what();
  }
}

}  // namespace
