// The CPU evaluator of fused programs: walks the output chunk in tiles small enough for
// every register to stay in cache, runs the program's instructions over each tile (every
// register holds one tile), and stores or folds the result register. Reductions walk
// their elements in the order that reads the sources' memory contiguously.
#include <algorithm>
#include <cstring>
#include <sstream>

#include "tessera/core/error.hpp"
#include "tessera/kernels/fused.hpp"

namespace tessera::kernels {
namespace {

// Row tiles: all the registers of a program together take about kTileBytes (a quarter of
// L1), so that the chunk streaming in from memory does not evict them: with 16 KiB per
// register, `(x - 1).sum()` ran at a third of the speed of `x.sum()`, at 8 KiB in all as
// fast. At least kMinTileElements, so that each kernel call amortizes its dispatch.
constexpr std::int64_t kTileBytes = 8192;
constexpr std::int64_t kMinTileElements = 256;
constexpr std::int64_t kMaxTileElements = 2048;
// Tiles of programs that read a source down its columns (transposes): one cache line of
// the source's rows tall (8 float64), so that each line a column copy touches is used
// whole and read once, and wide, so that the other leaves read whole rows in place.
constexpr std::int64_t kTransposedTileBytesTall = 64;
constexpr std::int64_t kTransposedTileElements = 16384;
// Tiles folded down their columns (a reduction over the next-to-last axis only): the
// kernel merges each column of a tile into its state once (var: a Chan update costing
// as much as 30 elements), so these tiles are tall: up to kColumnTileCols wide (whole
// rows of narrower chunks are read in place, without a copy) and kColumnTileElements
// in all, 32 rows or more.
constexpr std::int64_t kColumnTileCols = 2048;
constexpr std::int64_t kColumnTileElements = 16384;

// Copies `n` elements of `size` bytes, `stride` elements apart in `src`, to `dst`, where
// they land `dst_stride` elements apart (1: packed; a tile's width: down a column).
void copy_strided(std::byte* dst, const std::byte* src, std::int64_t n, std::int64_t stride, std::size_t size,
                  std::int64_t dst_stride = 1) {
  if (n <= 0) return;
  if (stride == 1 && dst_stride == 1) {
    std::memcpy(dst, src, static_cast<std::size_t>(n) * size);
    return;
  }
  // Elements are copied as words through memcpy: a constant's bytes (and a caller's
  // buffer) need not be aligned for the element type, and the compiler still emits plain
  // loads and stores.
  auto typed = [&]<class Word>() {
    constexpr auto word_size = static_cast<std::ptrdiff_t>(sizeof(Word));
    Word word;
    if (stride == 0) {
      std::memcpy(&word, src, sizeof word);
      for (std::int64_t i = 0; i < n; ++i) std::memcpy(dst + i * dst_stride * word_size, &word, sizeof word);
    } else {
      for (std::int64_t i = 0; i < n; ++i) {
        std::memcpy(&word, src + i * stride * word_size, sizeof word);
        std::memcpy(dst + i * dst_stride * word_size, &word, sizeof word);
      }
    }
  };
  struct Word16 {
    std::uint64_t lo, hi;
  };
  switch (size) {
    case 1: typed.operator()<std::uint8_t>(); break;
    case 2: typed.operator()<std::uint16_t>(); break;
    case 4: typed.operator()<std::uint32_t>(); break;
    case 8: typed.operator()<std::uint64_t>(); break;
    case 16: typed.operator()<Word16>(); break;
    default: TESSERA_ASSERT(false, "unsupported element size");
  }
}

// A patch that walks its source down columns (a transpose): its rows are closer together
// in the source than its columns, so it is copied column by column, each column a short
// contiguous run of the source.
bool reads_down_columns(const Patch& p, std::size_t rows_axis, std::size_t cols_axis) {
  const std::int64_t row_step = p.strides[rows_axis];
  return row_step != 0 && std::llabs(row_step) < std::llabs(p.strides[cols_axis]);
}

// Pads every per-axis vector to at least two axes, so that tiles are always (rows, cols)
// within a loop over the leading axes.
Shape padded(std::span<const std::int64_t> v, std::size_t ndim, std::int64_t fill) {
  Shape out(ndim - v.size(), fill);
  out.insert(out.end(), v.begin(), v.end());
  return out;
}

struct Normalized {
  Shape shape;  // at least 2-d
  std::vector<LoadLeaf> loads;
  std::vector<GenerateLeaf> generators;
};

void check_patch_ranks(const FusedProgram& program, std::size_t rank) {
  for (const LoadLeaf& leaf : program.loads) {
    for (const Patch& p : leaf.patches) {
      TESSERA_ASSERT(p.lo.size() == rank && p.hi.size() == rank && p.strides.size() == rank,
                     "patch rank does not match the output chunk");
    }
  }
}

Normalized normalize(const FusedProgram& program, std::span<const std::int64_t> shape) {
  check_patch_ranks(program, shape.size());
  Normalized n;
  const std::size_t ndim = std::max<std::size_t>(shape.size(), 2);
  n.shape = padded(shape, ndim, 1);
  n.loads = program.loads;
  for (auto& leaf : n.loads) {
    for (auto& p : leaf.patches) {
      p.lo = padded(p.lo, ndim, 0);
      p.hi = padded(p.hi, ndim, 1);
      p.strides = padded(p.strides, ndim, 0);
    }
  }
  n.generators = program.generators;
  for (auto& g : n.generators) g.index_strides = padded(g.index_strides, ndim, 0);
  return n;
}

class TileRunner {
 public:
  /// `fold_columns`: the tiles are folded down their columns (see kColumnTileCols).
  TileRunner(const FusedProgram& program, std::span<const void* const> sources, std::span<const std::int64_t> shape,
             bool fold_columns = false)
      : program_(program), sources_(sources), n_(normalize(program, shape)) {
    ndim_ = n_.shape.size();
    rows_ = n_.shape[ndim_ - 2];
    cols_ = n_.shape[ndim_ - 1];
    std::int64_t transposed_itemsize = 0;
    for (const auto& leaf : n_.loads) {
      for (const auto& p : leaf.patches) {
        if (reads_down_columns(p, ndim_ - 2, ndim_ - 1)) {
          transposed_itemsize = std::max<std::int64_t>(transposed_itemsize, static_cast<std::int64_t>(itemsize(leaf.dtype)));
        }
      }
    }
    if (transposed_itemsize > 0) {
      tile_rows_ = std::min(rows_, std::max<std::int64_t>(kTransposedTileBytesTall / transposed_itemsize, 1));
      tile_cols_ = std::clamp<std::int64_t>(cols_, 1, kTransposedTileElements / tile_rows_);
    } else if (fold_columns) {
      tile_cols_ = std::clamp<std::int64_t>(cols_, 1, kColumnTileCols);
      tile_rows_ = std::min(rows_, std::max<std::int64_t>(32, kColumnTileElements / tile_cols_));
    } else {
      std::int64_t bytes_per_element = 0;
      for (const DType d : program.registers) bytes_per_element += static_cast<std::int64_t>(itemsize(d));
      const std::int64_t elements = std::clamp<std::int64_t>(kTileBytes / std::max<std::int64_t>(bytes_per_element, 1),
                                                             kMinTileElements, kMaxTileElements);
      if (cols_ >= elements) {
        tile_cols_ = elements;
        tile_rows_ = 1;
      } else {
        tile_cols_ = std::max<std::int64_t>(cols_, 1);
        tile_rows_ = std::min(rows_, std::max<std::int64_t>(1, elements / tile_cols_));
      }
    }
    tile_rows_ = std::max<std::int64_t>(tile_rows_, 1);
    const auto capacity = static_cast<std::size_t>(tile_rows_ * tile_cols_);
    storage_.resize(program.registers.size());
    pointers_.resize(program.registers.size(), nullptr);
    for (std::size_t r = 0; r < program.registers.size(); ++r) {
      storage_[r].resize(capacity * itemsize(program.registers[r]));
    }
    // Constants fill their register once for the largest tile.
    for (const auto& ins : program.code) {
      if (ins.kind != Instruction::Kind::constant) continue;
      const ConstantLeaf& c = program.constants.at(static_cast<std::size_t>(ins.leaf));
      auto& reg = storage_[static_cast<std::size_t>(ins.out)];
      copy_strided(reg.data(), c.bytes.data(), static_cast<std::int64_t>(capacity), 0, itemsize(c.dtype));
    }
  }

