// CPU reductions: sum, prod, min, max, any, all, mean, var, argmin and argmax for every
// dtype, as the three-stage ReductionKernels of registry.hpp (fold, merge, finalize).
//
// Each operation is one class template over the input's C++ type T that defines its State
// and its Out type and five static functions (identity, fold_run, fold_one, merge,
// finalize), and optionally fold_columns (a block folded down its columns, else one
// fold_one per element); `Adapter` turns it into the registry's untyped function pointers and
// `register_op` registers it for every dtype through type_dispatch. Every operation
// accepts every dtype, as NumPy does (complex min/max/argmin/argmax order
// lexicographically, as NumPy does).
//
// The states, identities, per-element folds and merges are the portable ones of
// kernels/ops/reductions.hpp (shared with the CUDA backend, so states from either device
// merge); this file adds the loops that make the CPU fast (pairwise runs, column blocks)
// and finalize.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "tessera/core/error.hpp"
#include "tessera/kernels/ops/reductions.hpp"
#include "tessera/kernels/registry.hpp"

namespace tessera::kernels {
namespace {

using ops::reduce::additive_identity;
using ops::reduce::Deviations;
using ops::reduce::norm2;
using ops::reduce::to_sum_acc;
using ops::reduce::widen;

template <class S>
S load(const void* base, std::size_t i) {
  S s;
  std::memcpy(static_cast<void*>(&s), static_cast<const std::byte*>(base) + i * sizeof(S), sizeof(S));
  return s;
}

template <class S>
void store(void* base, std::size_t i, const S& s) {
  std::memcpy(static_cast<std::byte*>(base) + i * sizeof(S), static_cast<const void*>(&s), sizeof(S));
}

// Pairwise summation as NumPy does it: runs of up to kPairwiseBlock elements are summed in
// kLanes independent accumulators (which also lets the compiler vectorize), longer runs are
// split in halves. The rounding error grows with log2(n / kPairwiseBlock), not with n.
inline constexpr std::size_t kPairwiseBlock = 128;
inline constexpr std::size_t kLanes = 8;

/// The sum of f(x[i]) for i < n, starting from `zero` (the additive identity of Acc).
template <class Acc, class T, class F>
Acc pairwise_sum(const T* x, std::size_t n, Acc zero, const F& f) {
  if (n < kLanes) {
    Acc s = zero;
    for (std::size_t i = 0; i < n; ++i) s = s + f(x[i]);
    return s;
  }
  if (n <= kPairwiseBlock) {
    Acc r[kLanes];
    for (std::size_t j = 0; j < kLanes; ++j) r[j] = f(x[j]);
    std::size_t i = kLanes;
    for (; i + kLanes <= n; i += kLanes) {
      for (std::size_t j = 0; j < kLanes; ++j) r[j] = r[j] + f(x[i + j]);
    }
    Acc s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s = s + f(x[i]);
    return s;
  }
  std::size_t half = n / 2;
  half -= half % kLanes;
  return pairwise_sum(x, half, zero, f) + pairwise_sum(x + half, n - half, zero, f);
}

// Folding a rows × cols block down its columns: each pass runs along the rows
// (contiguous elements, so it vectorizes), with one accumulator per column; an operation
// then updates each column's state once. Blocks wider than kColumnGroup go in groups of
// columns, whose accumulators stay in L1 (2048 doubles: 16 KiB). The fused evaluator's
// column tiles are at most as wide (fused_eval.cpp), so a tile's rows are read whole, in
// memory order: narrower groups would read a chunk in strips of short runs, which the
// hardware prefetchers follow badly.
inline constexpr std::size_t kColumnGroup = 2048;

/// Calls `group(first column, width)` for each group of columns of a block `cols` wide.
template <class F>
void for_column_groups(std::size_t cols, const F& group) {
  for (std::size_t c0 = 0; c0 < cols; c0 += kColumnGroup) group(c0, std::min(kColumnGroup, cols - c0));
}

/// acc[c] += f(row[c], c) for c < width. Not inlined into sum_columns, whose row loop
/// g++ -O3 would otherwise unroll and jam (two rows per pass over acc): that read the
/// chunk a third slower from memory, with both cores busy, than one row after another.
template <class Acc, class T, class F>
[[gnu::noinline]] void add_row(Acc* __restrict acc, const T* __restrict row, std::size_t width, const F& f) {
  for (std::size_t c = 0; c < width; ++c) acc[c] = acc[c] + f(row[c], c);
}

/// acc[c] = the sum over rows r of f(x[r * cols + c], c), for c < width (rows >= 1).
template <class Acc, class T, class F>
void sum_columns(Acc* acc, const T* x, std::size_t rows, std::size_t cols, std::size_t width, const F& f) {
  for (std::size_t c = 0; c < width; ++c) acc[c] = f(x[c], c);
  for (std::size_t r = 1; r < rows; ++r) add_row(acc, x + r * cols, width, f);
}

// --- sum and prod ---------------------------------------------------------------------

template <class T>
struct Sum : ops::reduce::Sum<T> {
  using Base = ops::reduce::Sum<T>;
  using typename Base::Out;
  using typename Base::State;
  static void fold_run(State& s, const T* x, std::size_t n, std::int64_t, std::int64_t) {
    s = s + pairwise_sum(x, n, Base::identity(), [](const T& v) { return to_sum_acc(v); });
  }
  static void fold_columns(void* states, const T* x, std::size_t rows, std::size_t cols) {
    if (rows == 0) return;
    State sum[kColumnGroup];
    for_column_groups(cols, [&](std::size_t c0, std::size_t width) {
      sum_columns(sum, x + c0, rows, cols, width, [](const T& v, std::size_t) { return to_sum_acc(v); });
      for (std::size_t c = 0; c < width; ++c) store(states, c0 + c, load<State>(states, c0 + c) + sum[c]);
    });
  }
  static Out finalize(const State& s, double) { return static_cast<Out>(s); }
};

template <class T>
struct Prod : ops::reduce::Prod<T> {
  using Base = ops::reduce::Prod<T>;
  using typename Base::Out;
  using typename Base::State;
  static void fold_run(State& s, const T* x, std::size_t n, std::int64_t, std::int64_t) {
    State p = s;
    for (std::size_t i = 0; i < n; ++i) p = Base::mul(p, to_sum_acc(x[i]));
    s = p;
  }
  static Out finalize(const State& s, double) { return static_cast<Out>(s); }
};

// --- min and max ----------------------------------------------------------------------

template <class T, bool kMax>
struct Extremum : ops::reduce::Extremum<T, kMax> {
  using Base = ops::reduce::Extremum<T, kMax>;
  using typename Base::Out;
  using typename Base::State;
  static void fold_run(State& s, const T* x, std::size_t n, std::int64_t, std::int64_t) {
    if (n == 0) return;
    T best = s.has_value ? s.value : x[0];
    for (std::size_t i = 0; i < n; ++i) {
      if (Base::replaces(best, x[i])) best = x[i];
    }
    s = State{best, 1};
  }
  static Out finalize(const State& s, double) {
    if (!s.has_value) {
      throw ValueError(std::string("zero-size array to reduction operation ") + (kMax ? "maximum" : "minimum") +
                       " which has no identity");
    }
    return s.value;
  }
};

template <class T> using Min = Extremum<T, false>;
template <class T> using Max = Extremum<T, true>;

// --- any and all ----------------------------------------------------------------------

template <class T, bool kAll>
struct Logical : ops::reduce::Logical<T, kAll> {
  using Base = ops::reduce::Logical<T, kAll>;
  using typename Base::Out;
  using typename Base::State;
  static void fold_run(State& s, const T* x, std::size_t n, std::int64_t, std::int64_t) {
    // The answer is settled by the first element that differs from the identity.
    if (static_cast<bool>(s) != kAll) return;
    for (std::size_t i = 0; i < n; ++i) {
      if (Base::truthy(x[i]) != kAll) {
        s = kAll ? 0 : 1;
        return;
      }
    }
  }
  static Out finalize(const State& s, double) { return s != 0; }
};

template <class T> using Any = Logical<T, false>;
template <class T> using All = Logical<T, true>;

// --- mean and var ---------------------------------------------------------------------

template <class T>
struct Mean : ops::reduce::Mean<T> {
  using Base = ops::reduce::Mean<T>;
  using typename Base::Out;
  using typename Base::State;
  using Wide = ops::reduce::Wide<T>;
  static void fold_run(State& s, const T* x, std::size_t n, std::int64_t, std::int64_t) {
    s.sum = s.sum + pairwise_sum(x, n, additive_identity<Wide>(), [](const T& v) { return widen(v); });
    s.count += n;
  }
  static void fold_columns(void* states, const T* x, std::size_t rows, std::size_t cols) {
    if (rows == 0) return;
    Wide sum[kColumnGroup];
    for_column_groups(cols, [&](std::size_t c0, std::size_t width) {
      sum_columns(sum, x + c0, rows, cols, width, [](const T& v, std::size_t) { return widen(v); });
      for (std::size_t c = 0; c < width; ++c) {
        State state = load<State>(states, c0 + c);
        Base::merge(state, State{sum[c], rows});
        store(states, c0 + c, state);
      }
    });
  }
  static Out finalize(const State& s, double) {
    const Wide mean = s.sum / static_cast<double>(s.count);  // 0/0: NaN for an empty mean
    return static_cast<Out>(mean);
  }
};

template <class T>
struct Var : ops::reduce::Var<T> {
  using Base = ops::reduce::Var<T>;
  using typename Base::M;
  using typename Base::Out;
  using typename Base::State;
  /// The run is in cache, so two passes cost little: its mean, then the corrected
  /// two-pass sums of deviations (the sum of deviations, zero in exact arithmetic, is the
  /// rounding error of the mean and removes the first-order error of m2).
  static void fold_run(State& s, const T* x, std::size_t n, std::int64_t, std::int64_t) {
    if (n == 0) return;
    const double count = static_cast<double>(n);
    const M mean = pairwise_sum(x, n, M{}, [](const T& v) { return widen(v); }) / count;
    const Deviations<M> dev = pairwise_sum(x, n, Deviations<M>{M{}, 0.0}, [&mean](const T& v) {
      const M d = widen(v) - mean;
      return Deviations<M>{d, norm2(d)};
    });
    Base::combine_two_pass(s, n, 1.0 / count, mean, dev);
  }
  /// fold_run down each column of a block: the column means, then the sums of
  /// deviations from them, then one combine per column.
  static void fold_columns(void* states, const T* x, std::size_t rows, std::size_t cols) {
    if (rows == 0) return;
    const double inverse = 1.0 / static_cast<double>(rows);
    M mean[kColumnGroup];
    Deviations<M> dev[kColumnGroup];
    for_column_groups(cols, [&](std::size_t c0, std::size_t width) {
      sum_columns(mean, x + c0, rows, cols, width, [](const T& v, std::size_t) { return widen(v); });
      for (std::size_t c = 0; c < width; ++c) mean[c] *= inverse;  // its rounding is corrected through dev
      sum_columns(dev, x + c0, rows, cols, width, [&mean](const T& v, std::size_t c) {
        const M d = widen(v) - mean[c];
        return Deviations<M>{d, norm2(d)};
      });
      for (std::size_t c = 0; c < width; ++c) {
        State st = load<State>(states, c0 + c);
        Base::combine_two_pass(st, rows, inverse, mean[c], dev[c]);
        store(states, c0 + c, st);
      }
    });
  }
  /// As the array API standard says, N - correction <= 0 gives NaN.
  static Out finalize(const State& s, double correction) {
    const double dof = static_cast<double>(s.count) - correction;
    if (!(dof > 0)) return std::numeric_limits<Out>::quiet_NaN();
    return static_cast<Out>(s.m2 / dof);
  }
};

// --- argmin and argmax ----------------------------------------------------------------

template <class T, bool kMax>
struct ArgExtremum : ops::reduce::ArgExtremum<T, kMax> {
  using Base = ops::reduce::ArgExtremum<T, kMax>;
  using typename Base::Out;
  using typename Base::State;
  static void fold_run(State& s, const T* x, std::size_t n, std::int64_t first, std::int64_t step) {
    if (n == 0) return;
    State best = s;
    std::size_t i = 0;
    if (!best.has_value) {
      best = State{x[0], first, 1};
      i = 1;
    }
    for (; i < n; ++i) {
      const std::int64_t index = first + static_cast<std::int64_t>(i) * step;
      if (Base::better(x[i], index, best.value, best.index)) {
        best.value = x[i];
        best.index = index;
      }
    }
    s = best;
  }
  static Out finalize(const State& s, double) {
    if (!s.has_value) {
      throw ValueError(std::string("attempt to get ") + (kMax ? "argmax" : "argmin") + " of an empty sequence");
    }
    return s.index;
  }
};

template <class T> using ArgMin = ArgExtremum<T, false>;
template <class T> using ArgMax = ArgExtremum<T, true>;

// --- registration ---------------------------------------------------------------------

/// The registry's untyped entry points of operation Op over input type T.
template <class Op, class T>
struct Adapter {
  using State = typename Op::State;
  static_assert(std::is_trivially_copyable_v<State>, "states are copied as bytes");

