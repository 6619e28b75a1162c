// The generated kernel, for a program of registers r0, r1, ... over a 2-axis chunk:
//
//   extern "C" __global__ void __launch_bounds__(256) tessera_fused_<hash>(const Arguments a) {
//     const Uniform<double> g0(GeneratorParams{...A(k)...});       // per thread, once
//     for (long long i = <grid-stride loop over the chunk's elements>) {
//       const long long c1 = i % A(2), c0 = i / A(2);               // the element's coordinates
//       const double r0 = <load: the source element its patch maps (c0, c1) to>;
//       const double r1 = Sin::apply(r0);
//       ...
//       out[i] = r7;
//     }
//   }
//
// A reduction kernel evaluates the same instructions per element, then folds the value
// with its reduction's fold_one (kernels/ops/reductions.hpp): each block takes one split
// of one state's elements, its threads fold them in strides, and a tree of merges in
// shared memory leaves the block's partial state.
//
// Every word index is a literal: a by-value argument stays in the constant bank instead
// of being copied to each thread's local memory, as taking its address would do. An
// argument too large for a kernel parameter (programs with very many leaves or patches)
// is read from device memory instead, through the read-only cache.
#include "tessera/kernels/cuda/fused_source.hpp"

#include <charconv>
#include <concepts>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

#include "tessera/core/error.hpp"
#include "tessera/core/key.hpp"
#include "tessera/kernels/ops/arithmetic.hpp"
#include "tessera/kernels/ops/catalog.hpp"
#include "tessera/kernels/ops/logic.hpp"
#include "tessera/kernels/ops/math.hpp"

namespace tessera::kernels::cuda {
namespace {

/// Text built with <<, like an ostringstream without a stream's cost (a locale looked up
/// per object and per insertion): a kernel's source is generated at every launch, and
/// with streams that took longer than the kernels of most chunks run.
class SourceText {
 public:
  SourceText& operator<<(std::string_view text) {
    text_ += text;
    return *this;
  }
  // Spelled out: a literal would otherwise convert to bool sooner than to string_view.
  SourceText& operator<<(const char* text) { return *this << std::string_view(text); }
  template <class C>
    requires std::same_as<C, char>  // a char only, not anything that converts to one
  SourceText& operator<<(C c) {
    text_ += c;
    return *this;
  }
  template <std::integral I>
    requires(!std::same_as<I, char> && !std::same_as<I, bool>)
  SourceText& operator<<(I value) {
    char digits[24];  // enough for any 64-bit integer and its sign
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    text_.append(digits, end);
    return *this;
  }
  // No spelling chosen for these (a stream writes 1 for true and rounds floats to six
  // digits): a kernel's constants travel as argument words instead.
  SourceText& operator<<(bool) = delete;
  template <std::floating_point F>
  SourceText& operator<<(F) = delete;
  const std::string& str() const noexcept { return text_; }

 private:
  std::string text_;
};

/// Where each part of the program's argument lies, in words. fused_kernel_source reads
/// it to write word indices into the kernel, fused_kernel_arguments to fill the words:
/// one layout, so the two cannot disagree.
struct ArgumentLayout {
  static constexpr std::size_t kCount = 0;  // the chunk's number of elements
  static constexpr std::size_t kShape = 1;  // ndim words
  std::size_t ndim = 0;
  std::size_t out = 0;
  /// Per load leaf, the first word of each patch: lo[ndim], hi[ndim], strides[ndim],
  /// offset, source pointer.
  std::vector<std::vector<std::size_t>> patches;
  /// Per generator: index offset, index strides[ndim], seed, a, b, c, i0, i1.
  std::vector<std::size_t> generators;
  /// Per constant: two words holding the constant's bytes.
  std::vector<std::size_t> constants;
  /// For a reduction: the number of states, of elements folded into each, of blocks
  /// sharing one state's elements (splits), the partial states' pointer, the reduction
  /// index offset and strides[ndim]. Unused (0) for an elementwise kernel.
  std::size_t reduction = 0;
  std::size_t words = 0;