  // Calls `consume(lead, r0, h, c0, w, result)` for every tile, `lead` being the
  // coordinates along the leading axes and `result` the packed h×w result tile.
  template <class Consume>
  void run(Consume&& consume) {
    if (shape_size(n_.shape) == 0) return;
    Shape lead(ndim_ - 2, 0);
    while (true) {
      for (std::int64_t r0 = 0; r0 < rows_; r0 += tile_rows_) {
        const std::int64_t h = std::min(tile_rows_, rows_ - r0);
        for (std::int64_t c0 = 0; c0 < cols_; c0 += tile_cols_) {
          const std::int64_t w = std::min(tile_cols_, cols_ - c0);
          run_tile(lead, r0, h, c0, w);
          consume(std::as_const(lead), r0, h, c0, w, pointers_[static_cast<std::size_t>(program_.result)]);
        }
      }
      // Odometer over the leading axes.
      std::size_t d = lead.size();
      while (d > 0) {
        --d;
        if (++lead[d] < n_.shape[d]) break;
        lead[d] = 0;
        if (d == 0) return;
      }
      if (lead.empty()) return;
    }
  }

  std::size_t ndim() const noexcept { return ndim_; }
  const Shape& shape() const noexcept { return n_.shape; }

 private:
  void run_tile(const Shape& lead, std::int64_t r0, std::int64_t h, std::int64_t c0, std::int64_t w) {
    for (const Instruction& ins : program_.code) {
      const auto out = static_cast<std::size_t>(ins.out);
      switch (ins.kind) {
        case Instruction::Kind::load:
          pointers_[out] = load(n_.loads[static_cast<std::size_t>(ins.leaf)], storage_[out].data(), lead, r0, h, c0, w);
          break;
        case Instruction::Kind::generate:
          generate(n_.generators[static_cast<std::size_t>(ins.leaf)], storage_[out].data(), lead, r0, h, c0, w);
          pointers_[out] = storage_[out].data();
          break;
        case Instruction::Kind::constant:
          pointers_[out] = storage_[out].data();
          break;
        case Instruction::Kind::apply: {
          std::array<const void*, kMaxElementwiseArity> args{};
          for (int i = 0; i < ins.arity; ++i) args[static_cast<std::size_t>(i)] = pointers_[static_cast<std::size_t>(ins.args[static_cast<std::size_t>(i)])];
          ins.fn(args.data(), storage_[out].data(), static_cast<std::size_t>(h * w));
          pointers_[out] = storage_[out].data();
          break;
        }
      }
    }
  }