  static void init(void* states, std::size_t n) {
    const State id = Op::identity();
    for (std::size_t i = 0; i < n; ++i) store(states, i, id);
  }
  static void fold_run(void* state, const void* run, std::size_t n, std::int64_t first_index,
                       std::int64_t index_step) {
    State s = load<State>(state, 0);
    Op::fold_run(s, static_cast<const T*>(run), n, first_index, index_step);
    store(state, 0, s);
  }
  static void fold_each(void* states, const void* run, std::size_t n, std::int64_t index) {
    const T* x = static_cast<const T*>(run);
    for (std::size_t i = 0; i < n; ++i) {
      State s = load<State>(states, i);
      Op::fold_one(s, x[i], index);
      store(states, i, s);
    }
  }
  static void fold_rows(void* states, const void* block, std::size_t rows, std::size_t cols, std::int64_t first_index,
                        std::int64_t index_step) {
    const T* x = static_cast<const T*>(block);
    if constexpr (requires { Op::fold_columns(states, x, rows, cols); }) {
      Op::fold_columns(states, x, rows, cols);
    } else {
      for (std::size_t r = 0; r < rows; ++r) {
        fold_each(states, x + r * cols, cols, first_index + static_cast<std::int64_t>(r) * index_step);
      }
    }
  }
  static void merge(void* states, const void* other, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      State s = load<State>(states, i);
      Op::merge(s, load<State>(other, i));
      store(states, i, s);
    }
  }
  static void finalize(const void* states, void* out, std::size_t n, double correction) {
    auto* o = static_cast<typename Op::Out*>(out);
    for (std::size_t i = 0; i < n; ++i) o[i] = Op::finalize(load<State>(states, i), correction);
  }
};

/// Registers Op<T> under `name` for every dtype.
template <template <class> class Op>
void register_op(KernelRegistry& registry, std::string_view name) {
  for (std::size_t d = 0; d < kDTypeCount; ++d) {
    const auto dtype = static_cast<DType>(d);
    type_dispatch(dtype, [&]<class T>() {
      using A = Adapter<Op<T>, T>;
      ReductionKernel k;
      k.input = dtype;
      k.output = dtype_of<typename Op<T>::Out>;
      k.state_size = sizeof(typename Op<T>::State);
      k.init = &A::init;
      k.fold_run = &A::fold_run;
      k.fold_each = &A::fold_each;
      k.fold_rows = &A::fold_rows;
      k.merge = &A::merge;
      k.finalize = &A::finalize;
      registry.add_reduction(name, DeviceKind::cpu, k);
    });
  }
}

}  // namespace

void register_cpu_reductions(KernelRegistry& registry) {
  register_op<Sum>(registry, "sum");
  register_op<Prod>(registry, "prod");
  register_op<Min>(registry, "min");
  register_op<Max>(registry, "max");
  register_op<Any>(registry, "any");
  register_op<All>(registry, "all");
  register_op<Mean>(registry, "mean");
  register_op<Var>(registry, "var");
  register_op<ArgMin>(registry, "argmin");
  register_op<ArgMax>(registry, "argmax");
}

}  // namespace tessera::kernels
