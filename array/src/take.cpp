// take: the elements at integer positions along an axis. The positions are computed when
// take is called (as dask.array needs concrete indices), so each output block knows which
// input blocks it reads: one task per output block copies its slices from those blocks
// only, and input blocks no position falls in are never computed.
#include <cstring>

#include "axis_split.hpp"
#include "gpu_runners.hpp"
#include "nodes.hpp"
#include "runners.hpp"
#include "tessera/array/reshaping.hpp"
#include "tessera/core/error.hpp"

namespace tessera {
namespace array_detail {
namespace {

class TakeRunner final : public TaskRunner {
 public:
  TakeRunner(DType dtype, Shape shape, int axis, std::shared_ptr<const std::vector<TakenSlice>> sources,
             std::vector<std::int64_t> input_lengths)
      : dtype_(dtype),
        shape_(std::move(shape)),
        axis_(axis),
        sources_(std::move(sources)),
        input_lengths_(std::move(input_lengths)) {}

  /// Inputs: the input blocks the sources name, each with this block's extents off the axis.
  Value run(std::span<const Value> inputs) const override {
    Chunk out = Chunk::allocate(dtype_, shape_);
    const AxisSplit s = split_at(shape_, axis_);
    const std::size_t slice = static_cast<std::size_t>(s.inner) * itemsize(dtype_);
    for (std::int64_t o = 0; o < s.outer; ++o) {
      for (std::int64_t r = 0; r < s.length; ++r) {
        const TakenSlice& source = (*sources_)[static_cast<std::size_t>(r)];
        const std::int64_t from = o * input_lengths_[static_cast<std::size_t>(source.input)] + source.slice;
        std::memcpy(out.buffer.data() + static_cast<std::size_t>(o * s.length + r) * slice,
                    inputs[static_cast<std::size_t>(source.input)].get<Chunk>().buffer.data() +
                        static_cast<std::size_t>(from) * slice,
                    slice);
      }
    }
    return Value::make(std::move(out));
  }

  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (gpu::kBuilt) {
      if (gpu_context(context) != nullptr) {
        return gpu::take_slices(dtype_, shape_, axis_, *sources_, input_lengths_, inputs, context);
      }
    }
    return run(inputs);
  }

  Placement placement() const override { return gpu_preferred_if(true); }

 private:
  DType dtype_;
  Shape shape_;
  int axis_;
  std::shared_ptr<const std::vector<TakenSlice>> sources_;
  std::vector<std::int64_t> input_lengths_;
};

class TakeNode final : public Node {
 public:
  TakeNode(Array input, int axis, std::vector<std::int64_t> positions, std::vector<std::int64_t> position_chunks)
      : Node(with_axis(input.shape(), axis, static_cast<std::int64_t>(positions.size())), input.dtype(),
             with_axis(input.chunks(), axis, std::move(position_chunks))),
        input_(std::move(input)),
        axis_(axis),
        positions_(std::move(positions)) {}
  std::vector<const Node*> inputs() const override { return {input_.node().get()}; }
  bool opaque() const override { return true; }
  std::string label() const override { return "take"; }

  std::vector<Key> materialize(Lowering& lowering) const override {
    const Node& in = *input_.node();
    const auto axis = static_cast<std::size_t>(axis_);
    const auto& in_offsets = in.offsets()[axis];
    // Per block of positions: the input blocks along the axis it reads, and its slices.
    std::vector<std::vector<std::int64_t>> blocks_read;
    std::vector<std::shared_ptr<const std::vector<TakenSlice>>> sources;
    for (std::size_t q = 0; q + 1 < offsets()[axis].size(); ++q) {
      std::vector<std::int64_t> read;
      auto slices = std::make_shared<std::vector<TakenSlice>>();
      for (std::int64_t r = offsets()[axis][q]; r < offsets()[axis][q + 1]; ++r) {
        const std::int64_t p = positions_[static_cast<std::size_t>(r)];
        const auto block = std::upper_bound(in_offsets.begin(), in_offsets.end(), p) - in_offsets.begin() - 1;
        auto it = std::find(read.begin(), read.end(), block);
        if (it == read.end()) it = read.insert(read.end(), block);
        slices->push_back({static_cast<int>(it - read.begin()), p - in_offsets[static_cast<std::size_t>(block)]});
      }
      blocks_read.push_back(std::move(read));
      sources.push_back(std::move(slices));
    }
    std::vector<Key> keys;
    for (std::int64_t b = 0; b < block_count(); ++b) {
      const std::vector<std::int64_t> index = block_index(b);
      const auto q = static_cast<std::size_t>(index[axis]);
      // Distinct blocks can share a chunk (a broadcast): one dependency per key.
      std::vector<Key> deps;
      std::vector<std::int64_t> lengths;
      std::vector<int> slot_of;
      for (std::int64_t block : blocks_read[q]) {
        std::vector<std::int64_t> in_index = index;
        in_index[axis] = block;
        const Key key = lowering.block_key(in, in.block_flat(in_index));
        auto it = std::find(deps.begin(), deps.end(), key);
        if (it == deps.end()) {
          deps.push_back(key);
          lengths.push_back(in.chunks()[axis][static_cast<std::size_t>(block)]);
          it = deps.end() - 1;
        }
        slot_of.push_back(static_cast<int>(it - deps.begin()));
      }
      auto slices = sources[q];
      if (deps.size() != slot_of.size()) {
        auto remapped = std::make_shared<std::vector<TakenSlice>>(*slices);
        for (TakenSlice& s : *remapped) s.input = slot_of[static_cast<std::size_t>(s.input)];
        slices = std::move(remapped);
      }
      keys.push_back(lowering.add_task("take", std::move(deps),
                                       std::make_shared<TakeRunner>(dtype(), block_box(index).extent(), axis_,
                                                                    std::move(slices), std::move(lengths))));
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
  std::vector<std::int64_t> positions_;
};

// The computed indices as positions in [0, n); IndexError naming the first one out of range.
std::vector<std::int64_t> positions_of(const HostArray& indices, std::int64_t n, int axis) {
  return type_dispatch(indices.dtype(), [&]<class T>() {
    std::vector<std::int64_t> out;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      const T* v = indices.data<T>();
      for (std::int64_t i = 0; i < indices.size(); ++i) {
        const T value = v[i];
        const bool negative = std::is_signed_v<T> && value < T{0};
        // Compared as unsigned magnitudes so that uint64 indices past INT64_MAX are caught.
        const auto bits = static_cast<std::uint64_t>(value);
        const std::uint64_t magnitude = negative ? std::uint64_t{0} - bits : bits;
        if (negative ? magnitude > static_cast<std::uint64_t>(n) : magnitude >= static_cast<std::uint64_t>(n)) {
          throw IndexError("take: index " + std::to_string(value) + " is out of bounds for axis " + std::to_string(axis) +
                           " with size " + std::to_string(n));
        }
        out.push_back(negative ? n - static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude));
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