  static constexpr std::size_t kStates = 0, kFolded = 1, kSplits = 2, kPartials = 3, kIndexOffset = 4,
                               kIndexStrides = 5;

  std::size_t patch_words() const { return 3 * ndim + 2; }
  std::size_t generator_words() const { return ndim + 7; }

  ArgumentLayout(const FusedProgram& program, std::size_t nd, bool reducing) : ndim(nd) {
    std::size_t next = kShape + ndim;
    out = next++;
    for (const LoadLeaf& leaf : program.loads) {
      auto& starts = patches.emplace_back();
      for (std::size_t p = 0; p < leaf.patches.size(); ++p, next += patch_words()) starts.push_back(next);
    }
    for (std::size_t g = 0; g < program.generators.size(); ++g, next += generator_words()) generators.push_back(next);
    for (std::size_t k = 0; k < program.constants.size(); ++k, next += 2) constants.push_back(next);
    if (reducing) {
      reduction = next;
      next += kIndexStrides + ndim;
    }
    words = next;
  }
};

/// The ops struct of each operation name of kernels/ops/catalog.hpp.
const std::map<std::string_view, std::string_view>& op_structs() {
  static const std::map<std::string_view, std::string_view> structs = {
#define TESSERA_OP_ENTRY(Op) {ops::Op::name, #Op},
      TESSERA_ELEMENTWISE_OPS(TESSERA_OP_ENTRY)
#undef TESSERA_OP_ENTRY
  };
  return structs;
}

/// The generator struct of each generator name of the registry.
std::string_view generator_struct(const std::string& op) {
  static const std::map<std::string_view, std::string_view> structs = {
      {"full", "Full"},       {"arange", "Arange"}, {"linspace", "Linspace"}, {"eye", "Eye"},
      {"uniform", "Uniform"}, {"normal", "Normal"}, {"integers", "Integers"},
  };
  auto it = structs.find(op);
  if (it == structs.end()) throw ValueError("fused CUDA kernel: no device code for generator '" + op + "'");
  return it->second;
}

constexpr std::string_view kPrelude = R"(// Generated by tessera (kernels/cuda/fused_source.cpp).
#include "tessera/kernels/ops/arithmetic.hpp"
#include "tessera/kernels/ops/cast.hpp"
#include "tessera/kernels/ops/generators.hpp"
#include "tessera/kernels/ops/logic.hpp"
#include "tessera/kernels/ops/math.hpp"
#include "tessera/kernels/ops/reductions.hpp"

extern "C" {
__device__ int tessera_error_code = 0;
}
using namespace tessera::kernels::ops;

namespace {
/// The value of type T whose bytes are the words w0 (and w1).
template <class T>
T from_words(long long w0, long long w1) {
  long long words[2] = {w0, w1};
  T value;
  memcpy(&value, words, sizeof(T));
  return value;
}
}  // namespace
)";

/// Writes the kernel's body; `w(k)` is the text of argument word k.
class SourceWriter {
 public:
  SourceWriter(const FusedProgram& program, const ArgumentLayout& layout) : program_(program), layout_(layout) {}

  /// An elementwise kernel's body: one element per thread, written to the output.
  std::string elementwise_body() {
    const std::size_t nd = layout_.ndim;
    for (std::size_t g = 0; g < program_.generators.size(); ++g) write_generator_state(g);
    s_ << "  const long long n = " << w(ArgumentLayout::kCount) << ";\n"
       << "  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;"
       << " i += (long long)gridDim.x * blockDim.x) {\n";
    std::vector<std::size_t> axes(nd);
    for (std::size_t d = 0; d < nd; ++d) axes[d] = d;
    write_coordinates("i", axes);
    for (const Instruction& ins : program_.code) write_instruction(ins);
    s_ << "    reinterpret_cast<" << type(program_.result) << "*>(" << w(layout_.out) << ")[i] = r" << program_.result
       << ";\n  }\n";
    return s_.str();
  }

