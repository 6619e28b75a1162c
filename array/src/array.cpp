// Array handles, evaluation (compute, persist) and the default client.
#include "tessera/array/array.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "node.hpp"
#include "nodes.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/inline_run.hpp"
#include "tessera/core/local_cluster.hpp"

namespace tessera {

using array_detail::Node;

const std::shared_ptr<const Node>& Array::node() const {
  if (!node_) throw ValueError("using an empty tessera::Array (default-constructed)");
  return node_;
}
const Shape& Array::shape() const { return node()->shape(); }
DType Array::dtype() const { return node()->dtype(); }
const ChunkSizes& Array::chunks() const { return node()->chunks(); }
std::vector<std::int64_t> Array::numblocks() const { return node()->numblocks(); }

std::string Array::repr() const {
  return "tessera.Array<" + to_string(dtype()) + ", shape=" + shape_to_string(shape()) +
         ", chunks=" + chunks_to_string(chunks()) + ">";
}

Client& default_client() {
  static Client* client = new Client();  // never destroyed: arrays may outlive main's statics
  return *client;
}

namespace {

// The graph of some arrays, with the keys of each array's blocks.
struct LoweredArrays {
  Graph graph;
  std::vector<Key> unique;                 // every wanted key once (an array may be asked twice)
  std::vector<std::vector<std::size_t>> blocks;  // per array, per block: its index in `unique`
};

LoweredArrays lower(const std::vector<Array>& arrays) {
  std::vector<const Node*> targets;
  for (const auto& a : arrays) targets.push_back(a.node().get());
  array_detail::Lowering lowering(targets);
  LoweredArrays out;
  std::vector<std::vector<Key>> wanted;
  for (const Node* t : targets) wanted.push_back(lowering.keys(*t));
  for (const auto& keys : wanted) out.unique.insert(out.unique.end(), keys.begin(), keys.end());
  auto by_id = [](Key a, Key b) { return a.id < b.id; };
  std::sort(out.unique.begin(), out.unique.end(), by_id);
  out.unique.erase(std::unique(out.unique.begin(), out.unique.end()), out.unique.end());
  for (const auto& keys : wanted) {
    auto& positions = out.blocks.emplace_back();
    for (Key key : keys) {
      const auto it = std::lower_bound(out.unique.begin(), out.unique.end(), key, by_id);
      positions.push_back(static_cast<std::size_t>(it - out.unique.begin()));
    }
  }
  out.graph = std::move(lowering.graph());
  return out;
}

template <class T>
std::vector<std::vector<T>> per_array(const LoweredArrays& lowered, const std::vector<T>& results) {
  std::vector<std::vector<T>> out;
  for (const auto& positions : lowered.blocks) {
    auto& blocks = out.emplace_back();
    for (std::size_t p : positions) blocks.push_back(results[p]);
  }
  return out;
}

// Whether every node the arrays read is one block: then nothing could run in parallel,
// and the calling thread runs the few tasks faster than a round trip to a worker would.
bool one_block_each(const std::vector<Array>& arrays) {
  constexpr std::size_t kMaxNodes = 32;
  std::vector<const Node*> pending;
  std::vector<const Node*> seen;
  for (const auto& a : arrays) pending.push_back(a.node().get());
  while (!pending.empty()) {
    const Node* node = pending.back();
    pending.pop_back();
    if (std::find(seen.begin(), seen.end(), node) != seen.end()) continue;
    if (node->block_count() != 1 || seen.size() == kMaxNodes) return false;
    seen.push_back(node);
    for (const Node* input : node->inputs()) pending.push_back(input);
  }
  return true;
}

// Runs the arrays' graph and returns each array's block values.
std::vector<std::vector<Value>> evaluate(Client& client, const std::vector<Array>& arrays) {
  constexpr std::size_t kMaxInlineTasks = 16;
  LoweredArrays lowered = lower(arrays);
  if (one_block_each(arrays) && can_run_inline(lowered.graph, lowered.unique, kMaxInlineTasks)) {
    return per_array(lowered, run_inline(lowered.graph, lowered.unique));
  }
  auto futures = client.compute(std::move(lowered.graph), std::span<const Key>(lowered.unique));
  return per_array(lowered, client.gather(futures));
}

// Runs the arrays' graph on the workers and returns one future per block of each.
std::vector<std::vector<Future<Value>>> submit(Client& client, const std::vector<Array>& arrays) {
  LoweredArrays lowered = lower(arrays);
  auto futures = client.compute(std::move(lowered.graph), std::span<const Key>(lowered.unique));
  return per_array(lowered, futures);
}

void assemble_into(const Node& node, const std::vector<Value>& blocks, std::byte* out) {
  const std::size_t size = itemsize(node.dtype());
  const Strides strides = c_strides(node.shape());
  const int nd = node.ndim();
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    const Chunk& c = blocks[b].get<Chunk>();
    const array_detail::Box box = node.block_box(node.block_index(static_cast<std::int64_t>(b)));
    const Shape extent = box.extent();
    if (shape_size(extent) == 0) continue;
    if (nd == 0) {
      std::memcpy(out, c.buffer.data(), size);
      continue;
    }
    // Copy rows along the last axis.
    const std::int64_t row = extent.back();
    const std::int64_t rows = shape_size(extent) / row;
    std::vector<std::int64_t> index(static_cast<std::size_t>(nd - 1), 0);
    for (std::int64_t r = 0; r < rows; ++r) {
      std::int64_t at = box.lo.back();
      for (int d = 0; d < nd - 1; ++d) at += (box.lo[static_cast<std::size_t>(d)] + index[static_cast<std::size_t>(d)]) * strides[static_cast<std::size_t>(d)];
      std::memcpy(out + static_cast<std::size_t>(at) * size, c.buffer.data() + static_cast<std::size_t>(r * row) * size,
                  static_cast<std::size_t>(row) * size);
      for (int d = nd - 2; d >= 0; --d) {
        if (++index[static_cast<std::size_t>(d)] < extent[static_cast<std::size_t>(d)]) break;
        index[static_cast<std::size_t>(d)] = 0;
      }
    }
  }
}

HostArray host_array(const Node& node, const std::vector<Value>& blocks) {
  if (blocks.size() == 1) {
    const Chunk& only = blocks[0].get<Chunk>();
    if (only.shape == node.shape()) return HostArray(only, /*shared=*/true);
  }
  Chunk whole = Chunk::allocate(node.dtype(), node.shape());
  assemble_into(node, blocks, whole.buffer.data());
  return HostArray(std::move(whole));
}

}  // namespace

