// Blocked linear algebra against plain loops: matmul with batch broadcasting and 1-d
// operands, tensordot with integer and listed axes, vecdot (conjugating), outer, over
// several dtypes and chunkings (size-1 and uneven chunks), and the errors of bad input.
#include <gtest/gtest.h>

#include <algorithm>

#include "array_test_support.hpp"

namespace linalg_tests {  // a name of its own: test files compile in batches (tests/cpp/CMakeLists.txt)
namespace {

using tessera::Array;
using tessera::ChunkSpec;
using tessera::DType;
using tessera::Shape;
using tessera::testing::expect_tensor;
using tessera::testing::for_each_index;
using tessera::testing::random_tensor;
using tessera::testing::Tensor;
using tessera::testing::tolerance;
using tessera::testing::typed_array;
using Complex = std::complex<double>;

// `shape` with leading axes of length 1 up to `nd` axes.
Shape padded(const Shape& shape, std::size_t nd) {
  Shape out(nd, 1);
  std::copy(shape.begin(), shape.end(), out.end() - static_cast<std::ptrdiff_t>(shape.size()));
  return out;
}

// NumPy's matmul, written out: 1-d operands promoted and their axis dropped, batch axes
// broadcast.
Tensor reference_matmul(Tensor a, Tensor b) {
  const bool a_vector = a.shape.size() == 1, b_vector = b.shape.size() == 1;
  if (a_vector) a.shape.insert(a.shape.begin(), 1);
  if (b_vector) b.shape.push_back(1);
  const std::size_t nd = std::max(a.shape.size(), b.shape.size());
  a.shape = padded(a.shape, nd);
  b.shape = padded(b.shape, nd);
  const std::int64_t m = a.shape[nd - 2], k = a.shape[nd - 1], n = b.shape[nd - 1];
  Shape shape;
  for (std::size_t d = 0; d + 2 < nd; ++d) shape.push_back(a.shape[d] == 1 ? b.shape[d] : a.shape[d]);
  shape.push_back(m);
  shape.push_back(n);
  Tensor c{shape, std::vector<Complex>(static_cast<std::size_t>(tessera::shape_size(shape)))};
  for_each_index(shape, [&](const std::vector<std::int64_t>& index) {
    std::vector<std::int64_t> ia = index, ib = index;
    for (std::size_t d = 0; d + 2 < nd; ++d) {
      if (a.shape[d] == 1) ia[d] = 0;
      if (b.shape[d] == 1) ib[d] = 0;
    }
    Complex sum = 0;
    for (std::int64_t p = 0; p < k; ++p) {
      ia[nd - 1] = p;
      ib[nd - 2] = p;
      ib[nd - 1] = index[nd - 1];
      sum += a.at(ia) * b.at(ib);
    }
    c.at(index) = sum;
  });
  if (a_vector) c.shape.erase(c.shape.end() - 2);
  if (b_vector) c.shape.pop_back();
  return c;
}

// NumPy's tensordot, written out.
Tensor reference_tensordot(const Tensor& a, const Tensor& b, const std::vector<int>& a_axes, const std::vector<int>& b_axes) {
  std::vector<int> free_a, free_b;
  Shape shape, contracted;
  for (int d = 0; d < static_cast<int>(a.shape.size()); ++d) {
    if (std::find(a_axes.begin(), a_axes.end(), d) == a_axes.end()) free_a.push_back(d);
  }
  for (int d = 0; d < static_cast<int>(b.shape.size()); ++d) {
    if (std::find(b_axes.begin(), b_axes.end(), d) == b_axes.end()) free_b.push_back(d);
  }
  for (int d : free_a) shape.push_back(a.shape[static_cast<std::size_t>(d)]);
  for (int d : free_b) shape.push_back(b.shape[static_cast<std::size_t>(d)]);
  for (int d : a_axes) contracted.push_back(a.shape[static_cast<std::size_t>(d)]);
  Tensor c{shape, std::vector<Complex>(static_cast<std::size_t>(tessera::shape_size(shape)))};
  for_each_index(shape, [&](const std::vector<std::int64_t>& index) {
    std::vector<std::int64_t> ia(a.shape.size()), ib(b.shape.size());
    for (std::size_t i = 0; i < free_a.size(); ++i) ia[static_cast<std::size_t>(free_a[i])] = index[i];
    for (std::size_t i = 0; i < free_b.size(); ++i) ib[static_cast<std::size_t>(free_b[i])] = index[free_a.size() + i];
    Complex sum = 0;
    for_each_index(contracted, [&](const std::vector<std::int64_t>& kt) {
      for (std::size_t i = 0; i < kt.size(); ++i) {
        ia[static_cast<std::size_t>(a_axes[i])] = kt[i];
        ib[static_cast<std::size_t>(b_axes[i])] = kt[i];
      }
      sum += a.at(ia) * b.at(ib);
    });
    c.at(index) = sum;
  });
  return c;
}

// bool products are logical: and, then or over the contracted elements.
Tensor as_dtype(Tensor t, DType dtype) {
  if (dtype == DType::bool_) {
    for (auto& x : t.v) x = x != Complex(0) ? 1.0 : 0.0;
  }
  return t;
}

const std::vector<DType>& dtypes() {
  static const std::vector<DType> all = {DType::float64, DType::float32,   DType::int32, DType::int64,
                                         DType::uint8,   DType::complex128, DType::complex64, DType::bool_};
  return all;
}

// Chunk sizes applied to every axis: size-1 chunks, uneven ones, a whole axis.
const std::vector<ChunkSpec>& chunkings() {
  static const std::vector<ChunkSpec> specs = {ChunkSpec(std::int64_t{1}), ChunkSpec(std::int64_t{2}),
                                               ChunkSpec(std::int64_t{3}), ChunkSpec(std::int64_t{-1})};
  return specs;
}

struct ProductCase {
  Shape a, b;
};

TEST(Linalg, MatmulBroadcastsBatchAxesForEveryDtype) {
  const std::vector<ProductCase> cases = {
      {{3, 4, 5}, {5, 2}},        // 3-d @ 2-d
      {{5}, {3, 5, 2}},           // 1-d @ 3-d
      {{3, 4, 5}, {5}},           // 3-d @ 1-d
      {{2, 1, 4, 3}, {1, 3, 3, 2}},  // 4-d, size-1 batch axes on both sides
      {{2, 3, 4}, {2, 4, 5}},     // equal batch axes
      {{5}, {5}},                 // vector dot
      {{7, 5}, {5, 6}},           // plain 2-d
  };
  unsigned seed = 100;
  for (DType dtype : dtypes()) {
    for (const auto& c : cases) {
      const Tensor a = random_tensor(c.a, dtype, ++seed), b = random_tensor(c.b, dtype, ++seed);
      const Tensor expected = as_dtype(reference_matmul(a, b), dtype);
      for (std::size_t i = 0; i < chunkings().size(); ++i) {
        const ChunkSpec& ca = chunkings()[i];
        const ChunkSpec& cb = chunkings()[(i + 1) % chunkings().size()];
        expect_tensor(tessera::matmul(typed_array(a, dtype, ca), typed_array(b, dtype, cb)), dtype, expected,
                      tolerance(dtype),
                      tessera::to_string(dtype) + " " + tessera::shape_to_string(c.a) + " @ " +
                          tessera::shape_to_string(c.b) + " chunking " + std::to_string(i));
      }
    }
  }
}

TEST(Linalg, MatmulPromotesMixedDtypes) {
  const Tensor a = random_tensor({2, 3, 4}, DType::int32, 1), b = random_tensor({4, 2}, DType::float32, 2);
  const Array c = tessera::matmul(typed_array(a, DType::int32, std::int64_t{2}), typed_array(b, DType::float32, std::int64_t{3}));
  // int32 with float32 promotes to float64, as in NumPy.
  expect_tensor(c, DType::float64, reference_matmul(a, b), 1e-6, "int32 @ float32 (the reference is not rounded to float32)");
}

TEST(Linalg, MatmulReadsTransposedBatchedBlocksInPlace) {
  const Tensor x = random_tensor({3, 5, 4}, DType::float64, 7);
  Tensor xt{{3, 4, 5}, std::vector<Complex>(60)};
  for_each_index(x.shape, [&](const std::vector<std::int64_t>& i) { xt.at({i[0], i[2], i[1]}) = x.at(i); });
  for (const auto& chunks : chunkings()) {
    const Array a = typed_array(x, DType::float64, chunks);
    expect_tensor(tessera::matmul(tessera::matrix_transpose(a), a), DType::float64, reference_matmul(xt, x), 1e-12,
                  "x.mT @ x");
    expect_tensor(tessera::matmul(a, tessera::matrix_transpose(a)), DType::float64, reference_matmul(x, xt), 1e-12,
                  "x @ x.mT");
  }
}

TEST(Linalg, MatmulOfEmptyOperands) {
  const Tensor a = random_tensor({0, 2, 3}, DType::float64, 8), b = random_tensor({3, 4}, DType::float64, 9);
  expect_tensor(tessera::matmul(typed_array(a, DType::float64, std::int64_t{2}), typed_array(b, DType::float64, std::int64_t{2})),
                DType::float64, reference_matmul(a, b), 0, "empty batch");
  const Tensor c = random_tensor({2, 0}, DType::float64, 10), d = random_tensor({0, 3}, DType::float64, 11);
  // A contraction over nothing is all zeros.
  expect_tensor(tessera::matmul(typed_array(c, DType::float64, std::int64_t{1}), typed_array(d, DType::float64, std::int64_t{1})),
                DType::float64, reference_matmul(c, d), 0, "empty contraction");
}

TEST(Linalg, TensordotWithIntegerAxes) {
  const std::vector<std::tuple<Shape, Shape, int>> cases = {
      {{3, 4, 5}, {4, 5, 2}, 2}, {{3, 4}, {4, 2}, 1}, {{3, 2}, {4}, 0}, {{2, 3}, {2, 3}, 2}, {{5}, {5, 2, 3}, 1}};
  unsigned seed = 200;
  for (DType dtype : {DType::int64, DType::int16, DType::float64, DType::complex128}) {
    for (const auto& [sa, sb, n] : cases) {
      const Tensor a = random_tensor(sa, dtype, ++seed), b = random_tensor(sb, dtype, ++seed);
      std::vector<int> a_axes, b_axes;
      for (int i = 0; i < n; ++i) {
        a_axes.push_back(static_cast<int>(sa.size()) - n + i);
        b_axes.push_back(i);
      }
      const Tensor expected = reference_tensordot(a, b, a_axes, b_axes);
      for (std::size_t i = 0; i < chunkings().size(); ++i) {
        const Array r = tessera::tensordot(typed_array(a, dtype, chunkings()[i]),
                                           typed_array(b, dtype, chunkings()[(i + 2) % chunkings().size()]), n);
        expect_tensor(r, dtype, expected, tolerance(dtype),
                      tessera::to_string(dtype) + " tensordot " + tessera::shape_to_string(sa) + ", " +
                          tessera::shape_to_string(sb) + ", " + std::to_string(n));
      }
    }
  }
}

TEST(Linalg, TensordotWithAxisLists) {
  const Tensor a = random_tensor({3, 4, 5}, DType::int32, 300), b = random_tensor({5, 3, 2}, DType::int32, 301);
  const Tensor expected = reference_tensordot(a, b, {0, 2}, {1, 0});
  const Tensor expected_single = reference_tensordot(a, b, {2}, {0});
  for (const auto& ca : chunkings()) {
    for (const auto& cb : {ChunkSpec(std::int64_t{2}), ChunkSpec(std::vector<std::int64_t>{3, 1, -1})}) {
      const Array x = typed_array(a, DType::int32, ca), y = typed_array(b, DType::int32, cb);
      expect_tensor(tessera::tensordot(x, y, {0, -1}, {1, 0}), DType::int32, expected, 0, "axes ([0, 2], [1, 0])");
      expect_tensor(tessera::tensordot(x, y, {2}, {0}), DType::int32, expected_single, 0, "axes ([2], [0])");
    }
  }
  // A contraction of everything is a 0-d array.
  const Tensor v = random_tensor({4, 3}, DType::float64, 302);
  const Array vv = typed_array(v, DType::float64, std::int64_t{2});
  expect_tensor(tessera::tensordot(vv, vv, {0, 1}, {0, 1}), DType::float64, reference_tensordot(v, v, {0, 1}, {0, 1}),
                1e-12, "full contraction");
}

TEST(Linalg, VecdotConjugatesTheFirstOperand) {
  const Tensor a = random_tensor({3, 4}, DType::complex128, 400), b = random_tensor({4}, DType::complex128, 401);
  const Tensor c = random_tensor({3, 4}, DType::complex128, 402);
  Tensor along_last{{3}, std::vector<Complex>(3)}, along_first{{4}, std::vector<Complex>(4)};
  for (std::int64_t i = 0; i < 3; ++i)
    for (std::int64_t j = 0; j < 4; ++j) {
      along_last.at({i}) += std::conj(a.at({i, j})) * b.at({j});
      along_first.at({j}) += std::conj(a.at({i, j})) * c.at({i, j});
    }
  for (const auto& chunks : chunkings()) {
    const Array x = typed_array(a, DType::complex128, chunks);
    expect_tensor(tessera::vecdot(x, typed_array(b, DType::complex128, std::int64_t{3})), DType::complex128, along_last,
                  1e-12, "vecdot axis -1");
    expect_tensor(tessera::vecdot(x, typed_array(c, DType::complex128, std::int64_t{2}), 0), DType::complex128,
                  along_first, 1e-12, "vecdot axis 0");
  }
}

TEST(Linalg, VecdotKeepsIntegerAndBoolDtypes) {
  for (DType dtype : {DType::int8, DType::int32, DType::uint16, DType::bool_, DType::float32}) {
    const Tensor a = random_tensor({2, 5}, dtype, 500), b = random_tensor({2, 5}, dtype, 501);
    Tensor expected{{2}, std::vector<Complex>(2)};
    for (std::int64_t i = 0; i < 2; ++i)
      for (std::int64_t j = 0; j < 5; ++j) expected.at({i}) += a.at({i, j}) * b.at({i, j});
    expected = as_dtype(expected, dtype);
    for (const auto& chunks : chunkings()) {
      expect_tensor(tessera::vecdot(typed_array(a, dtype, chunks), typed_array(b, dtype, std::int64_t{2})), dtype,
                    expected, tolerance(dtype), "vecdot " + tessera::to_string(dtype));
    }
  }
}

TEST(Linalg, OuterProduct) {
  for (DType dtype : {DType::int64, DType::float64, DType::complex64}) {
    const Tensor a = random_tensor({5}, dtype, 600), b = random_tensor({3}, dtype, 601);
    Tensor expected{{5, 3}, std::vector<Complex>(15)};
    for (std::int64_t i = 0; i < 5; ++i)
      for (std::int64_t j = 0; j < 3; ++j) expected.at({i, j}) = a.at({i}) * b.at({j});
    for (const auto& chunks : chunkings()) {
      expect_tensor(tessera::outer(typed_array(a, dtype, chunks), typed_array(b, dtype, std::int64_t{2})), dtype, expected,
                    tolerance(dtype), "outer " + tessera::to_string(dtype));
    }
  }
}

// The message of the error `f` throws, which must be of type E.
template <class E, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "no exception";
  return {};
}

TEST(Linalg, BadInputGivesClearErrors) {
  const Array m34 = tessera::ones({3, 4}), m52 = tessera::ones({5, 2}), b234 = tessera::ones({2, 3, 4});
  EXPECT_NE(error_of<tessera::ValueError>([&] { (void)tessera::matmul(m34, m52); }).find("(3, 4) and (5, 2)"),
            std::string::npos);
  EXPECT_NE(error_of<tessera::ValueError>([&] { (void)tessera::matmul(b234, tessera::ones({3, 4, 5})); })
                .find("batch dimensions"),
            std::string::npos);
  (void)error_of<tessera::ValueError>([&] { (void)tessera::matmul(tessera::scalar_array(2.0), m34); });
  EXPECT_NE(error_of<tessera::ValueError>([&] { (void)tessera::tensordot(m34, m52, 1); }).find("length 4"),
            std::string::npos);
  (void)error_of<tessera::ValueError>([&] { (void)tessera::tensordot(m34, m52, 3); });
  (void)error_of<tessera::ValueError>([&] { (void)tessera::tensordot(m34, m52, -1); });
  (void)error_of<tessera::ValueError>([&] { (void)tessera::tensordot(m34, m34, {0}, {0, 1}); });
  EXPECT_NE(error_of<tessera::ValueError>([&] { (void)tessera::tensordot(m34, m34, {0, 0}, {0, 1}); }).find("repeated"),
            std::string::npos);
  (void)error_of<tessera::IndexError>([&] { (void)tessera::tensordot(m34, m34, {2}, {0}); });
  EXPECT_NE(error_of<tessera::ValueError>([&] { (void)tessera::vecdot(m34, tessera::ones({3})); }).find("(3, 4) and (3,)"),
            std::string::npos);
  (void)error_of<tessera::IndexError>([&] { (void)tessera::vecdot(m34, tessera::ones({4}), 0); });
  (void)error_of<tessera::IndexError>([&] { (void)tessera::vecdot(m34, m34, 2); });
  EXPECT_NE(error_of<tessera::ValueError>([&] { (void)tessera::outer(m34, tessera::ones({3})); }).find("1-d"),
            std::string::npos);
}

}  // namespace
}  // namespace linalg_tests