  /// A reduction kernel's body: each block folds one split of one state's elements
  /// (thread by thread, then as a tree in shared memory) into a partial state.
  std::string reduction_body(const std::vector<bool>& reduced, std::string_view op_struct, std::string_view input,
                             std::size_t state_size) {
    const std::size_t nd = layout_.ndim;
    const std::size_t r = layout_.reduction;
    std::vector<std::size_t> kept_axes, reduced_axes;
    for (std::size_t d = 0; d < nd; ++d) (reduced[d] ? reduced_axes : kept_axes).push_back(d);
    s_ << "  using Op = reduce::" << op_struct << "<" << input << ">;\n"
       << "  using State = Op::State;\n"
       << "  static_assert(sizeof(State) == " << state_size
       << ", \"the device's state layout must be the host's (kernels/ops/reductions.hpp)\");\n"
       << "  __shared__ alignas(16) unsigned char shared_bytes[" << kFusedBlockThreads << " * sizeof(State)];\n"
       << "  State* shared = reinterpret_cast<State*>(shared_bytes);\n";
    for (std::size_t g = 0; g < program_.generators.size(); ++g) write_generator_state(g);
    s_ << "  const long long states = " << w(r + ArgumentLayout::kStates)
       << ", folded = " << w(r + ArgumentLayout::kFolded) << ", splits = " << w(r + ArgumentLayout::kSplits) << ";\n"
       << "  State* partials = reinterpret_cast<State*>(" << w(r + ArgumentLayout::kPartials) << ");\n"
       << "  const long long per_split = (folded + splits - 1) / splits;\n"
       << "  for (long long job = blockIdx.x; job < states * splits; job += gridDim.x) {\n"
       << "    const long long o = job / splits;  // the state\n"
       << "    (void)o;  // unused when every axis is reduced\n"
       << "    const long long first = (job % splits) * per_split;\n"
       << "    const long long last = first + per_split < folded ? first + per_split : folded;\n"
       << "    State s = Op::identity();\n";
    write_coordinates("o", kept_axes);
    s_ << "    for (long long f = first + threadIdx.x; f < last; f += blockDim.x) {\n";
    write_coordinates("f", reduced_axes);
    for (const Instruction& ins : program_.code) write_instruction(ins);
    s_ << "      Op::fold_one(s, r" << program_.result << ", "
       << affine(r + ArgumentLayout::kIndexOffset, r + ArgumentLayout::kIndexStrides) << ");\n"
       << "    }\n"
       << "    shared[threadIdx.x] = s;\n"
       << "    __syncthreads();\n"
       << "    for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {\n"
       << "      if (threadIdx.x < stride) Op::merge(shared[threadIdx.x], shared[threadIdx.x + stride]);\n"
       << "      __syncthreads();\n"
       << "    }\n"
       << "    if (threadIdx.x == 0) partials[job] = shared[0];\n"
       << "    __syncthreads();\n"
       << "  }\n";
    return s_.str();
  }

