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
// State layouts (the caller allocates them with no alignment promise, hence memcpy):
//   sum, prod   the accumulator: uint64 for bool and integers (wrapping, no UB), double
//               for real floats, complex<double> for complex
//   min, max    {T value; uint8 has_value}
//   any, all    uint8 flag
//   mean        {double or complex<double> sum; uint64 count}
//   var         {uint64 count; M mean; M mean_lo; double m2}, M double or complex<double>,
//               the mean being the unevaluated sum mean + mean_lo
//   argmin/max  {T value; int64 index; uint8 has_value}
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
#include "tessera/kernels/registry.hpp"

namespace tessera::kernels {
namespace {

template <class T> inline constexpr bool kIsComplex = false;
template <class U> inline constexpr bool kIsComplex<std::complex<U>> = true;

/// Integers and bool: their sums and products wrap in uint64.
template <class T> inline constexpr bool kIsIntegral = std::is_integral_v<T>;

/// What floating inputs accumulate in: double, or complex<double> for complex inputs.
template <class T> using Wide = std::conditional_t<kIsComplex<T>, std::complex<double>, double>;

template <class T>
Wide<T> widen(const T& x) {
  if constexpr (kIsComplex<T>) {
    return {static_cast<double>(x.real()), static_cast<double>(x.imag())};
  } else {
    return static_cast<double>(x);
  }
}

template <class T>
bool is_nan(const T& x) {
  if constexpr (kIsComplex<T>) {
    return std::isnan(x.real()) || std::isnan(x.imag());
  } else if constexpr (std::is_floating_point_v<T>) {
    return std::isnan(x);
  } else {
    return false;
  }
}

/// NumPy's order: the usual one for reals, lexicographic (real part first) for complex.
template <class T>
bool less(const T& a, const T& b) {
  if constexpr (kIsComplex<T>) {
    return a.real() < b.real() || (a.real() == b.real() && a.imag() < b.imag());
  } else {
    return a < b;
  }
}

/// |d|^2.
inline double norm2(double d) { return d * d; }
inline double norm2(const std::complex<double>& d) { return d.real() * d.real() + d.imag() * d.imag(); }

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

/// -0.0 rather than 0.0 is the exact additive identity of IEEE floats (-0.0 + x == x for
/// every x, +0.0 + -0.0 is +0.0), so a sum of negative zeros stays -0.0 as in NumPy.
template <class A>
A additive_identity() {
  if constexpr (std::is_same_v<A, std::complex<double>>) {
    return {-0.0, -0.0};
  } else if constexpr (std::is_floating_point_v<A>) {
    return -0.0;
  } else {
    return A{0};
  }
}

// --- sum and prod ---------------------------------------------------------------------

/// NumPy's result dtype of add.reduce and multiply.reduce: bool and signed integers give
/// int64, unsigned integers uint64, floating types keep theirs.
template <class T>
using SumOut = std::conditional_t<
    std::is_same_v<T, bool> || (kIsIntegral<T> && std::is_signed_v<T>), std::int64_t,
    std::conditional_t<kIsIntegral<T>, std::uint64_t, T>>;

/// Integers accumulate in uint64 (the conversion of a negative value is its two's
/// complement, so wrapping sums and products come out right for signed types too).
template <class T>
using SumAcc = std::conditional_t<kIsIntegral<T>, std::uint64_t, Wide<T>>;

template <class T>
SumAcc<T> to_sum_acc(const T& x) {
  if constexpr (kIsIntegral<T>) {
    return static_cast<std::uint64_t>(x);
  } else {
    return widen(x);
  }
}

template <class T>
struct Sum {
  using State = SumAcc<T>;
  using Out = SumOut<T>;
  static State identity() { return additive_identity<State>(); }
  static void fold_run(State& s, const T* x, std::size_t n, std::int64_t, std::int64_t) {
    s = s + pairwise_sum(x, n, identity(), [](const T& v) { return to_sum_acc(v); });
  }
  static void fold_one(State& s, const T& x, std::int64_t) { s = s + to_sum_acc(x); }
  static void fold_columns(void* states, const T* x, std::size_t rows, std::size_t cols) {
    if (rows == 0) return;
    State sum[kColumnGroup];
    for_column_groups(cols, [&](std::size_t c0, std::size_t width) {
      sum_columns(sum, x + c0, rows, cols, width, [](const T& v, std::size_t) { return to_sum_acc(v); });
      for (std::size_t c = 0; c < width; ++c) store(states, c0 + c, load<State>(states, c0 + c) + sum[c]);
    });
  }
  static void merge(State& s, const State& o) { s = s + o; }
  static Out finalize(const State& s, double) { return static_cast<Out>(s); }
};

template <class T>
struct Prod {
  using State = SumAcc<T>;
  using Out = SumOut<T>;
  static State identity() { return State{1}; }
  /// The textbook complex product, as NumPy computes it (std::complex's operator* adds
  /// C99 Annex G infinity recovery through a library call).
  static State mul(const State& a, const State& b) {
    if constexpr (kIsComplex<State>) {
      return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
    } else {
      return a * b;
    }
  }
  static void fold_run(State& s, const T* x, std::size_t n, std::int64_t, std::int64_t) {
    State p = s;
    for (std::size_t i = 0; i < n; ++i) p = mul(p, to_sum_acc(x[i]));
    s = p;
  }
  static void fold_one(State& s, const T& x, std::int64_t) { s = mul(s, to_sum_acc(x)); }
  static void merge(State& s, const State& o) { s = mul(s, o); }
  static Out finalize(const State& s, double) { return static_cast<Out>(s); }
};

// --- min and max ----------------------------------------------------------------------

template <class T, bool kMax>
struct Extremum {
  struct State {
    T value;
    std::uint8_t has_value;
  };
  using Out = T;
  static State identity() { return State{T{}, 0}; }
  /// Whether `x` replaces the current extremum `cur`: a NaN wins and then stays.
  static bool replaces(const T& cur, const T& x) {
    if (is_nan(cur)) return false;
    if (is_nan(x)) return true;
    return kMax ? less(cur, x) : less(x, cur);
  }
  static void fold_run(State& s, const T* x, std::size_t n, std::int64_t, std::int64_t) {
    if (n == 0) return;
    T best = s.has_value ? s.value : x[0];
    for (std::size_t i = 0; i < n; ++i) {
      if (replaces(best, x[i])) best = x[i];
    }
    s = State{best, 1};
  }
  static void fold_one(State& s, const T& x, std::int64_t) {
    if (!s.has_value || replaces(s.value, x)) s = State{x, 1};
  }
  static void merge(State& s, const State& o) {
    if (o.has_value) fold_one(s, o.value, 0);
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
struct Logical {
  using State = std::uint8_t;
  using Out = bool;
  /// Truthiness as in NumPy: nonzero, NaN included; a complex is true if either part is.
  static bool truthy(const T& x) { return x != T{}; }
  static State identity() { return kAll ? 1 : 0; }
  static void fold_run(State& s, const T* x, std::size_t n, std::int64_t, std::int64_t) {
    // The answer is settled by the first element that differs from the identity.
    if (static_cast<bool>(s) != kAll) return;
    for (std::size_t i = 0; i < n; ++i) {
      if (truthy(x[i]) != kAll) {
        s = kAll ? 0 : 1;
        return;
      }
    }
  }
  static void fold_one(State& s, const T& x, std::int64_t) {
    if (truthy(x) != kAll) s = kAll ? 0 : 1;
  }
  static void merge(State& s, const State& o) { s = kAll ? (s & o) : (s | o); }
  static Out finalize(const State& s, double) { return s != 0; }
};

template <class T> using Any = Logical<T, false>;
template <class T> using All = Logical<T, true>;

// --- mean and var ---------------------------------------------------------------------

/// NumPy's result dtype of mean: float64 for bool and integers, floating types keep theirs.
template <class T> using MeanOut = std::conditional_t<kIsIntegral<T>, double, T>;
template <class T> struct RealOf { using type = T; };
template <class U> struct RealOf<std::complex<U>> { using type = U; };
/// The result dtype of var: the real dtype of MeanOut (complex64 gives float32).
template <class T> using VarOut = typename RealOf<MeanOut<T>>::type;

template <class T>
struct Mean {
  struct State {
    Wide<T> sum;
    std::uint64_t count;
  };
  using Out = MeanOut<T>;
  static State identity() { return State{additive_identity<Wide<T>>(), 0}; }
  static void fold_run(State& s, const T* x, std::size_t n, std::int64_t, std::int64_t) {
    s.sum = s.sum + pairwise_sum(x, n, additive_identity<Wide<T>>(), [](const T& v) { return widen(v); });
    s.count += n;
  }
  static void fold_one(State& s, const T& x, std::int64_t) {
    s.sum = s.sum + widen(x);
    s.count += 1;
  }
  static void fold_columns(void* states, const T* x, std::size_t rows, std::size_t cols) {
    if (rows == 0) return;
    Wide<T> sum[kColumnGroup];
    for_column_groups(cols, [&](std::size_t c0, std::size_t width) {
      sum_columns(sum, x + c0, rows, cols, width, [](const T& v, std::size_t) { return widen(v); });
      for (std::size_t c = 0; c < width; ++c) {
        State state = load<State>(states, c0 + c);
        merge(state, State{sum[c], rows});
        store(states, c0 + c, state);
      }
    });
  }
  static void merge(State& s, const State& o) {
    s.sum = s.sum + o.sum;
    s.count += o.count;
  }
  static Out finalize(const State& s, double) {
    const Wide<T> mean = s.sum / static_cast<double>(s.count);  // 0/0: NaN for an empty mean
    return static_cast<Out>(mean);
  }
};

/// Sums of deviations from a provisional mean and of their squared magnitudes.
template <class M>
struct Deviations {
  M sum;
  double sum_sq;
  friend Deviations operator+(const Deviations& a, const Deviations& b) {
    return {a.sum + b.sum, a.sum_sq + b.sum_sq};
  }
};

/// Knuth's TwoSum: s + e == a + b exactly, with s the rounded sum (componentwise for complex).
inline void two_sum(double a, double b, double& s, double& e) {
  s = a + b;
  const double bb = s - a;
  e = (a - (s - bb)) + (b - bb);
}
inline void two_sum(const std::complex<double>& a, const std::complex<double>& b, std::complex<double>& s,
                    std::complex<double>& e) {
  double sr, si, er, ei;
  two_sum(a.real(), b.real(), sr, er);
  two_sum(a.imag(), b.imag(), si, ei);
  s = {sr, si};
  e = {er, ei};
}

template <class T>
struct Var {
  using M = Wide<T>;
  /// The mean is kept as the unevaluated sum mean + mean_lo. Rounding the mean to one
  /// double at every Welford step would add an error of eps * |mean| per element, which
  /// for data far from zero (timestamps, say) costs most of the variance's digits.
  struct State {
    std::uint64_t count;
    M mean;
    M mean_lo;
    double m2;  // sum of |x - mean|^2
  };
  using Out = VarOut<T>;
  static State identity() { return State{0, M{}, M{}, 0.0}; }

  /// (mean, mean_lo) += inc, compensated.
  static void add_to_mean(State& s, const M& inc) { two_sum(s.mean, inc + s.mean_lo, s.mean, s.mean_lo); }
  /// x - the state's mean.
  static M deviation(const State& s, const M& x) { return (x - s.mean) - s.mean_lo; }

  /// Chan, Golub and LeVeque's parallel update: adds a group of `nb` elements with mean
  /// `mean_b + mean_b_lo` and sum of squared deviations `m2_b`.
  static void combine(State& s, std::uint64_t nb, const M& mean_b, const M& mean_b_lo, double m2_b) {
    if (nb == 0) return;
    if (s.count == 0) {
      s = State{nb, mean_b, mean_b_lo, m2_b};
      return;
    }
    const double na = static_cast<double>(s.count);
    const double nbd = static_cast<double>(nb);
    const double n = na + nbd;
    const M delta = (mean_b - s.mean) + (mean_b_lo - s.mean_lo);
    const double weight_b = nbd / n;  // the one division: combine runs once per column of a tile
    add_to_mean(s, delta * weight_b);
    s.m2 = s.m2 + m2_b + norm2(delta) * (na * weight_b);
    s.count += nb;
  }

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
    combine_two_pass(s, n, 1.0 / count, mean, dev);
  }
  /// Adds a group of n elements given its rounded mean and its sums of deviations from it.
  /// `inverse` is 1 / n: the corrections are far below the rounding of the results, so
  /// multiplying by it rather than dividing costs no accuracy.
  static void combine_two_pass(State& s, std::size_t n, double inverse, const M& mean, const Deviations<M>& dev) {
    const double m2 = dev.sum_sq - norm2(dev.sum) * inverse;  // >= 0 but for rounding
    combine(s, n, mean, dev.sum * inverse, m2 < 0 ? 0.0 : m2);
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
        State s = load<State>(states, c0 + c);
        combine_two_pass(s, rows, inverse, mean[c], dev[c]);
        store(states, c0 + c, s);
      }
    });
  }
  /// Welford's update (for complex: m2 += Re(conj(delta) * (x - new mean))).
  static void fold_one(State& s, const T& x, std::int64_t) {
    const M v = widen(x);
    s.count += 1;
    const M delta = deviation(s, v);
    add_to_mean(s, delta / static_cast<double>(s.count));
    const M after = deviation(s, v);
    if constexpr (kIsComplex<T>) {
      s.m2 += delta.real() * after.real() + delta.imag() * after.imag();
    } else {
      s.m2 += delta * after;
    }
  }
  static void merge(State& s, const State& o) { combine(s, o.count, o.mean, o.mean_lo, o.m2); }
  /// As the array API standard says, N - correction <= 0 gives NaN.
  static Out finalize(const State& s, double correction) {
    const double dof = static_cast<double>(s.count) - correction;
    if (!(dof > 0)) return std::numeric_limits<Out>::quiet_NaN();
    return static_cast<Out>(s.m2 / dof);
  }
};

