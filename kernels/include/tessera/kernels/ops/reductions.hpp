// Reductions one element at a time: for each of sum, prod, min, max, any, all, mean, var,
// argmin and argmax over an input type T, its State, the identity state, fold_one (one
// element with its index) and merge (two states). The CPU kernels (cpu/reductions.cpp)
// build their tuned run and column loops and their finalize on these; the CUDA kernels
// fold with them directly, into states of the very same layout, so that states from
// either device merge with each other. Portable (portable.hpp).
//
// State layouts (copied as bytes; the caller allocates them with no alignment promise):
//   sum, prod   the accumulator: uint64 for bool and integers (wrapping, no UB), double
//               for real floats, complex<double> for complex
//   min, max    {T value; uint8 has_value}
//   any, all    uint8 flag
//   mean        {double or complex<double> sum; uint64 count}
//   var         {uint64 count; M mean; M mean_lo; double m2}, M double or complex<double>,
//               the mean being the unevaluated sum mean + mean_lo
//   argmin/max  {T value; int64 index; uint8 has_value}
#pragma once

#include "tessera/kernels/ops/traits.hpp"

namespace tessera::kernels::ops::reduce {

/// What floating inputs accumulate in: double, or complex<double> for complex inputs.
template <class T>
using Wide = port::conditional_t<is_complex_v<T>, port::complex<double>, double>;

template <class T>
Wide<T> widen(const T& x) {
  if constexpr (is_complex_v<T>) {
    return {static_cast<double>(x.real()), static_cast<double>(x.imag())};
  } else {
    return static_cast<double>(x);
  }
}

template <class T>
bool is_nan(const T& x) {
  if constexpr (is_complex_v<T>) {
    return port::isnan(x.real()) || port::isnan(x.imag());
  } else if constexpr (is_real_float_v<T>) {
    return port::isnan(x);
  } else {
    return false;
  }
}

/// NumPy's order: the usual one for reals, lexicographic (real part first) for complex.
template <class T>
bool less(const T& a, const T& b) {
  if constexpr (is_complex_v<T>) {
    return a.real() < b.real() || (a.real() == b.real() && a.imag() < b.imag());
  } else {
    return a < b;
  }
}

/// |d|^2.
inline double norm2(double d) { return d * d; }
inline double norm2(const port::complex<double>& d) { return d.real() * d.real() + d.imag() * d.imag(); }

/// -0.0 rather than 0.0 is the exact additive identity of IEEE floats (-0.0 + x == x for
/// every x, +0.0 + -0.0 is +0.0), so a sum of negative zeros stays -0.0 as in NumPy.
template <class A>
A additive_identity() {
  if constexpr (port::is_same_v<A, port::complex<double>>) {
    return {-0.0, -0.0};
  } else if constexpr (port::is_floating_point_v<A>) {
    return -0.0;
  } else {
    return A{0};
  }
}

// --- sum and prod ---------------------------------------------------------------------

/// NumPy's result dtype of add.reduce and multiply.reduce: bool and signed integers give
/// int64, unsigned integers uint64, floating types keep theirs.
template <class T>
using SumOut = port::conditional_t<is_bool_v<T> || is_signed_int_v<T>, port::int64_t,
                                   port::conditional_t<is_int_v<T>, port::uint64_t, T>>;

/// Integers accumulate in uint64 (the conversion of a negative value is its two's
/// complement, so wrapping sums and products come out right for signed types too).
template <class T>
using SumAcc = port::conditional_t<port::is_integral_v<T>, port::uint64_t, Wide<T>>;

template <class T>
SumAcc<T> to_sum_acc(const T& x) {
  if constexpr (port::is_integral_v<T>) {
    return static_cast<port::uint64_t>(x);
  } else {
    return widen(x);
  }
}

template <class T>
struct Sum {
  using State = SumAcc<T>;
  using Out = SumOut<T>;
  static State identity() { return additive_identity<State>(); }
  static void fold_one(State& s, const T& x, port::int64_t) { s = s + to_sum_acc(x); }
  static void merge(State& s, const State& o) { s = s + o; }
};

template <class T>
struct Prod {
  using State = SumAcc<T>;
  using Out = SumOut<T>;
  static State identity() { return State{1}; }
  /// The textbook complex product, as NumPy computes it (std::complex's operator* adds
  /// C99 Annex G infinity recovery through a library call).
  static State mul(const State& a, const State& b) {
    if constexpr (is_complex_v<State>) {
      return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
    } else {
      return a * b;
    }
  }
  static void fold_one(State& s, const T& x, port::int64_t) { s = mul(s, to_sum_acc(x)); }
  static void merge(State& s, const State& o) { s = mul(s, o); }
};

// --- min and max ----------------------------------------------------------------------

template <class T, bool kMax>
struct Extremum {
  struct State {
    T value;
    port::uint8_t has_value;
  };
  using Out = T;
  static State identity() { return State{T{}, 0}; }
  /// Whether `x` replaces the current extremum `cur`: a NaN wins and then stays.
  static bool replaces(const T& cur, const T& x) {
    if (is_nan(cur)) return false;
    if (is_nan(x)) return true;
    return kMax ? less(cur, x) : less(x, cur);
  }
  static void fold_one(State& s, const T& x, port::int64_t) {
    if (!s.has_value || replaces(s.value, x)) s = State{x, 1};
  }
  static void merge(State& s, const State& o) {
    if (o.has_value) fold_one(s, o.value, 0);
  }
};

template <class T>
using Min = Extremum<T, false>;
template <class T>
using Max = Extremum<T, true>;

// --- any and all ----------------------------------------------------------------------

template <class T, bool kAll>
struct Logical {
  using State = port::uint8_t;
  using Out = bool;
  /// Truthiness as in NumPy: nonzero, NaN included; a complex is true if either part is.
  static bool truthy(const T& x) { return x != T{}; }
  static State identity() { return kAll ? 1 : 0; }
  static void fold_one(State& s, const T& x, port::int64_t) {
    if (truthy(x) != kAll) s = kAll ? 0 : 1;
  }
  static void merge(State& s, const State& o) { s = kAll ? (s & o) : (s | o); }
};

template <class T>
using Any = Logical<T, false>;
template <class T>
using All = Logical<T, true>;

// --- mean and var ---------------------------------------------------------------------

/// NumPy's result dtype of mean: float64 for bool and integers, floating types keep theirs.
template <class T>
using MeanOut = port::conditional_t<port::is_integral_v<T>, double, T>;
/// The result dtype of var: the real dtype of MeanOut (complex64 gives float32).
template <class T>
using VarOut = real_t<MeanOut<T>>;

template <class T>
struct Mean {
  struct State {
    Wide<T> sum;
    port::uint64_t count;
  };
  using Out = MeanOut<T>;
  static State identity() { return State{additive_identity<Wide<T>>(), 0}; }
  static void fold_one(State& s, const T& x, port::int64_t) {
    s.sum = s.sum + widen(x);
    s.count += 1;
  }
  static void merge(State& s, const State& o) {
    s.sum = s.sum + o.sum;
    s.count += o.count;
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
inline void two_sum(const port::complex<double>& a, const port::complex<double>& b, port::complex<double>& s,
                    port::complex<double>& e) {
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
    port::uint64_t count;
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
  static void combine(State& s, port::uint64_t nb, const M& mean_b, const M& mean_b_lo, double m2_b) {
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
  /// Adds a group of n elements given its rounded mean and its sums of deviations from it.
  /// `inverse` is 1 / n: the corrections are far below the rounding of the results, so
  /// multiplying by it rather than dividing costs no accuracy.
  static void combine_two_pass(State& s, port::uint64_t n, double inverse, const M& mean, const Deviations<M>& dev) {
    const double m2 = dev.sum_sq - norm2(dev.sum) * inverse;  // >= 0 but for rounding
    combine(s, n, mean, dev.sum * inverse, m2 < 0 ? 0.0 : m2);
  }
  /// Welford's update (for complex: m2 += Re(conj(delta) * (x - new mean))).
  static void fold_one(State& s, const T& x, port::int64_t) {
    const M v = widen(x);
    s.count += 1;
    const M delta = deviation(s, v);
    add_to_mean(s, delta / static_cast<double>(s.count));
    const M after = deviation(s, v);
    if constexpr (is_complex_v<T>) {
      s.m2 += delta.real() * after.real() + delta.imag() * after.imag();
    } else {
      s.m2 += delta * after;
    }
  }
  static void merge(State& s, const State& o) { combine(s, o.count, o.mean, o.mean_lo, o.m2); }
};

// --- argmin and argmax ----------------------------------------------------------------

template <class T, bool kMax>
struct ArgExtremum {
  struct State {
    T value;
    port::int64_t index;
    port::uint8_t has_value;
  };
  using Out = port::int64_t;
  static State identity() { return State{T{}, 0, 0}; }
  /// Whether element (x, i) replaces the current best (cur, ci). NumPy's rules: the first
  /// NaN wins; among equal values the smallest index wins. Comparing indices (rather than
  /// relying on the order of calls) makes the result independent of fold and merge order.
  static bool better(const T& x, port::int64_t i, const T& cur, port::int64_t ci) {
    const bool cur_nan = is_nan(cur);
    if (cur_nan || is_nan(x)) return is_nan(x) && (!cur_nan || i < ci);
    if (kMax ? less(cur, x) : less(x, cur)) return true;
    return x == cur && i < ci;
  }
  static void fold_one(State& s, const T& x, port::int64_t index) {
    if (!s.has_value || better(x, index, s.value, s.index)) s = State{x, index, 1};
  }
  static void merge(State& s, const State& o) {
    if (o.has_value) fold_one(s, o.value, o.index);
  }
};

template <class T>
using ArgMin = ArgExtremum<T, false>;
template <class T>
using ArgMax = ArgExtremum<T, true>;

}  // namespace tessera::kernels::ops::reduce