  /// A scan kernel's body: the program's values accumulated with `op_struct` along
  /// `axis`, in order, each line of the chunk along the axis on its own. With
  /// `block_per_line`, a block scans one line in tiles of its threads (cub::BlockScan,
  /// carrying the tiles' running total); otherwise each thread walks one line
  /// sequentially, as the CPU does, which reads memory coalesced when the axis is not
  /// the last (neighbouring threads take neighbouring lines).
  std::string scan_body(std::size_t axis, std::string_view op_struct, bool block_per_line) {
    const std::size_t nd = layout_.ndim;
    const std::string_view t = type(program_.result);
    std::vector<std::size_t> outer_axes, inner_axes;
    for (std::size_t d = 0; d < nd; ++d) {
      if (d < axis) outer_axes.push_back(d);
      if (d > axis) inner_axes.push_back(d);
    }
    s_ << "  using T = " << t << ";\n"
       << "  struct Combine {\n"
       << "    T operator()(const T& x, const T& y) const { return apply_op<" << op_struct << ">(x, y); }\n"
       << "  };\n"
       << "  T* out = reinterpret_cast<T*>(" << w(layout_.out) << ");\n"
       << "  const long long length = " << w(ArgumentLayout::kShape + axis) << ";\n"
       << "  long long inner = 1;\n";
    for (std::size_t d : inner_axes) s_ << "  inner *= " << w(ArgumentLayout::kShape + d) << ";\n";
    s_ << "  const long long lines = length > 0 ? " << w(ArgumentLayout::kCount) << " / length : 0;\n";
    for (std::size_t g = 0; g < program_.generators.size(); ++g) write_generator_state(g);
    if (!block_per_line) {
      s_ << "  for (long long line = blockIdx.x * (long long)blockDim.x + threadIdx.x; line < lines;"
         << " line += (long long)gridDim.x * blockDim.x) {\n"
         << "    const long long o = line / inner, in = line % inner;\n";
      write_coordinates("o", outer_axes);
      write_coordinates("in", inner_axes);
      s_ << "    T running = T();\n"
         << "    for (long long j = 0; j < length; ++j) {\n"
         << "    const long long c" << axis << " = j;\n";
      for (const Instruction& ins : program_.code) write_instruction(ins);
      s_ << "    running = j == 0 ? r" << program_.result << " : Combine()(running, r" << program_.result << ");\n"
         << "    out[(o * length + j) * inner + in] = running;\n"
         << "    }\n"
         << "  }\n";
      return s_.str();
    }
    // Only warp 0 calls the prefix functor (and lane 0's answer counts); each of its
    // lanes keeps the same running total, updated with the same tile totals.
    s_ << "  using BlockScan = cub::BlockScan<T, " << kFusedBlockThreads << ">;\n"
       << "  __shared__ typename BlockScan::TempStorage scan_storage;\n"
       << "  struct Prefix {\n"
       << "    T running;\n"
       << "    T operator()(const T& tile_total) {\n"
       << "      const T before = running;\n"
       << "      running = Combine()(before, tile_total);\n"
       << "      return before;\n"
       << "    }\n"
       << "  };\n"
       << "  for (long long line = blockIdx.x; line < lines; line += gridDim.x) {\n"
       << "    const long long o = line / inner;\n";
    write_coordinates("o", outer_axes);
    for (std::size_t d : inner_axes) s_ << "    const long long c" << d << " = 0;  // lines are contiguous\n";
    s_ << "    Prefix prefix{T()};\n"
       << "    for (long long tile = 0; tile < length; tile += " << kFusedBlockThreads << ") {\n"
       << "    const long long j = tile + threadIdx.x;\n"
       << "    const long long c" << axis << " = j < length ? j : length - 1;  // past the end: any element\n";
    for (const Instruction& ins : program_.code) write_instruction(ins);
    s_ << "    T value = r" << program_.result << ";\n"
       << "    if (tile == 0) {\n"
       << "      BlockScan(scan_storage).InclusiveScan(value, value, Combine(), prefix.running);\n"
       << "    } else {\n"
       << "      BlockScan(scan_storage).InclusiveScan(value, value, Combine(), prefix);\n"
       << "    }\n"
       << "    __syncthreads();  // scan_storage is reused by the next tile\n"
       << "    if (j < length) out[o * length + j] = value;\n"
       << "    }\n"
       << "  }\n";
    return s_.str();
  }

 private:
  static std::string w(std::size_t word) {
    SourceText e;
    e << "A(" << word << ")";
    return e.str();
  }
  std::string_view type(int reg) const {
    return device_type_name(program_.registers.at(static_cast<std::size_t>(reg)));
  }