// --- argmin and argmax ----------------------------------------------------------------

template <class T, bool kMax>
struct ArgExtremum {
  struct State {
    T value;
    std::int64_t index;
    std::uint8_t has_value;
  };
  using Out = std::int64_t;
  static State identity() { return State{T{}, 0, 0}; }
  /// Whether element (x, i) replaces the current best (cur, ci). NumPy's rules: the first
  /// NaN wins; among equal values the smallest index wins. Comparing indices (rather than
  /// relying on the order of calls) makes the result independent of fold and merge order.
  static bool better(const T& x, std::int64_t i, const T& cur, std::int64_t ci) {
    const bool cur_nan = is_nan(cur);
    if (cur_nan || is_nan(x)) return is_nan(x) && (!cur_nan || i < ci);
    if (kMax ? less(cur, x) : less(x, cur)) return true;
    return x == cur && i < ci;
  }
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
      if (better(x[i], index, best.value, best.index)) {
        best.value = x[i];
        best.index = index;
      }
    }
    s = best;
  }
  static void fold_one(State& s, const T& x, std::int64_t index) {
    if (!s.has_value || better(x, index, s.value, s.index)) s = State{x, index, 1};
  }
  static void merge(State& s, const State& o) {
    if (o.has_value) fold_one(s, o.value, o.index);
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