  // Fills the tile from the leaf's patches, or returns a pointer into the source itself
  // when one patch covers the tile with contiguous rows (no copy at all).
  const std::byte* load(const LoadLeaf& leaf, std::byte* reg, const Shape& lead, std::int64_t r0, std::int64_t h,
                        std::int64_t c0, std::int64_t w) const {
    const std::size_t size = itemsize(leaf.dtype);
    const std::size_t R = ndim_ - 2;
    const std::size_t C = ndim_ - 1;
    for (const Patch& p : leaf.patches) {
      bool inside = true;
      std::int64_t base = p.offset;
      for (std::size_t d = 0; d < R; ++d) {
        inside &= lead[d] >= p.lo[d] && lead[d] < p.hi[d];
        base += lead[d] * p.strides[d];
      }
      if (!inside) continue;
      const std::int64_t ra = std::max(r0, p.lo[R]), rb = std::min(r0 + h, p.hi[R]);
      const std::int64_t ca = std::max(c0, p.lo[C]), cb = std::min(c0 + w, p.hi[C]);
      if (ra >= rb || ca >= cb) continue;
      const auto* src = static_cast<const std::byte*>(sources_[static_cast<std::size_t>(p.source)]);
      const bool covers = ra == r0 && rb == r0 + h && ca == c0 && cb == c0 + w;
      if (covers && p.strides[C] == 1 && (h == 1 || p.strides[R] == w)) {
        return src + static_cast<std::size_t>(base + r0 * p.strides[R] + c0) * size;
      }
      const auto at = [&](std::int64_t r, std::int64_t c) {
        return src + static_cast<std::ptrdiff_t>(base + r * p.strides[R] + c * p.strides[C]) *
                         static_cast<std::ptrdiff_t>(size);
      };
      std::byte* const corner = reg + static_cast<std::size_t>((ra - r0) * w + (ca - c0)) * size;
      if (reads_down_columns(p, R, C)) {
        // The next tile down reads the next line of each of these source rows: the
        // prefetcher cannot see that (the rows are pages apart), so ask for it now and let
        // those misses overlap this tile's work instead of stalling the next one.
        const bool prefetch = rb < p.hi[R] && p.strides[R] == 1;
        for (std::int64_t c = ca; c < cb; ++c) {
          if (prefetch) __builtin_prefetch(at(rb, c), 0, 2);
          copy_strided(corner + static_cast<std::size_t>(c - ca) * size, at(ra, c), rb - ra, p.strides[R], size, w);
        }
      } else {
        // Strided rows (x[::2, ::2]): each tile starts a new run of the source that the
        // prefetcher has not seen, so the lines of the next tile's rows are asked for now.
        const std::int64_t span_bytes = (cb - ca - 1) * std::llabs(p.strides[C]) * static_cast<std::int64_t>(size);
        const bool prefetch = p.strides[C] > 1 && p.strides[R] != 0;
        for (std::int64_t r = ra; r < rb; ++r) {
          if (prefetch && r + h < p.hi[R]) {
            const std::byte* next = at(r + h, ca);
            for (std::int64_t b = 0; b <= span_bytes; b += 64) __builtin_prefetch(next + b, 0, 2);
          }
          copy_strided(corner + static_cast<std::size_t>((r - ra) * w) * size, at(r, ca), cb - ca, p.strides[C], size);
        }
      }
    }
    return reg;
  }