  /// c<d> for each of `axes` from the flat C-order index `flat` over those axes' extents
  /// (the last axis fastest).
  void write_coordinates(std::string_view flat, const std::vector<std::size_t>& axes) {
    if (axes.empty()) return;
    s_ << "    long long rest_" << flat << " = " << flat << ";\n";
    for (std::size_t k = axes.size(); k-- > 0;) {
      const std::size_t d = axes[k];
      if (k == 0) {
        s_ << "    const long long c" << d << " = rest_" << flat << ";\n";
      } else {
        const std::string extent = w(ArgumentLayout::kShape + d);
        s_ << "    const long long c" << d << " = rest_" << flat << " % " << extent << ";\n"
           << "    rest_" << flat << " /= " << extent << ";\n";
      }
    }
  }

  void write_generator_state(std::size_t g) {
    const GenerateLeaf& leaf = program_.generators[g];
    const std::size_t p = layout_.generators[g] + 1 + layout_.ndim;  // the parameter words
    s_ << "  const " << generator_struct(leaf.op) << "<" << device_type_name(leaf.dtype) << "> g" << g
       << "(GeneratorParams{(port::uint64_t)" << w(p) << ", __longlong_as_double(" << w(p + 1)
       << "), __longlong_as_double(" << w(p + 2) << "), __longlong_as_double(" << w(p + 3) << "), " << w(p + 4) << ", "
       << w(p + 5) << "});\n";
  }

  /// `base + Σ c[d]·stride[d]` with the words from `offset_word` and `strides_word` on.
  // (Built with SourceText: GCC 12 warns falsely (-Wrestrict) on `"literal" + std::string`.)
  std::string affine(std::size_t offset_word, std::size_t strides_word) const {
    SourceText e;
    e << w(offset_word);
    for (std::size_t d = 0; d < layout_.ndim; ++d) e << " + c" << d << " * " << w(strides_word + d);
    return e.str();
  }

  /// The element of one patch: source[offset + Σ c·strides].
  std::string patch_element(std::size_t start, std::string_view t) const {
    const std::size_t nd = layout_.ndim;
    SourceText e;
    e << "reinterpret_cast<const " << t << "*>(" << w(start + 3 * nd + 1) << ")["
      << affine(start + 3 * nd, start + 2 * nd) << "]";
    return e.str();
  }

  /// Whether the element's coordinates lie in the patch's box.
  std::string inside(std::size_t start) const {
    SourceText e;
    for (std::size_t d = 0; d < layout_.ndim; ++d) {
      e << (d == 0 ? "" : " && ") << "c" << d << " >= " << w(start + d) << " && c" << d << " < "
        << w(start + layout_.ndim + d);
    }
    return layout_.ndim == 0 ? "true" : e.str();
  }

  void write_instruction(const Instruction& ins) {
    const std::string_view t = type(ins.out);
    SourceText register_name;
    register_name << "r" << ins.out;
    const std::string r = register_name.str();
    const auto leaf = static_cast<std::size_t>(ins.leaf);
    switch (ins.kind) {
      case Instruction::Kind::load: {
        // The patches tile the chunk: the last one needs no test.
        const std::vector<std::size_t>& starts = layout_.patches.at(leaf);
        if (starts.empty()) throw ValueError("fused CUDA kernel: a load without patches");
        s_ << "    " << t << " " << r << ";\n";
        for (std::size_t p = 0; p < starts.size(); ++p) {
          const bool last = p + 1 == starts.size();
          s_ << "    " << (p == 0 ? "" : "else ");
          if (!last) s_ << "if (" << inside(starts[p]) << ") ";
          s_ << r << " = " << patch_element(starts[p], t) << ";\n";
        }
        return;
      }
      case Instruction::Kind::generate: {
        const std::size_t start = layout_.generators.at(leaf);
        s_ << "    const " << t << " " << r << " = g" << leaf << "(" << affine(start, start + 1) << ");\n";
        return;
      }
      case Instruction::Kind::constant: {
        const std::size_t start = layout_.constants.at(leaf);
        s_ << "    const " << t << " " << r << " = from_words<" << t << ">(" << w(start) << ", " << w(start + 1)
           << ");\n";
        return;
      }
      case Instruction::Kind::apply:
        break;
    }
    SourceText args;
    for (int k = 0; k < ins.arity; ++k) args << (k ? ", r" : "r") << ins.args[static_cast<std::size_t>(k)];
    SourceText call;
    if (ins.op == "astype") {
      call << "convert<" << t << ">(" << args.str() << ")";
    } else if (ins.op == "where") {
      call << "where(" << args.str() << ")";
    } else {
      auto it = op_structs().find(ins.op);
      if (it == op_structs().end()) {
        throw ValueError("fused CUDA kernel: no device code for operation '" + ins.op + "'");
      }
      call << "apply_op<" << it->second << ">(" << args.str() << ")";
    }
    s_ << "    const " << t << " " << r << " = " << call.str() << ";\n";
  }

