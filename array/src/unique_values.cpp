// unique_values: the distinct values alone need no record of an element that repeats a
// value of its own block. Each block gives R (unique_run.hpp) only the first record of
// each of its values, found by hashing in one pass while they are few; a block with many
// gives all of its records, sorted. A first pass counts what each block gives (gathered),
// a second writes it, and R, merged from far fewer records than x has where values
// repeat, yields the values as unique_all's do, to the sign of each zero: a value's first
// record in R is the first among the blocks' first ones.
#include <optional>

#include "block_task_node.hpp"
#include "data_dependent.hpp"
#include "first_occurrences.hpp"
#include "gpu_runners.hpp"
#include "radix_sort.hpp"
#include "runners.hpp"
#include "sort_runs.hpp"
#include "tessera/array/sorting.hpp"
#include "tessera/core/error.hpp"
#include "unique_run.hpp"

namespace tessera {

using array_detail::BlockFlatIndex;
using array_detail::BlockTask;
using array_detail::BlockTaskNode;
using array_detail::make_array;
using array_detail::Record;
namespace gpu = array_detail::gpu;

namespace {

// A block gives its first records while it has at most this many values: a quarter of its
// elements (fewer would not shrink R much), and at most 65536, a table of 2 MiB.
std::int64_t first_records_limit(std::int64_t elements) { return std::min<std::int64_t>(elements / 4, 1 << 16); }

// The positions of the first element of each of the block's values, unless it has more
// than first_records_limit of them. Complex values, which have no order key, never come.
template <class T>
std::optional<std::vector<std::int64_t>> hashed_firsts(const Chunk& block) {
  std::vector<std::int64_t> firsts;
  if constexpr (array_detail::IsComplex<T>::value) {
    TESSERA_ASSERT(false, "unique_values hashes real values only");
    return std::nullopt;
  } else {
    if (!array_detail::first_occurrences(block.data<T>(), block.size(), first_records_limit(block.size()), firsts)) {
      return std::nullopt;
    }
    return firsts;
  }
}

// How many records a block of `distinct` values gives R: their first ones, or all of its
// elements.
std::int64_t records_given(std::int64_t distinct, std::int64_t elements) {
  return distinct <= first_records_limit(elements) ? distinct : elements;
}

// The first pass: a {1} int64 chunk, how many records one block gives R.
class CountGivenRunner final : public TaskRunner {
 public:
  CountGivenRunner(DType dtype, BlockFlatIndex block) : dtype_(dtype), block_(std::move(block)) {}
  Value run(std::span<const Value> inputs) const override {
    const Chunk& in = inputs[0].get<Chunk>();
    Chunk out = Chunk::allocate(DType::int64, Shape{1});
    type_dispatch(dtype_, [&]<class T>() {
      // Past the limit the count is unknown, but more than the limit: all elements.
      const auto firsts = hashed_firsts<T>(in);
      *out.data<std::int64_t>() = firsts ? static_cast<std::int64_t>(firsts->size()) : in.size();
    });
    return Value::make(std::move(out));
  }
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (gpu::kBuilt) {
      if (array_detail::gpu_context(context) != nullptr) {
        // The device has a sort, and no hash table: it counts the values of the sorted
        // block (whose second pass sorts it again).
        const std::int64_t given =
            records_given(gpu::count_distinct(dtype_, block_, inputs[0], context), shape_size(block_.box.extent()));
        Chunk out = Chunk::allocate_on(context.device, DType::int64, Shape{1});
        context.device.copy_from_host(&given, out.buffer, sizeof(given));
        return Value::make(std::move(out));
      }
    }
    return run(inputs);
  }
  Placement placement() const override { return array_detail::gpu_preferred_if(gpu::has_sort(dtype_)); }

 private:
  DType dtype_;
  BlockFlatIndex block_;
};

// The second pass, for a block that gives its first records: those, sorted by value as a
// run of R.
class FirstRecordsRunner final : public TaskRunner {
 public:
  FirstRecordsRunner(DType dtype, BlockFlatIndex block, std::int64_t distinct)
      : dtype_(dtype), block_(std::move(block)), distinct_(distinct) {}
  Value run(std::span<const Value> inputs) const override {
    const Chunk& in = inputs[0].get<Chunk>();
    const auto bytes = static_cast<std::int64_t>(array_detail::record_bytes(dtype_));
    Chunk out = Chunk::allocate(DType::uint8, Shape{distinct_, bytes});
    type_dispatch(dtype_, [&]<class T>() {
      const auto firsts = hashed_firsts<T>(in);
      if (!firsts || static_cast<std::int64_t>(firsts->size()) != distinct_) {
        throw Error("unique: a block's first pass counted " + std::to_string(distinct_) +
                    " distinct values, its second found " + (firsts ? std::to_string(firsts->size()) : "more") +
                    ": was its input recomputed differently?");
      }
      if constexpr (!array_detail::IsComplex<T>::value) {
        // Equal values among them are NaNs alone; flat indices ascend with positions in a
        // block, so the stable sort leaves those in R's order too.
        const auto first_record = [&](std::size_t g) {
          const std::int64_t p = (*firsts)[g];
          return Record<T>{in.data<T>()[p], block_.at(p)};
        };
        auto* records = reinterpret_cast<Record<T>*>(out.buffer.data());
        array_detail::RecordRadixSort<T>().sort_made(records, firsts->size(), false, first_record);
      }
    });
    return Value::make(std::move(out));
  }
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (gpu::kBuilt) {
      if (array_detail::gpu_context(context) != nullptr) {
        return gpu::first_records(dtype_, block_, distinct_, inputs[0], context);
      }
    }
    return run(inputs);
  }
  Placement placement() const override { return array_detail::gpu_preferred_if(gpu::has_sort(dtype_)); }