  void generate(const GenerateLeaf& g, std::byte* reg, const Shape& lead, std::int64_t r0, std::int64_t h,
                std::int64_t c0, std::int64_t w) const {
    const std::size_t R = ndim_ - 2;
    const std::size_t C = ndim_ - 1;
    std::int64_t base = g.index_offset;
    for (std::size_t d = 0; d < R; ++d) base += lead[d] * g.index_strides[d];
    const std::size_t size = itemsize(g.dtype);
    for (std::int64_t i = 0; i < h; ++i) {
      const std::int64_t first = base + (r0 + i) * g.index_strides[R] + c0 * g.index_strides[C];
      g.fn(g.params, reg + static_cast<std::size_t>(i * w) * size, static_cast<std::size_t>(w), first,
           g.index_strides[C]);
    }
  }

  const FusedProgram& program_;
  std::span<const void* const> sources_;
  Normalized n_;
  std::size_t ndim_ = 0;
  std::int64_t rows_ = 0, cols_ = 0, tile_rows_ = 1, tile_cols_ = 1;
  std::vector<std::vector<std::byte>> storage_;
  std::vector<const std::byte*> pointers_;
};

// --- walking a reduction in memory order ------------------------------------------------

template <class Vector>
Vector permuted(const Vector& v, std::span<const std::size_t> axes) {
  Vector out(axes.size());
  for (std::size_t i = 0; i < axes.size(); ++i) out[i] = v[axes[i]];
  return out;
}

// Elements a patch reads from its source (its box, counting broadcast axes once).
std::int64_t elements_read(const Patch& p) {
  std::int64_t n = 1;
  for (std::size_t d = 0; d < p.strides.size(); ++d) {
    if (p.strides[d] != 0) n *= p.hi[d] - p.lo[d];
  }
  return n;
}

// The order in which to walk the axes of a reduction so that its loads read memory
// contiguously: of the orders that sort some patch's axes by falling stride (NumPy's
// nditer picks its order the same way), the one under which the most elements are read
// with unit stride along the innermost axis. The axes kept in the result stay in their
// relative order, so the states keep their C-order layout; reduced axes move freely.
// `(x.T - m).sum()` is read row by row of x rather than down its columns.
std::vector<std::size_t> memory_order(const FusedProgram& program, const std::vector<bool>& reduced) {
  const std::size_t ndim = reduced.size();
  std::vector<std::size_t> identity(ndim);
  for (std::size_t d = 0; d < ndim; ++d) identity[d] = d;
  if (ndim < 2) return identity;
  const auto unit_elements = [&](std::span<const std::size_t> axes) {
    std::int64_t n = 0;
    for (const LoadLeaf& leaf : program.loads) {
      for (const Patch& p : leaf.patches) {
        if (std::llabs(p.strides[axes.back()]) == 1) n += elements_read(p);
      }
    }
    return n;
  };
  const auto keeps_result_order = [&](std::span<const std::size_t> axes) {
    std::size_t last = 0;
    bool seen = false;
    for (const std::size_t d : axes) {
      if (reduced[d]) continue;
      if (seen && d < last) return false;
      last = d;
      seen = true;
    }
    return true;
  };
  std::vector<std::size_t> best = identity;
  std::int64_t best_score = unit_elements(identity);
  for (const LoadLeaf& leaf : program.loads) {
    for (const Patch& p : leaf.patches) {
      std::vector<std::size_t> axes = identity;
      std::stable_sort(axes.begin(), axes.end(), [&](std::size_t a, std::size_t b) {
        return std::llabs(p.strides[a]) > std::llabs(p.strides[b]);
      });
      if (!keeps_result_order(axes)) continue;
      const std::int64_t score = unit_elements(axes);
      if (score > best_score) {
        best = std::move(axes);
        best_score = score;
      }
    }
  }
  return best;
}

void reduce_in_order(const FusedProgram& program, std::span<const void* const> sources,
                     std::span<const std::int64_t> shape, const ReductionTarget& target) {
  // The two innermost axes of the evaluated shape (padded to 2-d): rows down columns?
  const std::size_t rank = target.reduced.size();
  const bool fold_columns = rank >= 2 ? target.reduced[rank - 2] && !target.reduced[rank - 1] : false;
  TileRunner runner(program, sources, shape, fold_columns);
  const Shape& full = runner.shape();
  const std::size_t nd = runner.ndim();
  const std::size_t pad = nd - shape.size();
  std::vector<bool> reduced(pad, false);
  reduced.insert(reduced.end(), target.reduced.begin(), target.reduced.end());
  const Strides index_strides = padded(target.index_strides, nd, 0);
  Shape state_shape = full;
  for (std::size_t d = 0; d < nd; ++d) {
    if (reduced[d]) state_shape[d] = 1;
  }
  const Strides state_strides = c_strides(state_shape);
  const ReductionKernel& k = *target.kernel;
  auto* states = static_cast<std::byte*>(target.states);
  const std::size_t R = nd - 2, C = nd - 1;
  runner.run([&](const Shape& lead, std::int64_t r0, std::int64_t h, std::int64_t c0, std::int64_t w,
                 const std::byte* tile) {
    std::int64_t state = 0;
    std::int64_t index = target.index_offset;
    for (std::size_t d = 0; d < R; ++d) {
      if (!reduced[d]) state += lead[d] * state_strides[d];
      index += lead[d] * index_strides[d];
    }
    const std::size_t size = itemsize(k.input);
    if (reduced[C] && reduced[R] && (h == 1 || index_strides[R] == w * index_strides[C])) {
      // The whole tile folds into one state in index order: one call.
      k.fold_run(states + static_cast<std::size_t>(state) * k.state_size, tile, static_cast<std::size_t>(h * w),
                 index + r0 * index_strides[R] + c0 * index_strides[C], index_strides[C]);
      return;
    }
    if (reduced[R] && !reduced[C]) {
      // Down the columns: every row of the tile folds into the same w states.
      k.fold_rows(states + static_cast<std::size_t>(state + c0) * k.state_size, tile, static_cast<std::size_t>(h),
                  static_cast<std::size_t>(w), index + r0 * index_strides[R], index_strides[R]);
      return;
    }
    for (std::int64_t i = 0; i < h; ++i) {
      const std::int64_t r = r0 + i;
      const std::int64_t row_state = state + (reduced[R] ? 0 : r * state_strides[R]);
      const std::int64_t row_index = index + r * index_strides[R];
      const std::byte* row = tile + static_cast<std::size_t>(i * w) * size;
      if (reduced[C]) {
        k.fold_run(states + static_cast<std::size_t>(row_state) * k.state_size, row, static_cast<std::size_t>(w),
                   row_index + c0 * index_strides[C], index_strides[C]);
      } else {
        k.fold_each(states + static_cast<std::size_t>(row_state + c0) * k.state_size, row,
                    static_cast<std::size_t>(w), row_index);
      }
    }
  });
}

}  // namespace

std::string FusedProgram::describe() const {
  std::ostringstream s;
  for (const Instruction& ins : code) {
    s << "r" << ins.out << ":" << name(registers.at(static_cast<std::size_t>(ins.out))) << " = ";
    switch (ins.kind) {
      case Instruction::Kind::load: s << "load " << loads.at(static_cast<std::size_t>(ins.leaf)).patches.size() << " patch(es)"; break;
      case Instruction::Kind::generate: s << "generate " << generators.at(static_cast<std::size_t>(ins.leaf)).op; break;
      case Instruction::Kind::constant: s << "constant"; break;
      case Instruction::Kind::apply:
        s << ins.op << "(";
        for (int i = 0; i < ins.arity; ++i) s << (i ? ", r" : "r") << ins.args[static_cast<std::size_t>(i)];
        s << ")";
        break;
    }
    s << "\n";
  }
  s << "result r" << result;
  return s.str();
}

void evaluate_fused(const FusedProgram& program, std::span<const void* const> sources, std::span<const std::int64_t> shape,
                    void* out) {
  TileRunner runner(program, sources, shape);
  const std::size_t size = itemsize(program.result_dtype());
  const Shape& full = runner.shape();
  const std::size_t nd = runner.ndim();
  const Strides strides = c_strides(full);
  auto* dst = static_cast<std::byte*>(out);
  runner.run([&](const Shape& lead, std::int64_t r0, std::int64_t h, std::int64_t c0, std::int64_t w,
                 const std::byte* tile) {
    std::int64_t base = 0;
    for (std::size_t d = 0; d + 2 < nd; ++d) base += lead[d] * strides[d];
    const std::int64_t cols = full[nd - 1];
    if (w == cols) {
      std::memcpy(dst + static_cast<std::size_t>(base + r0 * cols) * size, tile, static_cast<std::size_t>(h * w) * size);
      return;
    }
    for (std::int64_t i = 0; i < h; ++i) {
      std::memcpy(dst + static_cast<std::size_t>(base + (r0 + i) * cols + c0) * size,
                  tile + static_cast<std::size_t>(i * w) * size, static_cast<std::size_t>(w) * size);
    }
  });
}

void reduce_fused(const FusedProgram& program, std::span<const void* const> sources, std::span<const std::int64_t> shape,
                  const ReductionTarget& target) {
  TESSERA_ASSERT(target.kernel != nullptr && target.reduced.size() == shape.size() &&
                     target.index_strides.size() == shape.size(),
                 "malformed reduction target");
  TESSERA_ASSERT(target.kernel->input == program.result_dtype(), "reduction kernel does not match the program");
  check_patch_ranks(program, shape.size());
  const std::vector<std::size_t> axes = memory_order(program, target.reduced);
  if (std::is_sorted(axes.begin(), axes.end())) return reduce_in_order(program, sources, shape, target);
  // The same elements, states and indices, with the axes renamed.
  FusedProgram walked = program;
  for (LoadLeaf& leaf : walked.loads) {
    for (Patch& p : leaf.patches) {
      p.lo = permuted(p.lo, axes);
      p.hi = permuted(p.hi, axes);
      p.strides = permuted(p.strides, axes);
    }
  }
  for (GenerateLeaf& g : walked.generators) g.index_strides = permuted(g.index_strides, axes);
  ReductionTarget in_order = target;
  in_order.reduced = permuted(target.reduced, axes);
  in_order.index_strides = permuted(target.index_strides, axes);
  reduce_in_order(walked, sources, permuted(Shape(shape.begin(), shape.end()), axes), in_order);
}


}  // namespace tessera::kernels
