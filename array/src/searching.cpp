// searchsorted and count_nonzero.
#include "block_task_node.hpp"
#include "gpu_runners.hpp"
#include "runners.hpp"
#include "sort_order.hpp"
#include "tessera/array/sorting.hpp"
#include "tessera/core/error.hpp"

namespace tessera {

using array_detail::BlockTask;
using array_detail::BlockTaskNode;

namespace {

// One block of searchsorted: inputs are the chunks of `sorted`, then the block of values.
// The elements before the insertion point are a prefix of the concatenated chunks, so a
// binary search over the chunks' last elements finds the chunk where it ends.
class SearchSortedRunner final : public TaskRunner {
 public:
  SearchSortedRunner(DType dtype, bool right, Shape shape) : dtype_(dtype), right_(right), shape_(std::move(shape)) {}
  Value run(std::span<const Value> inputs) const override {
    const std::span<const Value> sorted = inputs.first(inputs.size() - 1);
    const Chunk& values = inputs.back().get<Chunk>();
    Chunk out = Chunk::allocate(DType::int64, shape_);
    type_dispatch(dtype_, [&]<class T>() {
      std::vector<std::span<const T>> pieces;
      std::vector<std::int64_t> before;  // elements in the pieces before each
      std::int64_t total = 0;
      for (const Value& v : sorted) {
        const Chunk& c = v.get<Chunk>();
        if (c.size() == 0) continue;
        pieces.emplace_back(c.data<T>(), static_cast<std::size_t>(c.size()));
        before.push_back(total);
        total += c.size();
      }
      const array_detail::ValueOrder<T> less{};
      for (std::int64_t i = 0; i < values.size(); ++i) {
        const T v = values.data<T>()[i];
        // "left": the elements less than v; "right": those not greater.
        const auto precedes = [&](const T& e) { return right_ ? !less(v, e) : less(e, v); };
        const auto piece = std::partition_point(pieces.begin(), pieces.end(),
                                                [&](const std::span<const T>& p) { return precedes(p.back()); });
        std::int64_t at = total;
        if (piece != pieces.end()) {
          const auto k = static_cast<std::size_t>(piece - pieces.begin());
          at = before[k] + (std::partition_point(piece->begin(), piece->end(), precedes) - piece->begin());
        }
        out.data<std::int64_t>()[i] = at;
      }
    });
    return Value::make(std::move(out));
  }

  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (array_detail::gpu::kBuilt) {
      if (array_detail::gpu_context(context) != nullptr) {
        return array_detail::gpu::search_sorted(dtype_, right_, shape_, inputs.first(inputs.size() - 1),
                                                inputs.back(), context);
      }
    }
    return run(inputs);
  }

  Placement placement() const override { return array_detail::gpu_preferred_if(array_detail::gpu::has_sort(dtype_)); }

 private:
  DType dtype_;
  bool right_;
  Shape shape_;
};

}  // namespace

Array searchsorted(const Array& sorted, const Array& values, std::string_view side) {
  if (side != "left" && side != "right") {
    throw ValueError("searchsorted: side must be 'left' or 'right', got '" + std::string(side) + "'");
  }
  if (sorted.ndim() != 1) {
    throw ValueError("searchsorted needs a 1-d sorted array, got shape " + shape_to_string(sorted.shape()));
  }
  const DType dtype = result_type(sorted.dtype(), values.dtype());
  const Array s = sorted.astype(dtype);
  const Array v = values.astype(dtype);
  const array_detail::Node& v_node = *v.node();
  const std::int64_t sorted_blocks = s.node()->block_count();
  std::vector<BlockTask> tasks;
  for (std::int64_t b = 0; b < v_node.block_count(); ++b) {
    BlockTask task{std::make_shared<SearchSortedRunner>(dtype, side == "right", v_node.block_box(v_node.block_index(b)).extent()), {}};
    for (std::int64_t k = 0; k < sorted_blocks; ++k) task.reads.push_back({0, k});
    task.reads.push_back({1, b});
    tasks.push_back(std::move(task));
  }
  return array_detail::make_array<BlockTaskNode>("searchsorted", v.shape(), DType::int64, v.chunks(),
                                                 std::vector<Array>{s, v}, std::move(tasks));
}

Array count_nonzero(const Array& x, std::vector<std::int64_t> axes) {
  // astype(bool) is `value != 0` (a complex is nonzero when either part is; NaN is nonzero).
  return x.astype(DType::bool_).astype(DType::int64).sum(std::move(axes));
}

}  // namespace tessera