 private:
  DType dtype_;
  BlockFlatIndex block_;
  std::int64_t distinct_;
};

// R's chunks: about even, of at most 4M records (64 MiB). Each merge task reads every run,
// so a small R in few chunks saves the tasks' reads (blocks × chunks). More chunks than
// that would spread the merges over more cores (10M distinct float64 in 4 blocks: 3
// chunks 0.90 s, 4 chunks 0.71 s on two cores), but a device merge sorts all of R for
// each chunk (gpu_runners.cpp), so each added chunk costs a GPU worker a whole sort.
std::vector<std::int64_t> merged_chunks(std::int64_t total) {
  constexpr std::int64_t kMaxRecords = std::int64_t{1} << 22;
  const std::int64_t count = (total + kMaxRecords - 1) / kMaxRecords;
  std::vector<std::int64_t> sizes;
  for (std::int64_t c = 0; c < count; ++c) sizes.push_back(total * (c + 1) / count - total * c / count);
  return sizes;
}

}  // namespace

namespace array_detail {

BlockFirsts count_block_firsts(Client& client, const Array& x) {
  BlockFirsts f;
  f.xs = x.persist(client);  // both passes read x: it is computed once
  const Node& node = *f.xs.node();
  std::vector<BlockTask> counts;
  const std::vector<std::int64_t> all_sizes = block_sizes(node);
  for (std::size_t b = 0; b < all_sizes.size(); ++b) {
    if (all_sizes[b] == 0) continue;
    const auto block = static_cast<std::int64_t>(b);
    f.blocks.push_back(block);
    f.sizes.push_back(all_sizes[b]);
    counts.push_back({std::make_shared<CountGivenRunner>(x.dtype(), BlockFlatIndex::of(node, block)), {{0, block}}});
  }
  const auto nblocks = static_cast<std::int64_t>(f.blocks.size());
  f.given = gather_int64(client, make_array<BlockTaskNode>("unique-values-count", Shape{nblocks}, DType::int64,
                                                           ChunkSizes{std::vector<std::int64_t>(f.blocks.size(), 1)},
                                                           std::vector<Array>{f.xs}, std::move(counts)));
  for (std::size_t j = 0; j < f.blocks.size(); ++j) {
    if (f.given[j] < 1 || f.given[j] > f.sizes[j]) {
      throw Error("unique: a block of " + std::to_string(f.sizes[j]) + " elements was counted to give " +
                  std::to_string(f.given[j]) + " records");
    }
  }
  return f;
}

Array values_of(Client& client, const BlockFirsts& f) {
  const DType dtype = f.xs.dtype();
  const Node& node = *f.xs.node();
  std::vector<BlockTask> runs;
  std::int64_t total = 0;
  for (std::size_t j = 0; j < f.blocks.size(); ++j) {
    runs.push_back(f.given[j] == f.sizes[j]
                       ? sorted_run_task(f.xs, f.blocks[j])
                       : BlockTask{std::make_shared<FirstRecordsRunner>(dtype, BlockFlatIndex::of(node, f.blocks[j]), f.given[j]),
                                   {{0, f.blocks[j]}}});
    total += f.given[j];
  }
  const auto bytes = static_cast<std::int64_t>(record_bytes(dtype));
  const Array first_runs = make_array<BlockTaskNode>("unique-values-runs", Shape{total, bytes}, DType::uint8,
                                                     ChunkSizes{f.given, {bytes}}, std::vector<Array>{f.xs}, std::move(runs));
  const SortedRun r = merge_and_scan(client, dtype, {first_runs, f.given, f.xs.size()}, merged_chunks(total));
  return per_value(r, gpu::UniquePart::values, dtype, "unique-values");
}

}  // namespace array_detail

Array unique_values(Client& client, const Array& x) {
  const DType dtype = x.dtype();
  // Complex values have no order key to hash: the whole of unique_all finds theirs.
  if (is_complex(dtype)) return unique_all(client, x).values;
  if (x.size() == 0) return array_detail::empty_of(dtype);
  return array_detail::values_of(client, array_detail::count_block_firsts(client, x));
}

Array unique_values(const Array& x) { return unique_values(default_client(), x); }

}  // namespace tessera
