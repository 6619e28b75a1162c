// unique_counts. Where x holds few values (unique_values' first pass bounds them by the
// records its blocks give, unique_values.cpp), the values come from unique_values' path
// and the counts from one more pass: each block counts its elements per value, looking
// their keys up in a table of the values, and a sum down the blocks adds the partial
// counts. Otherwise both come from unique_all's run of every element (unique.cpp).
// The counting pass has no device code: on a GPU cluster its blocks go to the CPU worker.
#include <algorithm>
#include <memory>
#include <vector>

#include "block_task_node.hpp"
#include "first_occurrences.hpp"
#include "runners.hpp"
#include "sort_order.hpp"
#include "tessera/array/sorting.hpp"
#include "tessera/core/error.hpp"
#include "unique_run.hpp"

namespace tessera {

using array_detail::BlockTask;
using array_detail::BlockTaskNode;
using array_detail::make_array;

namespace {

// One block's partial counts: a {1, values} int64 chunk. Reads x's block, then every chunk
// of the values. A NaN is a value of its own, of one element: the first block counts
// each NaN value once, and no block counts its NaN elements.
class CountPerValueRunner final : public TaskRunner {
 public:
  CountPerValueRunner(DType dtype, std::int64_t values, bool counts_nans)
      : dtype_(dtype), values_(values), counts_nans_(counts_nans) {}
  Value run(std::span<const Value> inputs) const override {
    Chunk out = Chunk::allocate(DType::int64, Shape{1, values_});
    std::int64_t* counts = out.data<std::int64_t>();
    std::fill(counts, counts + values_, std::int64_t{0});
    type_dispatch(dtype_, [&]<class T>() {
      if constexpr (array_detail::IsComplex<T>::value) {
        TESSERA_ASSERT(false, "unique_counts looks real values up only");
      } else {
        array_detail::KeyTable number;  // of each value, by key
        std::int64_t g = 0;
        for (const Value& chunk : inputs.subspan(1)) {
          const Chunk& c = chunk.get<Chunk>();
          for (std::int64_t i = 0; i < c.size(); ++i, ++g) {
            const std::uint64_t key = kernels::order_key(c.data<T>()[i], false);
            if (kernels::is_nan_key<T>(key)) {
              counts[g] = counts_nans_ ? 1 : 0;
            } else {
              number.insert(key, g);
            }
          }
        }
        TESSERA_ASSERT(g == values_, "the values' chunks hold every value");
        const Chunk& block = inputs[0].get<Chunk>();
        for (std::int64_t p = 0; p < block.size(); ++p) {
          const std::uint64_t key = kernels::order_key(block.data<T>()[p], false);
          if (kernels::is_nan_key<T>(key)) continue;
          const std::int64_t at = number.at(key);
          if (at < 0) {
            throw Error("unique_counts: an element of x is not among its unique values: was x recomputed differently?");
          }
          ++counts[at];
        }
      }
    });
    return Value::make(std::move(out));
  }

 private:
  DType dtype_;
  std::int64_t values_;
  bool counts_nans_;
};

}  // namespace

UniqueCounts unique_counts(Client& client, const Array& x) {
  const auto by_unique_all = [&](const Array& of) {
    UniqueAll all = unique_all(client, of);
    return UniqueCounts{std::move(all.values), std::move(all.counts)};
  };
  if (is_complex(x.dtype()) || x.size() == 0) return by_unique_all(x);
  const array_detail::BlockFirsts firsts = array_detail::count_block_firsts(client, x);
  // Each block counts into a row of every value, from a table of them all: blocks times
  // values of work and memory. Past x's size the sort of every element costs less.
  const auto too_many = [&](std::int64_t values) {
    return static_cast<double>(values) * static_cast<double>(firsts.blocks.size()) > static_cast<double>(x.size());
  };
  // The records the blocks give bound the values, loosely where blocks share them (1000
  // blocks of the same 100 values give 100000). Where they are few, finding the values
  // costs little, and their number decides; where the blocks gave every element, it would
  // cost a sort of them all.
  std::int64_t given = 0;
  for (std::int64_t g : firsts.given) given += g;
  if (too_many(given) && given > x.size() / 4) return by_unique_all(firsts.xs);
  const Array values = array_detail::values_of(client, firsts);
  const std::int64_t nvalues = values.size();
  if (too_many(nvalues)) return by_unique_all(firsts.xs);
  const std::int64_t value_chunks = values.node()->block_count();
  std::vector<BlockTask> partials;
  for (std::size_t j = 0; j < firsts.blocks.size(); ++j) {
    BlockTask task{std::make_shared<CountPerValueRunner>(x.dtype(), nvalues, j == 0), {{0, firsts.blocks[j]}}};
    for (std::int64_t c = 0; c < value_chunks; ++c) task.reads.push_back({1, c});
    partials.push_back(std::move(task));
  }
  const auto nblocks = static_cast<std::int64_t>(firsts.blocks.size());
  const Array per_block = make_array<BlockTaskNode>(
      "unique-counts-per-block", Shape{nblocks, nvalues}, DType::int64,
      ChunkSizes{std::vector<std::int64_t>(firsts.blocks.size(), 1), {nvalues}}, std::vector<Array>{firsts.xs, values},
      std::move(partials));
  return {values, per_block.sum(std::int64_t{0}).rechunk(ChunkSpec(values.chunks()))};
}

}  // namespace tessera
