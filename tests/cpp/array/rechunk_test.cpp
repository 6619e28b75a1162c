// Rechunking through the planner: values and chunks for many pairs of chunkings, from
// materialized and from computed inputs, and the plan's bound on the bytes a task holds.
#include <gtest/gtest.h>

#include "array_test_support.hpp"
#include "rechunk_plan.hpp"

namespace {

using tessera::Array;
using tessera::ChunkSizes;
using tessera::ChunkSpec;
using tessera::DType;
using tessera::Shape;
using tessera::array_detail::plan_rechunk;
using tessera::array_detail::rechunk_memory_bound;
using tessera::array_detail::rechunk_task_bytes;
using tessera::testing::expect_tensor;
using tessera::testing::random_tensor;
using tessera::testing::Tensor;
using tessera::testing::typed_array;

// Chunkings of a 12×10 array: size-1 chunks, rows, columns, uneven, whole, zero-length.
std::vector<ChunkSizes> chunkings_12x10() {
  const Shape shape{12, 10};
  std::vector<ChunkSizes> out;
  for (const ChunkSpec& spec :
       {ChunkSpec(std::int64_t{1}), ChunkSpec(std::vector<std::int64_t>{1, -1}), ChunkSpec(std::vector<std::int64_t>{-1, 1}),
        ChunkSpec(std::vector<std::int64_t>{5, 3}), ChunkSpec(std::int64_t{-1}), ChunkSpec(std::vector<std::int64_t>{2, 7}),
        ChunkSpec(ChunkSizes{{0, 7, 5}, {1, 0, 9}}), ChunkSpec(ChunkSizes{{3, 3, 3, 3}, {10}})}) {
    out.push_back(tessera::normalize_chunks(spec, shape, DType::float64));
  }
  return out;
}

// Every step of the plan holds at most the bound, and the plan ends at the target.
void expect_bounded_plan(const ChunkSizes& from, const ChunkSizes& to, std::size_t itemsize) {
  const auto stages = plan_rechunk(from, to, itemsize);
  ASSERT_FALSE(stages.empty());
  EXPECT_EQ(stages.back(), to);
  const std::int64_t bound = rechunk_memory_bound(from, to, itemsize);
  ChunkSizes at = from;
  for (const ChunkSizes& next : stages) {
    EXPECT_LE(rechunk_task_bytes(at, next, itemsize), bound)
        << tessera::chunks_to_string(from) << " -> " << tessera::chunks_to_string(to) << " via "
        << tessera::chunks_to_string(next);
    at = next;
  }
}

TEST(Rechunk, ValuesAndChunksForManyPairs) {
  const Tensor x = random_tensor({12, 10}, DType::int32, 1);
  const auto all = chunkings_12x10();
  for (const ChunkSizes& from : all) {
    const Array source = typed_array(x, DType::int32, from);
    // Materialized chunks (what the planner protects) and a computed input.
    const Array persisted = source.persist(tessera::testing::test_client());
    const Array computed = source + 0;
    for (const ChunkSizes& to : all) {
      expect_bounded_plan(from, to, 4);
      for (const Array& input : {persisted, computed}) {
        const Array y = input.rechunk(to);
        EXPECT_EQ(y.chunks(), to);
        expect_tensor(y, DType::int32, x, 0, tessera::chunks_to_string(from) + " -> " + tessera::chunks_to_string(to));
      }
    }
  }
}

TEST(Rechunk, RowsToColumnsGoesThroughAnIntermediateChunking) {
  const ChunkSizes rows = tessera::normalize_chunks(std::vector<std::int64_t>{1, -1}, {64, 48}, DType::float64);
  const ChunkSizes cols = tessera::normalize_chunks(std::vector<std::int64_t>{-1, 1}, {64, 48}, DType::float64);
  // Directly, every column task would hold the whole array.
  EXPECT_EQ(rechunk_task_bytes(rows, cols, 8), 64 * 48 * 8);
  const auto stages = plan_rechunk(rows, cols, 8);
  ASSERT_EQ(stages.size(), 2U);
  expect_bounded_plan(rows, cols, 8);
  expect_bounded_plan(cols, rows, 8);
  const Tensor x = random_tensor({64, 48}, DType::float64, 2);
  const Array a = typed_array(x, DType::float64, rows).persist(tessera::testing::test_client());
  expect_tensor(a.rechunk(cols), DType::float64, x, 0, "rows -> columns");
  expect_tensor(a.rechunk(cols).T().rechunk(std::int64_t{5}).T(), DType::float64, x, 0, "rows -> columns -> 5");
}

TEST(Rechunk, CheapRechunksStayOneFusedStep) {
  const Shape shape{40, 40};
  const ChunkSizes a = tessera::normalize_chunks(std::int64_t{4}, shape, DType::float64);
  const ChunkSizes b = tessera::normalize_chunks(std::vector<std::int64_t>{3, 5}, shape, DType::float64);
  EXPECT_EQ(plan_rechunk(a, b, 8).size(), 1U);
  const ChunkSizes c = tessera::normalize_chunks(std::int64_t{8}, shape, DType::float64);
  EXPECT_EQ(plan_rechunk(a, c, 8).size(), 1U);  // merging 2×2 blocks holds 4 input blocks
}

TEST(Rechunk, ThreeDimensionalPlansAreBounded) {
  const Shape shape{8, 9, 10};
  std::vector<ChunkSizes> all;
  for (const auto& spec : {std::vector<std::int64_t>{1, -1, -1}, std::vector<std::int64_t>{-1, 1, 2},
                           std::vector<std::int64_t>{-1, -1, 1}, std::vector<std::int64_t>{3, 4, 5}}) {
    all.push_back(tessera::normalize_chunks(spec, shape, DType::float32));
  }
  const Tensor x = random_tensor(shape, DType::float32, 3);
  for (const auto& from : all) {
    const Array a = typed_array(x, DType::float32, from).persist(tessera::testing::test_client());
    for (const auto& to : all) {
      expect_bounded_plan(from, to, 4);
      expect_tensor(a.rechunk(to), DType::float32, x, 0, tessera::chunks_to_string(from) + " -> " + tessera::chunks_to_string(to));
    }
  }
}

}  // namespace
