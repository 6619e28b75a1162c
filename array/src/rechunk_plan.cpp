// The rechunk planner. Cost model: a task of a rechunk from A to C holds every A chunk its
// C block overlaps, whole. The overlapped chunks form a box of the A grid, so the cost
// factorizes by axis: the largest task holds Π_d span_d elements, span_d being the
// largest total length of A chunks one C chunk overlaps along axis d.
//
// When the direct rechunk exceeds the bound, one intermediate chunking M suffices: the
// common refinement of A and C (every boundary of both) keeps A → M within A's largest
// block and M → C within C's. The refinement can have many small chunks, so the planner
// searches, per axis, among A's chunks, C's, the refinement and coarsened refinements,
// for the M with the fewest blocks whose two steps both stay within the bound. (dask's
// plan_rechunk alternates merge and split passes to bound graph size with a block size
// limit; here the memory of a task is what must be bounded, as tasks hold whole chunks.)
#include "rechunk_plan.hpp"

#include <algorithm>
#include <limits>

#include "nodes.hpp"
#include "tessera/core/error.hpp"

namespace tessera::array_detail {
namespace {

using Axis = std::vector<std::int64_t>;

Axis offsets_of(const Axis& chunks) {
  Axis off{0};
  for (std::int64_t c : chunks) off.push_back(off.back() + c);
  return off;
}

// The largest total length of `from` chunks that one nonempty `to` chunk overlaps.
std::int64_t axis_span(const Axis& from, const Axis& to) {
  const Axis off = offsets_of(from);
  std::int64_t lo = 0, span = 0;
  for (std::int64_t c : to) {
    if (c == 0) continue;
    // The start of the chunk holding lo, and the end of the one holding the last element.
    const std::int64_t start = *(std::upper_bound(off.begin(), off.end(), lo) - 1);
    const std::int64_t end = *std::upper_bound(off.begin(), off.end(), lo + c - 1);
    span = std::max(span, end - start);
    lo += c;
  }
  return span;
}

std::int64_t largest_block(const ChunkSizes& chunks) {
  std::int64_t n = 1;
  for (const Axis& c : chunks) n *= *std::max_element(c.begin(), c.end());
  return n;
}

// Chunks ending at every boundary of either chunking.
Axis refinement(const Axis& a, const Axis& b) {
  Axis cuts = offsets_of(a);
  const Axis other = offsets_of(b);
  cuts.insert(cuts.end(), other.begin(), other.end());
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  Axis out;
  for (std::size_t i = 1; i < cuts.size(); ++i) out.push_back(cuts[i] - cuts[i - 1]);
  return out.empty() ? Axis{0} : out;
}

// Consecutive chunks merged while their sum stays within `limit`.
Axis coarsened(const Axis& chunks, std::int64_t limit) {
  Axis out;
  for (std::int64_t c : chunks) {
    if (!out.empty() && out.back() + c <= limit) {
      out.back() += c;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The intermediate chunkings worth trying along one axis.
std::vector<Axis> candidates(const Axis& from, const Axis& to, std::size_t ndim) {
  const Axis refined = refinement(from, to);
  std::vector<Axis> out{refined};
  if (ndim > 8) return out;  // 3^ndim combinations below; the refinement always works
  out.push_back(from);
  out.push_back(to);
  if (ndim <= 4) {
    const std::int64_t unit = std::max<std::int64_t>(
        1, std::min(*std::max_element(from.begin(), from.end()), *std::max_element(to.begin(), to.end())));
    for (std::int64_t k : {2, 4}) out.push_back(coarsened(refined, k * unit));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

/// An intermediate chunking, materialized: its blocks become tasks that copy patches of
/// the input's chunks (or reuse an input chunk it coincides with).
class RechunkStageNode final : public Node {
 public:
  RechunkStageNode(Array input, ChunkSizes chunks)
      : Node(input.shape(), input.dtype(), std::move(chunks)), input_(std::move(input)) {}
  std::vector<const Node*> inputs() const override { return {input_.node().get()}; }
  bool opaque() const override { return true; }
  std::string label() const override { return "rechunk-stage"; }
  std::vector<Key> materialize(Lowering& lowering) const override {
    std::vector<Key> keys;
    for (std::int64_t b = 0; b < block_count(); ++b) {
      const Box box = block_box(block_index(b));
      keys.push_back(lowering.materialize_expr(lowering.region(*input_.node(), identity_map(ndim()), box), label()));
    }
    return keys;
  }

 private:
  Array input_;
};

}  // namespace

std::int64_t rechunk_task_bytes(const ChunkSizes& from, const ChunkSizes& to, std::size_t itemsize) {
  std::int64_t n = static_cast<std::int64_t>(itemsize);
  for (std::size_t d = 0; d < from.size(); ++d) n *= axis_span(from[d], to[d]);
  return n;
}

std::int64_t rechunk_memory_bound(const ChunkSizes& from, const ChunkSizes& to, std::size_t itemsize) {
  return kRechunkMemoryFactor * std::max(largest_block(from), largest_block(to)) * static_cast<std::int64_t>(itemsize);
}

std::vector<ChunkSizes> plan_rechunk(const ChunkSizes& from, const ChunkSizes& to, std::size_t itemsize) {
  const std::int64_t bound = rechunk_memory_bound(from, to, itemsize);
  if (rechunk_task_bytes(from, to, itemsize) <= bound) return {to};
  // Per axis and candidate: the spans of both steps and the number of chunks, so that a
  // combination's costs are products.
  const std::size_t nd = from.size();
  std::vector<std::vector<Axis>> options(nd);
  std::vector<std::vector<std::int64_t>> first(nd), second(nd);
  Shape count(nd);
  for (std::size_t d = 0; d < nd; ++d) {
    options[d] = candidates(from[d], to[d], nd);
    for (const Axis& m : options[d]) {
      first[d].push_back(axis_span(from[d], m));
      second[d].push_back(axis_span(m, to[d]));
    }
    count[d] = static_cast<std::int64_t>(options[d].size());
  }
  std::vector<std::int64_t> best;
  double best_blocks = std::numeric_limits<double>::infinity();
  std::int64_t best_cost = 0;
  for_each_index(Shape(nd, 0), count, [&](const std::vector<std::int64_t>& pick) {
    auto cost1 = static_cast<std::int64_t>(itemsize), cost2 = static_cast<std::int64_t>(itemsize);
    double blocks = 1;
    for (std::size_t d = 0; d < nd; ++d) {
      const auto i = static_cast<std::size_t>(pick[d]);
      cost1 *= first[d][i];
      cost2 *= second[d][i];
      blocks *= static_cast<double>(options[d][i].size());
    }
    if (cost1 > bound || cost2 > bound) return;
    const std::int64_t cost = std::max(cost1, cost2);
    if (blocks < best_blocks || (blocks == best_blocks && cost < best_cost)) {
      best = pick;
      best_blocks = blocks;
      best_cost = cost;
    }
  });
  TESSERA_ASSERT(!best.empty(), "the refinement always satisfies the rechunk bound");
  ChunkSizes middle(nd);
  for (std::size_t d = 0; d < nd; ++d) middle[d] = options[d][static_cast<std::size_t>(best[d])];
  return {std::move(middle), to};
}

Array planned_rechunk(const Array& x, ChunkSizes to) {
  const std::vector<ChunkSizes> stages = plan_rechunk(x.chunks(), to, itemsize(x.dtype()));
  Array y = x;
  for (std::size_t i = 0; i + 1 < stages.size(); ++i) y = make_array<RechunkStageNode>(y, stages[i]);
  return make_array<ViewNode>(y, identity_map(x.ndim()), x.shape(), std::move(to), "rechunk");
}

}  // namespace tessera::array_detail
