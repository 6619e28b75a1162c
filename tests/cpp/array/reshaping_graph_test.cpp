// The task graphs of reshape, setitem and take: what they promise to cost (views that add
// no tasks, untouched blocks passed through, only the input blocks that are needed).
#include <gtest/gtest.h>

#include <map>

#include "manip_test_support.hpp"
#include "node.hpp"

namespace {

using tessera::Array;
using tessera::ChunkSpec;
using tessera::Slice;
using tessera::testing::counting;
using tessera::testing::test_client;

// Tasks of the graph computing `a`, counted by the name before their "-number".
std::map<std::string, int> tasks_by_name(const Array& a) {
  tessera::array_detail::Lowering lowering({a.node().get()});
  (void)lowering.keys(*a.node());
  std::map<std::string, int> count;
  for (const auto& t : lowering.graph().tasks()) ++count[t.name.substr(0, t.name.rfind('-'))];
  return count;
}

Array persisted(const tessera::Shape& shape, const ChunkSpec& chunks) {
  return tessera::from_vector(counting(tessera::shape_size(shape)), shape, chunks).persist(test_client());
}

TEST(ReshapeGraph, LinedUpChunksAddNoTasks) {
  const Array x = persisted({6, 8}, std::vector<std::int64_t>{2, -1});
  // One fused task per block of the consumer, nothing for the reshapes.
  EXPECT_EQ(tasks_by_name(tessera::reshape(x, {48}) + 1.0), (std::map<std::string, int>{{"add", 3}}));
  EXPECT_EQ(tasks_by_name(tessera::reshape(tessera::reshape(x, {3, 2, 8}), {12, 4}) * 2.0),
            (std::map<std::string, int>{{"multiply", 3}}));
  // Slices of a host array are read where they lie too: one literal per block row (a
  // view of the array), each read by the consumer blocks it overlaps.
  const Array host = tessera::from_vector(counting(48), {6, 8}, std::vector<std::int64_t>{2, -1});
  EXPECT_EQ(tasks_by_name(tessera::reshape(host, {48}) + 1.0), (std::map<std::string, int>{{"array", 3}, {"add", 3}}));
  // A consumer block reads only the block rows it overlaps: never the whole array, which
  // a GPU worker would otherwise copy in for every block.
  EXPECT_EQ(tasks_by_name(host[std::vector<tessera::IndexItem>{tessera::Slice{0, 2, std::nullopt}}] + 1.0),
            (std::map<std::string, int>{{"array", 1}, {"add", 1}}));
}

TEST(ReshapeGraph, MisalignedChunksCopyEachInputBlockOnce) {
  const Array x = persisted({6, 8}, std::vector<std::int64_t>{2, 4});
  // Rows are made whole at the input's block size (8 elements): each of the six rows is
  // assembled once from its two chunks, however many consumer blocks read it.
  const auto tasks = tasks_by_name(tessera::reshape(x, {48}).rechunk(std::int64_t{5}) + 1.0);
  EXPECT_EQ(tasks.at("reshape"), 6);
  EXPECT_EQ(tasks.at("add"), 10);
  EXPECT_EQ(tasks.size(), 2U);
}

TEST(SetItemGraph, UntouchedBlocksAddNoTasks) {
  const Array x = persisted({8, 8}, std::int64_t{4});
  const Array y = tessera::setitem(x, {Slice{1, 3}, Slice{5, 7}}, -1.0);
  // Only the touched block is written; the others are the persisted chunks themselves.
  EXPECT_EQ(tasks_by_name(y), (std::map<std::string, int>{{"setitem", 1}}));
  EXPECT_EQ(tasks_by_name(y + 1.0), (std::map<std::string, int>{{"setitem", 1}, {"add", 4}}));
  const Array z = tessera::setitem(x, {std::int64_t{0}}, -1.0);
  EXPECT_EQ(tasks_by_name(z), (std::map<std::string, int>{{"setitem", 2}}));
}

TEST(TakeGraph, ComputesOnlyTheInputBlocksItReads) {
  const Array x = tessera::arange(std::int64_t{50}, {.dtype = tessera::DType::int64, .chunks = std::int64_t{10}});
  std::vector<std::int64_t> idx{21, 25, 29, -22};
  const Array indices = tessera::from_vector(idx, {4}, std::int64_t{2});
  // Positions 21..29 all lie in block 2 of x: one arange block and a take per index block.
  EXPECT_EQ(tasks_by_name(tessera::take(x, indices)), (std::map<std::string, int>{{"arange", 1}, {"take", 2}}));
}

}  // namespace
