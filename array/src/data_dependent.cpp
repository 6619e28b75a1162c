#include "data_dependent.hpp"

#include <algorithm>

#include "block_task_node.hpp"
#include "gpu_runners.hpp"
#include "runners.hpp"

namespace tessera::array_detail {

std::vector<std::int64_t> gather_int64(Client& client, const Array& a) {
  return a.compute(client).to_vector<std::int64_t>();
}

namespace {

class CountTrueRunner final : public TaskRunner {
 public:
  Value run(std::span<const Value> inputs) const override {
    const Chunk& mask = inputs[0].get<Chunk>();
    Chunk out = Chunk::allocate(DType::int64, Shape{1});
    const bool* m = mask.data<bool>();
    *out.data<std::int64_t>() = std::count(m, m + mask.size(), true);
    return Value::make(std::move(out));
  }
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    if constexpr (gpu::kBuilt) {
      if (gpu_context(context) != nullptr) return gpu::count_true(inputs[0], context);
    }
    return run(inputs);
  }
  Placement placement() const override { return gpu_preferred_if(true); }
};

}  // namespace

Array true_counts_per_block(const Array& mask) {
  const std::int64_t blocks = mask.node()->block_count();
  const auto runner = std::make_shared<CountTrueRunner>();
  std::vector<BlockTask> tasks;
  for (std::int64_t b = 0; b < blocks; ++b) tasks.push_back({runner, {{0, b}}});
  return make_array<BlockTaskNode>("count-true", Shape{blocks}, DType::int64,
                                   ChunkSizes{std::vector<std::int64_t>(static_cast<std::size_t>(blocks), 1)},
                                   std::vector<Array>{mask}, std::move(tasks));
}

std::vector<std::size_t> kept_groups(const std::vector<std::int64_t>& counts) {
  std::vector<std::size_t> kept;
  for (std::size_t g = 0; g < counts.size(); ++g) {
    if (counts[g] > 0) kept.push_back(g);
  }
  if (kept.empty()) kept.push_back(0);
  return kept;
}

std::int64_t flat_index(const std::vector<std::int64_t>& index, const std::vector<std::int64_t>& grid) {
  std::int64_t flat = 0;
  for (std::size_t d = 0; d < grid.size(); ++d) flat = flat * grid[d] + index[d];
  return flat;
}

}  // namespace tessera::array_detail
