// reshape, planned on the chunk grid. Both shapes split into segments: minimal runs of
// axes with equal products, which a C-order reshape maps onto each other and nothing else.
// A segment's blocks line up when every input block is one contiguous run of the segment's
// C-order elements and the output axes can be cut at the same flat positions; then every
// output block is exactly one input block read in a new shape. That read is a view: no task
// when the input block already lies evenly spaced in memory (a chunk, or a slice of one),
// else one copy of the block.
//
// When a segment does not line up, the input is rechunked (lazily) into runs of whole
// trailing rows cut where the output can be cut too. Where the two shapes share too few
// cut points for that (merging (6, 35) into (35, 6)), the segment goes through its flat
// run instead: merge, cut the flat axis where the output can be cut, split; each output
// block then copies from the few input blocks it overlaps.
#include <numeric>

#include "nodes.hpp"
#include "tessera/array/reshaping.hpp"
#include "tessera/core/error.hpp"

namespace tessera {
namespace array_detail {
namespace {

struct Segment {
  std::size_t in_begin = 0, in_end = 0;    // input axes [in_begin, in_end)
  std::size_t out_begin = 0, out_end = 0;  // output axes [out_begin, out_end)
};

// The segments of two shapes of the same nonzero size, in axis order.
std::vector<Segment> segments(const Shape& in, const Shape& out) {
  std::vector<Segment> segs;
  std::size_t i = 0, o = 0;
  while (i < in.size() || o < out.size()) {
    Segment s{i, i, o, o};
    std::int64_t pi = 1, po = 1;
    do {
      if (i < in.size() && (pi <= po || o == out.size())) {
        pi *= in[i++];
      } else {
        po *= out[o++];
      }
    } while (pi != po);
    s.in_end = i;
    s.out_end = o;
    segs.push_back(s);
  }
  return segs;
}

template <class T>
std::vector<T> part(const std::vector<T>& v, std::size_t begin, std::size_t end) {
  return std::vector<T>(v.begin() + static_cast<std::ptrdiff_t>(begin), v.begin() + static_cast<std::ptrdiff_t>(end));
}

std::int64_t product(const Shape& s, std::size_t begin, std::size_t end) {
  std::int64_t p = 1;
  for (std::size_t a = begin; a < end; ++a) p *= s[a];
  return p;
}

// The flat positions where a segment's blocks begin, then its length, when every block is
// a contiguous run of the segment's C-order elements: the axes before the last cut one are
// cut into single elements and those after it are whole.
std::optional<std::vector<std::int64_t>> flat_cuts(const Shape& shape, const ChunkSizes& chunks) {
  const std::int64_t length = shape_size(shape);
  std::size_t k = shape.size();
  for (std::size_t a = 0; a < shape.size(); ++a) {
    if (chunks[a].size() > 1) k = a;
  }
  if (k == shape.size()) return std::vector<std::int64_t>{0, length};
  for (std::size_t a = 0; a < k; ++a) {
    for (std::int64_t c : chunks[a]) {
      if (c != 1) return std::nullopt;
    }
  }
  for (std::int64_t c : chunks[k]) {
    if (c == 0) return std::nullopt;
  }
  const std::int64_t inner = product(shape, k + 1, shape.size());
  const std::int64_t outer = product(shape, 0, k);
  std::vector<std::int64_t> cuts;
  for (std::int64_t t = 0; t < outer; ++t) {
    std::int64_t at = t * shape[k] * inner;
    for (std::int64_t c : chunks[k]) {
      cuts.push_back(at);
      at += c * inner;
    }
  }
  cuts.push_back(length);
  return cuts;
}

// Chunks of a segment of `shape` whose blocks begin exactly at the flat positions `cuts`,
// cutting as far out as possible (the fewest axes cut into single elements).
std::optional<ChunkSizes> chunks_at_cuts(const Shape& shape, const std::vector<std::int64_t>& cuts) {
  const auto blocks = static_cast<std::int64_t>(cuts.size()) - 1;
  if (shape.empty()) return blocks == 1 ? std::optional<ChunkSizes>(ChunkSizes{}) : std::nullopt;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    const std::int64_t inner = product(shape, k + 1, shape.size());
    if (std::any_of(cuts.begin(), cuts.end(), [&](std::int64_t c) { return c % inner != 0; })) continue;
    // The cuts within the first run of axis k give its chunks; the other runs must repeat them.
    std::vector<std::int64_t> along;
    std::int64_t prev = 0;
    for (std::size_t i = 1; i < cuts.size() && cuts[i] / inner <= shape[k]; ++i) {
      along.push_back(cuts[i] / inner - prev);
      prev = cuts[i] / inner;
    }
    if (prev != shape[k] || product(shape, 0, k) * static_cast<std::int64_t>(along.size()) != blocks) continue;
    ChunkSizes c(shape.size());
    for (std::size_t a = 0; a < shape.size(); ++a) {
      if (a < k) c[a].assign(static_cast<std::size_t>(shape[a]), 1);
      if (a > k) c[a] = {shape[a]};
    }
    c[k] = std::move(along);
    if (flat_cuts(shape, c) == cuts) return c;
  }
  return std::nullopt;
}

// Output chunks for reading `in_chunks` as `out` one block at a time, if they line up.
std::optional<ChunkSizes> aligned_chunks(const Shape& in, const ChunkSizes& in_chunks, const Shape& out) {
  ChunkSizes result(out.size());
  for (const Segment& s : segments(in, out)) {
    const auto cuts = flat_cuts(part(in, s.in_begin, s.in_end), part(in_chunks, s.in_begin, s.in_end));
    if (!cuts) return std::nullopt;
    auto c = chunks_at_cuts(part(out, s.out_begin, s.out_end), *cuts);
    if (!c) return std::nullopt;
    std::move(c->begin(), c->end(), result.begin() + static_cast<std::ptrdiff_t>(s.out_begin));
  }
  return result;
}

// The spacing of cuts a segment of `out` can take with whole trailing rows: the elements
// after its first axis longer than 1.
std::int64_t row_length(const Shape& out) {
  for (std::size_t a = 0; a < out.size(); ++a) {
    if (out[a] > 1) return product(out, a + 1, out.size());
  }
  return 1;
}

// Input chunks of a segment made of whole trailing rows after its first axis longer than
// 1, about as many elements per block as before, and a multiple of the output's row length
// where that costs at most doubling the blocks.
ChunkSizes row_chunks(const Shape& in, const ChunkSizes& chunks, const Shape& out) {
  ChunkSizes result(in.size());
  for (std::size_t a = 0; a < in.size(); ++a) result[a] = {in[a]};
  std::size_t j = 0;
  while (j < in.size() && in[j] == 1) ++j;
  if (j == in.size()) return result;
  const std::int64_t row = product(in, j + 1, in.size());
  std::int64_t block = 1;
  for (const auto& c : chunks) block *= *std::max_element(c.begin(), c.end());
  std::int64_t rows = std::max<std::int64_t>(1, block / row);
  const std::int64_t g = std::lcm(row, row_length(out)) / row;  // divides in[j]: both lengths divide the segment
  if (g <= 2 * rows) rows = std::max(g, rows / g * g);
  result[j] = regular_chunks(in[j], rows);
  return result;
}

std::vector<std::int64_t> sizes_between(const std::vector<std::int64_t>& cuts) {
  std::vector<std::int64_t> sizes;
  for (std::size_t i = 1; i < cuts.size(); ++i) sizes.push_back(cuts[i] - cuts[i - 1]);
  return sizes;
}

// `cuts` moved to the nearest multiples of `unit` (keeping at least two blocks when the
// length allows), as chunk sizes.
std::vector<std::int64_t> chunks_at_multiples(const std::vector<std::int64_t>& cuts, std::int64_t unit) {
  const std::int64_t length = cuts.back();
  std::vector<std::int64_t> moved{0};
  for (std::size_t i = 1; i + 1 < cuts.size(); ++i) {
    const std::int64_t r = (cuts[i] + unit / 2) / unit * unit;
    if (r > moved.back() && r < length) moved.push_back(r);
  }
  if (moved.size() == 1 && length / unit > 1) moved.push_back(length / unit / 2 * unit);
  moved.push_back(length);
  return sizes_between(moved);
}

// A load reading its whole box as one run of evenly spaced elements (a chunk, or a slice
// of one): its patch and the spacing. Such a run reads the same in any shape.
std::optional<std::pair<PatchRef, std::int64_t>> evenly_spaced_run(const ExprPtr& e) {
  if (e->kind != Expr::Kind::load || e->patches.size() != 1) return std::nullopt;
  const PatchRef& p = e->patches[0];
  if (p.hi != e->shape || std::any_of(p.lo.begin(), p.lo.end(), [](std::int64_t v) { return v != 0; })) {
    return std::nullopt;
  }
  const Strides contiguous = c_strides(e->shape);
  std::optional<std::int64_t> spacing;
  for (std::size_t d = e->shape.size(); d-- > 0;) {
    if (e->shape[d] == 1) continue;
    if (!spacing) spacing = p.strides[d];
    if (p.strides[d] != *spacing * contiguous[d]) return std::nullopt;
  }
  return std::make_pair(p, spacing.value_or(1));
}

/// A reshape whose blocks line up: output block b is input block input_block(b) read in
/// C order. Costs nothing when the input blocks lie evenly spaced in memory.
class ReshapeNode final : public Node {
 public:
  ReshapeNode(Array input, Shape shape, ChunkSizes chunks)
      : Node(std::move(shape), input.dtype(), std::move(chunks)),
        input_(std::move(input)),
        segments_(segments(input_.shape(), this->shape())) {}
  std::vector<const Node*> inputs() const override { return {input_.node().get()}; }
  bool transparent() const override { return true; }
  std::string label() const override { return "reshape"; }