  const FusedProgram& program_;
  const ArgumentLayout& layout_;
  SourceText s_;
};

/// The kernel around a body: its name (from a hash of the body), the prelude and the
/// argument, by value or through memory.
FusedKernelSource assemble(std::string_view prefix, const ArgumentLayout& layout, const std::string& body,
                           std::string_view includes = {}) {
  SourceText signature;
  signature << prefix << " words " << layout.words << "\n" << body;
  FusedKernelSource k;
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(Key::from_name(signature.str()).id));
  k.name = std::string(prefix) + hash;
  k.argument_words = layout.words;
  k.argument_in_parameter = layout.words * sizeof(std::int64_t) <= kMaxParameterBytes;
  SourceText s;
  s << includes << kPrelude << "\n";  // library headers before the prelude's using-directive
  if (k.argument_in_parameter) {
    s << "struct Arguments {\n  long long w[" << layout.words << "];\n};\n#define A(k) a.w[k]\n\n"
      << "extern \"C\" __global__ void __launch_bounds__(" << kFusedBlockThreads << ") " << k.name
      << "(const Arguments a) {\n";
  } else {
    s << "#define A(k) __ldg(&a[k])\n\n"
      << "extern \"C\" __global__ void __launch_bounds__(" << kFusedBlockThreads << ") " << k.name
      << "(const long long* __restrict__ a) {\n";
  }
  s << body << "}\n";
  k.source = s.str();
  return k;
}

void check_program(const FusedProgram& program, int ndim) {
  if (program.code.empty()) throw ValueError("fused CUDA kernel: the program has no instructions");
  if (ndim < 0) throw ValueError("fused CUDA kernel: negative number of axes " + std::to_string(ndim));
}

