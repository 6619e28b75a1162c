// take: the elements at integer positions along an axis. The positions are computed when
// take is called (as dask.array needs concrete indices), so each output block knows which
// input blocks it reads: one task per output block copies its slices from those blocks
// only, and input blocks no position falls in are never computed.
#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include "axis_split.hpp"
#include "gpu_runners.hpp"
#include "nodes.hpp"
#include "runners.hpp"
#include "tessera/array/reshaping.hpp"
#include "tessera/core/error.hpp"

namespace tessera {
namespace array_detail {
namespace {

/// Which of the blocks starting at `starts` (ascending) holds position p: the last one
/// starting at or before it. Without branches for a few blocks, where a mispredicted
/// search per position would cost more than the rest of its work.
std::size_t block_at(std::span<const std::int64_t> starts, std::int64_t p) {
  if (starts.size() > 16) {
    return static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), p) - starts.begin() - 1);
  }
  std::size_t k = 0;
  for (std::size_t j = 1; j < starts.size(); ++j) k += static_cast<std::size_t>(starts[j] <= p);
  return k;
}

class TakeRunner final : public TaskRunner {
 public:
  /// The block's slices along the axis are positions [first, first + its length) of
  /// `positions`, read from `blocks`.
  TakeRunner(DType dtype, Shape shape, int axis, std::shared_ptr<const std::vector<std::int64_t>> positions,
             std::int64_t first, TakenBlocks blocks)
      : dtype_(dtype),
        shape_(std::move(shape)),
        axis_(axis),
        positions_(std::move(positions)),
        first_(first),
        blocks_(std::move(blocks)) {}

  /// Inputs: the blocks read, each with this block's extents off the axis.
  Value run(std::span<const Value> inputs) const override {
    Chunk out = Chunk::allocate(dtype_, shape_);
    if (out.nbytes() == 0) return Value::make(std::move(out));
    const AxisSplit s = split_at(shape_, axis_);
    const std::size_t slice = static_cast<std::size_t>(s.inner) * itemsize(dtype_);
    const std::vector<const void*> data = chunk_data(inputs);
    // A slice of one element (a 1-d take) is copied with its size known here: a call to
    // memcpy per element would cost more than the copy.
    switch (slice) {
      case 1: return copy_slices<1>(std::move(out), s, slice, data);
      case 2: return copy_slices<2>(std::move(out), s, slice, data);
      case 4: return copy_slices<4>(std::move(out), s, slice, data);
      case 8: return copy_slices<8>(std::move(out), s, slice, data);
      case 16: return copy_slices<16>(std::move(out), s, slice, data);
      default: return copy_slices<0>(std::move(out), s, slice, data);
    }
  }

  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (gpu::kBuilt) {
      if (gpu_context(context) != nullptr) {
        return gpu::take_slices(dtype_, shape_, axis_, positions(), blocks_, inputs, context);
      }
    }
    return run(inputs);
  }

  Placement placement() const override { return gpu_preferred_if(true); }

 private:
  std::span<const std::int64_t> positions() const {
    return std::span<const std::int64_t>(*positions_).subspan(static_cast<std::size_t>(first_),
                                                              static_cast<std::size_t>(shape_[static_cast<std::size_t>(axis_)]));
  }

  /// Slices of `Size` bytes (0: of `slice` bytes, known at run time).
  template <std::size_t Size>
  Value copy_slices(Chunk out, const AxisSplit& s, std::size_t slice, std::span<const void* const> data) const {
    const std::size_t bytes = Size == 0 ? slice : Size;
    const std::span<const std::int64_t> taken = positions();
    const std::vector<std::int64_t>& starts = blocks_.starts;
    // Tile by tile: the addresses first, then the copies for every outer index, so that
    // the loads of a gather (cache misses, mostly) overlap instead of waiting behind each
    // element's search, and the search is done once per position.
    constexpr std::size_t kTile = 4096;
    std::array<const std::byte*, kTile> from{};  // the slice at outer index 0
    std::array<std::size_t, kTile> step{};        // bytes between its outer indices
    const std::size_t count = taken.size();
    for (std::size_t first = 0; first < count; first += kTile) {
      const std::size_t tile = std::min(kTile, count - first);
      for (std::size_t r = 0; r < tile; ++r) {
        const std::int64_t p = taken[first + r];
        const std::size_t k = block_at(starts, p);
        from[r] = static_cast<const std::byte*>(data[static_cast<std::size_t>(blocks_.inputs[k])]) +
                  static_cast<std::size_t>(p - starts[k]) * bytes;
        step[r] = static_cast<std::size_t>(blocks_.lengths[k]) * bytes;
      }
      for (std::int64_t o = 0; o < s.outer; ++o) {
        std::byte* to = out.buffer.data() + (static_cast<std::size_t>(o) * count + first) * bytes;
        for (std::size_t r = 0; r < tile; ++r) {
          std::memcpy(to, from[r] + static_cast<std::size_t>(o) * step[r], bytes);
          to += bytes;
        }
      }
    }
    return Value::make(std::move(out));
  }

  DType dtype_;
  Shape shape_;
  int axis_;
  std::shared_ptr<const std::vector<std::int64_t>> positions_;
  std::int64_t first_;
  TakenBlocks blocks_;
};

class TakeNode final : public Node {
 public:
  TakeNode(Array input, int axis, std::vector<std::int64_t> positions, std::vector<std::int64_t> position_chunks)
      : Node(with_axis(input.shape(), axis, static_cast<std::int64_t>(positions.size())), input.dtype(),
             with_axis(input.chunks(), axis, std::move(position_chunks))),
        input_(std::move(input)),
        axis_(axis),
        positions_(std::make_shared<const std::vector<std::int64_t>>(std::move(positions))) {}
  std::vector<const Node*> inputs() const override { return {input_.node().get()}; }
  bool opaque() const override { return true; }
  std::string label() const override { return "take"; }