  ExprPtr region(Lowering& lowering, const AffineMap& map, const Box& box) const override {
    return lowering.read_blocks(*this, map, box, [&](const std::vector<std::int64_t>& index, const Box& sub) {
      const ExprPtr e = lowering.block_expr(*this, block_flat(index), [&] { return read_block(lowering, index); });
      return block_part(e, map, block_box(index), sub);
    });
  }

 private:
  // Within a segment, blocks correspond in C order over the segment's block grid.
  std::vector<std::int64_t> input_block(const std::vector<std::int64_t>& index) const {
    const auto out_grid = numblocks();
    const auto in_grid = input_.numblocks();
    std::vector<std::int64_t> in_index(in_grid.size(), 0);
    for (const Segment& s : segments_) {
      std::int64_t flat = 0;
      for (std::size_t a = s.out_begin; a < s.out_end; ++a) flat = flat * out_grid[a] + index[a];
      for (std::size_t a = s.in_end; a-- > s.in_begin;) {
        in_index[a] = flat % in_grid[a];
        flat /= in_grid[a];
      }
    }
    return in_index;
  }

  ExprPtr read_block(Lowering& lowering, const std::vector<std::int64_t>& index) const {
    const Node& in = *input_.node();
    const Box in_box = in.block_box(input_block(index));
    const Shape extent = block_box(index).extent();
    const ExprPtr e = lowering.region(in, identity_map(in.ndim()), in_box);
    if (const auto run = evenly_spaced_run(e)) {
      PatchRef p = run->first;
      p.lo.assign(extent.size(), 0);
      p.hi = extent;
      p.strides = c_strides(extent);
      for (auto& s : p.strides) s *= run->second;
      return Expr::load(dtype(), extent, {std::move(p)});
    }
    return Expr::load_chunk(lowering.materialize_expr(e, "reshape"), dtype(), extent);
  }

