#include "block_task_node.hpp"

#include <algorithm>

#include "tessera/core/error.hpp"

namespace tessera::array_detail {

namespace {

// A task may not name a key twice, but two reads can resolve to one key (blocks of a
// broadcast view are one chunk): the task depends on each key once and this runner hands
// the inner runner its reads in the order it asked for them.
class ReorderedInputsRunner final : public TaskRunner {
 public:
  ReorderedInputsRunner(std::shared_ptr<const TaskRunner> inner, std::vector<std::size_t> slots)
      : inner_(std::move(inner)), slots_(std::move(slots)) {}
  Value run(std::span<const Value> inputs) const override { return inner_->run(reorder(inputs)); }
  Value run_on(std::span<const Value> inputs, const ExecutionContext& context) const override {
    return inner_->run_on(reorder(inputs), context);
  }
  Placement placement() const override { return inner_->placement(); }

 private:
  std::vector<Value> reorder(std::span<const Value> inputs) const {
    std::vector<Value> reads;
    reads.reserve(slots_.size());
    for (std::size_t s : slots_) reads.push_back(inputs[s]);
    return reads;
  }

  std::shared_ptr<const TaskRunner> inner_;
  std::vector<std::size_t> slots_;
};

}  // namespace

BlockTaskNode::BlockTaskNode(std::string label, Shape shape, DType dtype, ChunkSizes chunks, std::vector<Array> inputs,
                             std::vector<BlockTask> tasks)
    : Node(std::move(shape), dtype, std::move(chunks)),
      label_(std::move(label)),
      inputs_(std::move(inputs)),
      tasks_(std::move(tasks)) {
  TESSERA_ASSERT(static_cast<std::int64_t>(tasks_.size()) == block_count(), "one task per block");
}

std::vector<const Node*> BlockTaskNode::inputs() const {
  std::vector<const Node*> in;
  for (const Array& a : inputs_) in.push_back(a.node().get());
  return in;
}

std::vector<Key> BlockTaskNode::materialize(Lowering& lowering) const {
  std::vector<std::vector<Key>> input_keys;
  for (const Array& a : inputs_) input_keys.push_back(lowering.keys(*a.node()));
  std::vector<Key> keys;
  keys.reserve(tasks_.size());
  for (const BlockTask& task : tasks_) {
    std::vector<Key> deps;
    std::vector<std::size_t> slots;
    for (const BlockRead& read : task.reads) {
      const Key key = input_keys[static_cast<std::size_t>(read.input)][static_cast<std::size_t>(read.block)];
      auto it = std::find(deps.begin(), deps.end(), key);
      slots.push_back(static_cast<std::size_t>(it - deps.begin()));
      if (it == deps.end()) deps.push_back(key);
    }
    const bool reordered = deps.size() != slots.size();
    std::shared_ptr<const TaskRunner> runner =
        reordered ? std::make_shared<ReorderedInputsRunner>(task.runner, std::move(slots)) : task.runner;
    keys.push_back(lowering.add_task(label_, std::move(deps), std::move(runner)));
  }
  return keys;
}

}  // namespace tessera::array_detail