  std::vector<Key> materialize(Lowering& lowering) const override {
    const Node& in = *input_.node();
    const auto axis = static_cast<std::size_t>(axis_);
    const auto& in_offsets = in.offsets()[axis];
    // Per block of positions: the input blocks along the axis it reads, in order.
    std::vector<std::vector<std::int64_t>> blocks_read;
    std::vector<std::size_t> seen_by(in_offsets.size() - 1, 0);  // the last block of positions (+1) that read each
    for (std::size_t q = 0; q + 1 < offsets()[axis].size(); ++q) {
      std::vector<std::int64_t> read;
      for (std::int64_t r = offsets()[axis][q]; r < offsets()[axis][q + 1]; ++r) {
        const std::int64_t p = (*positions_)[static_cast<std::size_t>(r)];
        const std::size_t block = block_at(in_offsets, p);
        if (seen_by[block] == q + 1) continue;
        seen_by[block] = q + 1;
        read.push_back(static_cast<std::int64_t>(block));
      }
      std::sort(read.begin(), read.end());
      blocks_read.push_back(std::move(read));
    }
    std::vector<Key> keys;
    for (std::int64_t b = 0; b < block_count(); ++b) {
      const std::vector<std::int64_t> index = block_index(b);
      const auto q = static_cast<std::size_t>(index[axis]);
      // Distinct blocks can share a chunk (a broadcast): one dependency per key.
      std::vector<Key> deps;
      TakenBlocks blocks;
      for (std::int64_t block : blocks_read[q]) {
        std::vector<std::int64_t> in_index = index;
        in_index[axis] = block;
        const Key key = lowering.block_key(in, in.block_flat(in_index));
        auto it = std::find(deps.begin(), deps.end(), key);
        if (it == deps.end()) it = deps.insert(deps.end(), key);
        blocks.starts.push_back(in_offsets[static_cast<std::size_t>(block)]);
        blocks.lengths.push_back(in.chunks()[axis][static_cast<std::size_t>(block)]);
        blocks.inputs.push_back(static_cast<int>(it - deps.begin()));
      }
      keys.push_back(lowering.add_task(
          "take", std::move(deps),
          std::make_shared<TakeRunner>(dtype(), block_box(index).extent(), axis_, positions_, offsets()[axis][q],
                                       std::move(blocks))));
    }
    return keys;
  }

 private:
  template <class T>
  static std::vector<T> with_axis(std::vector<T> v, int axis, T value) {
    v[static_cast<std::size_t>(axis)] = std::move(value);
    return v;
  }

  Array input_;
  int axis_;
  std::shared_ptr<const std::vector<std::int64_t>> positions_;  // shared with the tasks
};

// The computed indices as positions in [0, n); IndexError naming the first one out of range.
std::vector<std::int64_t> positions_of(const HostArray& indices, std::int64_t n, int axis) {
  return type_dispatch(indices.dtype(), [&]<class T>() {
    std::vector<std::int64_t> out;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      const T* v = indices.data<T>();
      out.resize(static_cast<std::size_t>(indices.size()));
      // Compared as unsigned magnitudes so that uint64 indices past INT64_MAX are caught.
      const auto outside = [n](T value, std::uint64_t& magnitude) {
        const bool negative = std::is_signed_v<T> && value < T{0};
        const auto bits = static_cast<std::uint64_t>(value);
        magnitude = negative ? std::uint64_t{0} - bits : bits;
        return negative ? magnitude > static_cast<std::uint64_t>(n) : magnitude >= static_cast<std::uint64_t>(n);
      };
      // One pass without a branch per index; the first one out of range is looked for
      // only when there is one.
      bool any_outside = false;
      for (std::size_t i = 0; i < out.size(); ++i) {
        std::uint64_t magnitude = 0;
        any_outside |= outside(v[i], magnitude);
        const bool negative = std::is_signed_v<T> && v[i] < T{0};
        out[i] = negative ? n - static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
      }
      for (std::size_t i = 0; any_outside && i < out.size(); ++i) {
        std::uint64_t magnitude = 0;
        if (outside(v[i], magnitude)) {
          throw IndexError("take: index " + std::to_string(v[i]) + " is out of bounds for axis " + std::to_string(axis) +
                           " with size " + std::to_string(n));
        }
      }
    }
    return out;
  });
}

}  // namespace
}  // namespace array_detail

Array take(const Array& x, const Array& indices, std::optional<std::int64_t> axis) {
  if (!axis) {
    if (x.ndim() != 1) {
      throw ValueError("take: axis must be given for an array of dimension " + std::to_string(x.ndim()) + " (shape " +
                       shape_to_string(x.shape()) + ")");
    }
    axis = 0;
  }
  const int a = normalize_axis(*axis, x.ndim());
  if (!is_integer(indices.dtype())) throw TypeError("take: indices must be integers, got " + to_string(indices.dtype()));
  if (indices.ndim() != 1) throw ValueError("take: indices must be 1-d, got shape " + shape_to_string(indices.shape()));
  std::vector<std::int64_t> positions =
      array_detail::positions_of(indices.compute(), x.shape()[static_cast<std::size_t>(a)], a);
  return array_detail::make_array<array_detail::TakeNode>(x, a, std::move(positions), indices.chunks()[0]);
}

}  // namespace tessera
