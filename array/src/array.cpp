// Array handles, evaluation (compute, persist) and the default client.
#include "tessera/array/array.hpp"

#include <cstring>
#include <mutex>

#include "node.hpp"
#include "nodes.hpp"
#include "tessera/core/error.hpp"
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

// Lowers the arrays, runs the graph and returns one future per block of each.
std::vector<std::vector<Future<Value>>> run(Client& client, const std::vector<Array>& arrays) {
  std::vector<const Node*> targets;
  for (const auto& a : arrays) targets.push_back(a.node().get());
  array_detail::Lowering lowering(targets);
  std::vector<Key> wanted;
  std::vector<std::size_t> first;
  for (const Node* t : targets) {
    first.push_back(wanted.size());
    const auto& keys = lowering.keys(*t);
    wanted.insert(wanted.end(), keys.begin(), keys.end());
  }
  first.push_back(wanted.size());
  // A key can be wanted twice (the same array twice); ask for each once.
  std::vector<Key> unique = wanted;
  std::sort(unique.begin(), unique.end(), [](Key a, Key b) { return a.id < b.id; });
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  auto futures = client.compute(std::move(lowering.graph()), std::span<const Key>(unique));
  std::vector<std::vector<Future<Value>>> out(arrays.size());
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    for (std::size_t j = first[i]; j < first[i + 1]; ++j) {
      const auto it = std::lower_bound(unique.begin(), unique.end(), wanted[j], [](Key a, Key b) { return a.id < b.id; });
      out[i].push_back(futures[static_cast<std::size_t>(it - unique.begin())]);
    }
  }
  return out;
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

HostArray gather_array(Client& client, const Node& node, const std::vector<Future<Value>>& futures) {
  std::vector<Value> blocks = client.gather(futures);
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
  auto futures = run(client, arrays);
  std::vector<HostArray> out;
  for (std::size_t i = 0; i < arrays.size(); ++i) out.push_back(gather_array(client, *arrays[i].node(), futures[i]));
  return out;
}
std::vector<HostArray> compute(const std::vector<Array>& arrays) { return compute(default_client(), arrays); }

HostArray Array::compute(Client& client) const { return std::move(tessera::compute(client, {*this}).front()); }
HostArray Array::compute() const { return compute(default_client()); }

void Array::compute_into(void* out, std::size_t out_bytes) const {
  if (out_bytes != static_cast<std::size_t>(nbytes())) {
    throw ValueError("compute_into: the buffer holds " + std::to_string(out_bytes) + " bytes, the array " +
                     shape_to_string(shape()) + " of " + to_string(dtype()) + " needs " + std::to_string(nbytes()));
  }
  Client& client = default_client();
  auto futures = run(client, {*this});
  assemble_into(*node(), client.gather(futures[0]), static_cast<std::byte*>(out));
}

Array Array::persist(Client& client) const {
  auto futures = run(client, {*this});
  client.wait(futures[0]);
  for (const auto& f : futures[0]) f.state()->throw_if_failed();
  return array_detail::make_array<array_detail::PersistedNode>(shape(), dtype(), chunks(), std::move(futures[0]));
}
Array Array::persist() const { return persist(default_client()); }

}  // namespace tessera