std::vector<HostArray> compute(Client& client, const std::vector<Array>& arrays) {
  auto blocks = evaluate(client, arrays);
  std::vector<HostArray> out;
  for (std::size_t i = 0; i < arrays.size(); ++i) out.push_back(host_array(*arrays[i].node(), blocks[i]));
  return out;
}
Graph task_graph(const std::vector<Array>& arrays) { return lower(arrays).graph; }

std::vector<HostArray> compute(const std::vector<Array>& arrays) { return compute(default_client(), arrays); }

HostArray Array::compute(Client& client) const { return std::move(tessera::compute(client, {*this}).front()); }
HostArray Array::compute() const { return compute(default_client()); }

void Array::compute_into(void* out, std::size_t out_bytes) const {
  if (out_bytes != static_cast<std::size_t>(nbytes())) {
    throw ValueError("compute_into: the buffer holds " + std::to_string(out_bytes) + " bytes, the array " +
                     shape_to_string(shape()) + " of " + to_string(dtype()) + " needs " + std::to_string(nbytes()));
  }
  auto blocks = evaluate(default_client(), {*this});
  assemble_into(*node(), blocks[0], static_cast<std::byte*>(out));
}

Chunk Array::compute_on(Client& client, Device& device) const {
  if (&device == host_device().get()) return compute(client).chunk();
  const auto blocks = numblocks();
  const bool one_block = std::all_of(blocks.begin(), blocks.end(), [](std::int64_t n) { return n == 1; });
  // Several blocks become one in a task on a worker (a GPU's, where there is one), so
  // that device data is assembled on the device rather than through the host.
  const Array whole = one_block ? *this : rechunk(ChunkSpec(std::vector<std::int64_t>(shape().size(), -1)));
  std::vector<Value> values;
  {
    auto futures = submit(client, {whole});
    values = client.gather(futures[0], device);
  }  // the futures go first: the workers release the chunk soon after (not at once, so a
     // chunk may still read as shared, and a caller that will write it copies it)
  return values[0].get<Chunk>();
}

Array Array::persist(Client& client) const {
  auto futures = submit(client, {*this});
  client.wait(futures[0]);
  for (const auto& f : futures[0]) f.state()->throw_if_failed();
  return array_detail::make_array<array_detail::PersistedNode>(shape(), dtype(), chunks(), std::move(futures[0]));
}
Array Array::persist() const { return persist(default_client()); }

}  // namespace tessera