/// Fills the words of the program's own part of the argument (shape, patches,
/// generators, constants); `out` may be null for a reduction.
std::vector<std::int64_t> program_words(const FusedProgram& program, std::span<const void* const> sources,
                                        std::span<const std::int64_t> shape, void* out, const ArgumentLayout& layout) {
  const std::size_t nd = shape.size();
  std::vector<std::int64_t> words(layout.words, 0);
  std::int64_t count = 1;
  for (std::size_t d = 0; d < nd; ++d) {
    if (shape[d] < 0) throw ValueError("fused CUDA kernel: negative extent " + std::to_string(shape[d]));
    words[ArgumentLayout::kShape + d] = shape[d];
    count *= shape[d];
  }
  words[ArgumentLayout::kCount] = count;
  words[layout.out] = static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(out));
  auto check_axes = [nd](std::size_t n, std::string_view what) {
    if (n != nd) {
      throw ValueError("fused CUDA kernel: " + std::string(what) + " has " + std::to_string(n) + " axes, the chunk " +
                       std::to_string(nd));
    }
  };
  for (std::size_t l = 0; l < program.loads.size(); ++l) {
    const std::vector<Patch>& patches = program.loads[l].patches;
    for (std::size_t p = 0; p < patches.size(); ++p) {
      const Patch& patch = patches[p];
      check_axes(patch.lo.size(), "a patch");
      check_axes(patch.hi.size(), "a patch");
      check_axes(patch.strides.size(), "a patch");
      if (patch.source < 0 || static_cast<std::size_t>(patch.source) >= sources.size()) {
        throw ValueError("fused CUDA kernel: a patch reads source " + std::to_string(patch.source) + " of " +
                         std::to_string(sources.size()));
      }
      std::int64_t* at = &words[layout.patches[l][p]];
      for (std::size_t d = 0; d < nd; ++d) {
        at[d] = patch.lo[d];
        at[nd + d] = patch.hi[d];
        at[2 * nd + d] = patch.strides[d];
      }
      at[3 * nd] = patch.offset;
      at[3 * nd + 1] =
          static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(sources[static_cast<std::size_t>(patch.source)]));
    }
  }
  for (std::size_t g = 0; g < program.generators.size(); ++g) {
    const GenerateLeaf& leaf = program.generators[g];
    check_axes(leaf.index_strides.size(), "a generator's index");
    std::int64_t* at = &words[layout.generators[g]];
    at[0] = leaf.index_offset;
    for (std::size_t d = 0; d < nd; ++d) at[1 + d] = leaf.index_strides[d];
    std::int64_t* p = at + 1 + nd;
    p[0] = static_cast<std::int64_t>(leaf.params.seed);
    std::memcpy(&p[1], &leaf.params.a, sizeof(double));
    std::memcpy(&p[2], &leaf.params.b, sizeof(double));
    std::memcpy(&p[3], &leaf.params.c, sizeof(double));
    p[4] = leaf.params.i0;
    p[5] = leaf.params.i1;
  }
  for (std::size_t k = 0; k < program.constants.size(); ++k) {
    std::memcpy(&words[layout.constants[k]], program.constants[k].bytes.data(), program.constants[k].bytes.size());
  }
  return words;
}

}  // namespace

std::string_view device_type_name(DType dtype) {
  switch (dtype) {
    case DType::bool_:
      return "bool";
    case DType::uint8:
      return "port::uint8_t";
    case DType::int8:
      return "port::int8_t";
    case DType::uint16:
      return "port::uint16_t";
    case DType::int16:
      return "port::int16_t";
    case DType::uint32:
      return "port::uint32_t";
    case DType::int32:
      return "port::int32_t";
    case DType::uint64:
      return "port::uint64_t";
    case DType::int64:
      return "port::int64_t";
    case DType::float16:
      return "tessera::float16";
    case DType::bfloat16:
      return "tessera::bfloat16";
    case DType::float32:
      return "float";
    case DType::float64:
      return "double";
    case DType::complex64:
      return "port::complex<float>";
    case DType::complex128:
      return "port::complex<double>";
  }
  throw ValueError("fused CUDA kernel: unknown dtype");
}

namespace {

const std::map<std::string_view, std::string_view>& reduction_structs() {
  static const std::map<std::string_view, std::string_view> structs = {
      {"sum", "Sum"}, {"prod", "Prod"}, {"min", "Min"}, {"max", "Max"},       {"any", "Any"},
      {"all", "All"}, {"mean", "Mean"}, {"var", "Var"}, {"argmin", "ArgMin"}, {"argmax", "ArgMax"},
  };
  return structs;
}

}  // namespace

std::string_view device_reduction_struct(std::string_view op) {
  auto it = reduction_structs().find(op);
  if (it == reduction_structs().end()) {
    throw ValueError("fused CUDA reduction: no device code for reduction '" + std::string(op) + "'");
  }
  return it->second;
}

bool has_device_reduction(std::string_view op, DType input) noexcept {
  // Complex states: cuda::std::complex is aligned to its size, std::complex to its
  // part's, so device states would not have the host's layout.
  return reduction_structs().contains(op) && !is_complex(input);
}

FusedKernelSource fused_kernel_source(const FusedProgram& program, int ndim) {
  check_program(program, ndim);
  const ArgumentLayout layout(program, static_cast<std::size_t>(ndim), false);
  return assemble("tessera_fused_", layout, SourceWriter(program, layout).elementwise_body());
}

