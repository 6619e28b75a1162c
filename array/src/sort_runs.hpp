// The two stages of the blocked sort. Stage one sorts every block on its own into runs
// of (value, index) records; stage two builds each output block from the runs of its
// lane: it finds, by co-rank search, which slice of each run holds the ranks the block
// covers, and merges those slices. Records travel between tasks as uint8 chunks.
#pragma once

#include <cstdint>

#include "block_task_node.hpp"
#include "node.hpp"
#include "sort_order.hpp"
#include "tessera/array/array.hpp"
#include "tessera/core/task.hpp"

namespace tessera::array_detail {

/// Bytes of one Record of `dtype`.
std::size_t record_bytes(DType dtype);

/// The lanes of a C-contiguous block along one axis: `outer` × `inner` lanes of `length`
/// elements, element p of lane l at offset(l, p).
struct Lanes {
  std::int64_t outer = 1;
  std::int64_t length = 0;
  std::int64_t inner = 1;
  /// Lanes of a block of `extent` along `axis`.
  static Lanes along(const Shape& extent, int axis);
  std::int64_t count() const { return outer * inner; }
  std::int64_t offset(std::int64_t lane, std::int64_t p) const {
    return (lane / inner) * length * inner + p * inner + lane % inner;
  }
};

/// x's blocks with each lane along `axis` sorted into records indexed by their position
/// along the axis: an internal uint8 array of shape x.shape + (record bytes,), chunked as
/// x, a block's lanes one after the other.
Array sorted_runs_along(const Array& x, int axis, bool descending);

/// x's blocks, each sorted as a whole into records indexed by their flat index in x: an
/// internal uint8 array of shape (x.size, record bytes) with one block per block of x.
Array sorted_runs_flat(const Array& x);

/// The number of elements of each block of x, in block order (empty blocks included):
/// the lengths of sorted_runs_flat(x)'s runs.
std::vector<std::int64_t> block_sizes(const Node& x);

/// The task of block `block` of sorted_runs_flat(x), reading x's block as input 0.
BlockTask sorted_run_task(const Array& x, std::int64_t block);

/// The flat (C-order) index in an array of the elements of one of its blocks (in one
/// dimension with stride 1: positions along an axis). Tasks list them where they run.
struct BlockFlatIndex {
  Box box;          ///< the block's
  Strides strides;  ///< the array's C-order strides
  /// Of the block's element p (C order within the block).
  std::int64_t at(std::int64_t p) const;
  /// Of every element, in the block's C order.
  std::vector<std::int64_t> all() const;
  /// Whether they are at(0) + p: a 1-d box (positions along an axis, a block of a 1-d
  /// array), which needs no list.
  bool consecutive() const { return box.lo.size() == 1 && strides[0] == 1; }
  /// Block `block` of `x`.
  static BlockFlatIndex of(const Node& x, std::int64_t block);
};

/// What a merge task writes.
enum class MergeOutput : std::uint8_t {
  records,  ///< the merged records, lanes one after the other (an internal run again)
  values,   ///< the values, as a block of the sorted array
  indices,  ///< the records' indices (int64), as a block of the argsort
};

/// One output block of the blocked sort: reads one run chunk per block along the lane,
/// whose lanes hold `run_lengths[k]` records each; writes ranks [rank_lo, rank_hi) of every
/// lane into a block of `out_shape` whose lanes are `out_lanes`.
class MergeRunsRunner final : public TaskRunner {
 public:
  struct Params {
    DType dtype = DType::float64;
    bool descending = false;
    MergeOutput output = MergeOutput::values;
    Shape out_shape;
    Lanes out_lanes;
    std::vector<std::int64_t> run_lengths;
    std::int64_t rank_lo = 0;
    std::int64_t rank_hi = 0;
    /// 0 where the runs, taken in order, hold their lane's indices in increasing order
    /// (runs along an axis). Runs of blocks whose flat indices interleave: a bound above
    /// every record's index (the array's size, which R's records may be far fewer than),
    /// for the device merge's ordering of equal values by index.
    std::int64_t index_bound = 0;

    /// The dtype of the block the task writes.
    DType out_dtype() const {
      return output == MergeOutput::records ? DType::uint8 : output == MergeOutput::indices ? DType::int64 : dtype;
    }
  };
  explicit MergeRunsRunner(Params params) : params_(std::move(params)) {}
  Value run(std::span<const Value> inputs) const override;
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override;
  Placement placement() const override;

 private:
  Params params_;
};

}  // namespace tessera::array_detail
