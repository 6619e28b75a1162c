// BlockTaskNode: an opaque node whose every block is one task running a given runner
// over chosen blocks of its input arrays. The building block of operations whose blocks
// read arbitrary sets of input blocks (the merges of a sort, the selections of a boolean
// mask, the shuffles of unique), so that they need no node type of their own.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nodes.hpp"

namespace tessera::array_detail {

/// One input block a task reads: which input array, and the block's flat (C-order) index.
struct BlockRead {
  int input = 0;
  std::int64_t block = 0;
};

/// The task of one output block: its runner receives the blocks of `reads`, in order.
struct BlockTask {
  std::shared_ptr<const TaskRunner> runner;
  std::vector<BlockRead> reads;
};

class BlockTaskNode final : public Node {
 public:
  /// `tasks` holds one task per block of (shape, chunks), in C order over the block grid.
  BlockTaskNode(std::string label, Shape shape, DType dtype, ChunkSizes chunks, std::vector<Array> inputs,
                std::vector<BlockTask> tasks);
  std::vector<const Node*> inputs() const override;
  bool opaque() const override { return true; }
  std::vector<Key> materialize(Lowering& lowering) const override;
  std::string label() const override { return label_; }

 private:
  std::string label_;
  std::vector<Array> inputs_;
  std::vector<BlockTask> tasks_;
};

}  // namespace tessera::array_detail