  Array input_;
  std::vector<Segment> segments_;
};

Array aligned_reshape(const Array& x, const Shape& shape) {
  auto chunks = aligned_chunks(x.shape(), x.chunks(), shape);
  TESSERA_ASSERT(chunks.has_value(), "reshape planned with chunks that do not line up");
  return make_array<ReshapeNode>(x, shape, std::move(*chunks));
}

// `shape` with its -1 entry resolved against x's size; ValueError when it does not fit.
Shape resolve_shape(const Array& x, Shape shape) {
  const auto fail = [&] {
    throw ValueError("cannot reshape an array of size " + std::to_string(x.size()) + " (shape " +
                     shape_to_string(x.shape()) + ") into shape " + shape_to_string(shape));
  };
  std::optional<std::size_t> unknown;
  std::int64_t known = 1;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == -1) {
      if (unknown) throw ValueError("reshape: can only specify one unknown dimension (-1), got " + shape_to_string(shape));
      unknown = d;
    } else if (shape[d] < 0) {
      throw ValueError("reshape: negative dimension in shape " + shape_to_string(shape));
    } else {
      known *= shape[d];
    }
  }
  if (unknown) {
    if (known == 0 || x.size() % known != 0) fail();
    shape[*unknown] = x.size() / known;
  }
  if (shape_size(shape) != x.size()) fail();
  return shape;
}

}  // namespace
}  // namespace array_detail

Array reshape(const Array& x, Shape shape) {
  using namespace array_detail;
  shape = resolve_shape(x, std::move(shape));
  if (shape == x.shape()) return x;
  if (x.size() == 0) return full(shape, 0, {.dtype = x.dtype(), .chunks = ChunkSpec(std::int64_t{-1})});
  if (aligned_chunks(x.shape(), x.chunks(), shape)) return aligned_reshape(x, shape);

  ChunkSizes rechunked = x.chunks();
  Shape merged;
  ChunkSizes merged_chunks;
  bool direct = true;
  for (const Segment& s : segments(x.shape(), shape)) {
    const Shape in = part(x.shape(), s.in_begin, s.in_end);
    const Shape out = part(shape, s.out_begin, s.out_end);
    ChunkSizes chunks = part(x.chunks(), s.in_begin, s.in_end);
    auto cuts = flat_cuts(in, chunks);
    if (!cuts || !chunks_at_cuts(out, *cuts)) {
      chunks = row_chunks(in, chunks, out);
      std::copy(chunks.begin(), chunks.end(), rechunked.begin() + static_cast<std::ptrdiff_t>(s.in_begin));
      cuts = flat_cuts(in, chunks);
    }
    merged.push_back(shape_size(in));
    if (chunks_at_cuts(out, *cuts)) {
      merged_chunks.push_back(sizes_between(*cuts));
    } else {
      direct = false;
      merged_chunks.push_back(chunks_at_multiples(*cuts, row_length(out)));
    }
  }
  const Array rows = x.rechunk(ChunkSpec(rechunked));
  if (direct) return aligned_reshape(rows, shape);
  return aligned_reshape(aligned_reshape(rows, merged).rechunk(ChunkSpec(merged_chunks)), shape);
}

}  // namespace tessera