std::vector<std::int64_t> fused_kernel_arguments(const FusedProgram& program, std::span<const void* const> sources,
                                                 std::span<const std::int64_t> shape, void* out) {
  const ArgumentLayout layout(program, shape.size(), false);
  return program_words(program, sources, shape, out, layout);
}

FusedKernelSource fused_reduction_source(const FusedProgram& program, const std::vector<bool>& reduced,
                                         std::string_view op, const ReductionKernel& kernel) {
  const int ndim = static_cast<int>(reduced.size());
  check_program(program, ndim);
  if (program.result_dtype() != kernel.input) {
    throw ValueError("fused CUDA reduction: the program makes " + std::string(name(program.result_dtype())) +
                     ", the reduction folds " + std::string(name(kernel.input)));
  }
  if (!has_device_reduction(op, kernel.input)) {
    (void)device_reduction_struct(op);  // names an unknown reduction
    throw ValueError("fused CUDA reduction: " + std::string(op) + " of " + std::string(name(kernel.input)) +
                     " has no device code yet (complex states)");
  }
  const ArgumentLayout layout(program, reduced.size(), true);
  return assemble(
      "tessera_reduce_", layout,
      SourceWriter(program, layout)
          .reduction_body(reduced, device_reduction_struct(op), device_type_name(kernel.input), kernel.state_size));
}

bool has_device_scan(std::string_view op, DType dtype) noexcept {
  (void)dtype;  // every dtype has both operations in kernels/ops
  return op == "add" || op == "multiply";
}

FusedKernelSource fused_scan_source(const FusedProgram& program, int ndim, int axis, std::string_view op,
                                    bool block_per_line) {
  check_program(program, ndim);
  if (axis < 0 || axis >= ndim) {
    throw ValueError("fused CUDA scan: axis " + std::to_string(axis) + " is out of range for " + std::to_string(ndim) +
                     " axes");
  }
  if (!has_device_scan(op, program.result_dtype())) {
    throw ValueError("fused CUDA scan: no device code for scan operation '" + std::string(op) + "'");
  }
  const ArgumentLayout layout(program, static_cast<std::size_t>(ndim), false);
  const std::string body =
      SourceWriter(program, layout).scan_body(static_cast<std::size_t>(axis), op_structs().at(op), block_per_line);
  return assemble(block_per_line ? "tessera_scan_blocks_" : "tessera_scan_lines_", layout, body,
                  block_per_line ? "#include <cub/block/block_scan.cuh>\n" : "");
}

std::vector<std::int64_t> fused_reduction_arguments(const FusedProgram& program, std::span<const void* const> sources,
                                                    std::span<const std::int64_t> shape, const ReductionTarget& target,
                                                    std::int64_t splits, void* partials) {
  const std::size_t nd = shape.size();
  if (target.reduced.size() != nd || target.index_strides.size() != nd) {
    throw ValueError("fused CUDA reduction: the target has " + std::to_string(target.reduced.size()) +
                     " axes, the chunk " + std::to_string(nd));
  }
  if (splits < 1) throw ValueError("fused CUDA reduction: splits must be positive, got " + std::to_string(splits));
  const ArgumentLayout layout(program, nd, true);
  std::vector<std::int64_t> words = program_words(program, sources, shape, nullptr, layout);
  std::int64_t states = 1, folded = 1;
  for (std::size_t d = 0; d < nd; ++d) (target.reduced[d] ? folded : states) *= shape[d];
  std::int64_t* r = &words[layout.reduction];
  r[ArgumentLayout::kStates] = states;
  r[ArgumentLayout::kFolded] = folded;
  r[ArgumentLayout::kSplits] = splits;
  r[ArgumentLayout::kPartials] = static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(partials));
  r[ArgumentLayout::kIndexOffset] = target.index_offset;
  for (std::size_t d = 0; d < nd; ++d) r[ArgumentLayout::kIndexStrides + d] = target.index_strides[d];
  return words;
}

}  // namespace tessera::kernels::cuda
