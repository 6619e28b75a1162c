// Tests of the CPU reduction kernels (kernels/cpu/reductions.cpp) against plain-loop
// references in long double: every operation on every dtype, whole runs, runs split into
// pieces and merged, fold_each and fold_rows against fold_run, empty reductions, NumPy's argmin and NaN
// rules, and the accuracy of long float sums and of the variance.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <iomanip>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <tessera/kernels/registry.hpp>

#include "tessera/core/error.hpp"
#include "test_support.hpp"

namespace reduction_tests {  // a name of its own: test files compile in batches (tests/cpp/CMakeLists.txt)
namespace {

using tessera::DType;
using tessera::kernels::KernelRegistry;
using tessera::kernels::ReductionKernel;
using cld = std::complex<long double>;

constexpr std::uint64_t kSeed = 20240611;
constexpr std::string_view kOps[] = {"sum", "prod", "min", "max", "any", "all", "mean", "var", "argmin", "argmax"};

const KernelRegistry& registry() {
  static const KernelRegistry* const r = [] {
    auto* reg = new KernelRegistry;
    tessera::kernels::register_cpu_reductions(*reg);
    return reg;
  }();
  return *r;
}

const ReductionKernel& kernel(std::string_view op, DType dtype) {
  const ReductionKernel* k = registry().find_reduction(op, dtype, tessera::DeviceKind::cpu);
  if (k == nullptr) throw std::logic_error("no kernel " + std::string(op) + " for " + tessera::to_string(dtype));
  return *k;
}

template <class T> inline constexpr bool kIsComplex = false;
template <class U> inline constexpr bool kIsComplex<std::complex<U>> = true;

/// A heap array of T (std::vector<bool> has no data()).
template <class T>
struct Data {
  std::unique_ptr<T[]> p;
  std::size_t n = 0;
  explicit Data(std::size_t size) : p(new T[size == 0 ? 1 : size]{}), n(size) {}
  T& operator[](std::size_t i) { return p[i]; }
  const T* data() const { return p.get(); }
};

enum class Profile { general, near_one };

template <class T>
T random_value(std::mt19937_64& rng, Profile profile) {
  if constexpr (std::is_same_v<T, bool>) {
    return (rng() & 1) != 0;
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(rng());  // full range, so that sums and products wrap
  } else {
    auto real = [&] {
      std::uniform_real_distribution<double> u(-1, 1);
      if (profile == Profile::near_one) {
        const double m = 1.0 + 0.1 * u(rng);
        return (rng() & 1) ? m : -m;
      }
      return u(rng) * std::exp2(std::uniform_int_distribution<int>(-10, 10)(rng));
    };
    if constexpr (kIsComplex<T>) {
      using R = typename T::value_type;
      const double scale = profile == Profile::near_one ? std::sqrt(0.5) : 1.0;  // |x| near 1 too
      return T(static_cast<R>(scale * real()), static_cast<R>(scale * real()));
    } else {
      return static_cast<T>(real());
    }
  }
}

template <class T>
Data<T> random_data(std::mt19937_64& rng, std::size_t n, Profile profile) {
  Data<T> d(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = random_value<T>(rng, profile);
  return d;
}

template <class T>
cld to_cld(const T& x) {
  if constexpr (kIsComplex<T>) {
    return {x.real(), x.imag()};
  } else {
    return {static_cast<long double>(x), 0.0L};
  }
}

template <class T>
bool ref_is_nan(const T& x) {
  if constexpr (kIsComplex<T>) {
    return std::isnan(x.real()) || std::isnan(x.imag());
  } else if constexpr (std::is_floating_point_v<T>) {
    return std::isnan(x);
  } else {
    return false;
  }
}

template <class T>
bool ref_less(const T& a, const T& b) {
  if constexpr (kIsComplex<T>) {
    return a.real() < b.real() || (a.real() == b.real() && a.imag() < b.imag());
  } else {
    return a < b;
  }
}

/// The rounding unit of the dtype a floating result is written in.
template <class T>
long double out_eps() {
  return std::is_same_v<T, float> || std::is_same_v<T, std::complex<float>> ? 0x1p-24L : 0x1p-53L;
}

/// A reference result: integers and bool exactly (their value as uint64 bits, two's
/// complement), floating results as a value and an absolute tolerance.
struct Expected {
  std::uint64_t bits = 0;
  cld value{};
  long double tol = 0;
};

Expected nan_expected() { return Expected{0, cld(NAN, 0), 0}; }

/// Plain-loop references; argmin/argmax assume a positive index step.
template <class T>
Expected reference(std::string_view op, const T* x, std::size_t n, std::int64_t first, std::int64_t step,
                   double correction) {
  Expected e;
  long double sum_abs = 0;
  for (std::size_t i = 0; i < n; ++i) sum_abs += std::abs(to_cld(x[i]));
  if (op == "sum" || op == "prod") {
    const bool sum = op == "sum";
    if constexpr (std::is_integral_v<T>) {
      std::uint64_t acc = sum ? 0 : 1;
      for (std::size_t i = 0; i < n; ++i) acc = sum ? acc + static_cast<std::uint64_t>(x[i]) : acc * static_cast<std::uint64_t>(x[i]);
      e.bits = acc;
    } else {
      cld acc = sum ? 0.0L : 1.0L;
      for (std::size_t i = 0; i < n; ++i) acc = sum ? acc + to_cld(x[i]) : acc * to_cld(x[i]);
      e.value = acc;
      e.tol = sum ? 2 * out_eps<T>() * std::abs(acc) + 64 * 0x1p-53L * sum_abs
                  : (2 * out_eps<T>() + 8 * static_cast<long double>(n) * 0x1p-53L) * std::abs(acc);
    }
  } else if (op == "min" || op == "max" || op == "argmin" || op == "argmax") {
    const bool max = op == "max" || op == "argmax";
    std::size_t pos = 0;
    for (std::size_t i = 1; i < n && !ref_is_nan(x[pos]); ++i) {
      if (ref_is_nan(x[i]) || (max ? ref_less(x[pos], x[i]) : ref_less(x[i], x[pos]))) pos = i;
    }
    if (op[0] == 'a') {
      e.bits = static_cast<std::uint64_t>(first + static_cast<std::int64_t>(pos) * step);
    } else if constexpr (std::is_integral_v<T>) {
      e.bits = static_cast<std::uint64_t>(x[pos]);
    } else {
      e.value = ref_is_nan(x[pos]) ? cld(NAN, 0) : to_cld(x[pos]);
    }
  } else if (op == "any" || op == "all") {
    const bool all = op == "all";
    bool acc = all;
    for (std::size_t i = 0; i < n; ++i) acc = all ? acc && to_cld(x[i]) != 0.0L : acc || to_cld(x[i]) != 0.0L;
    e.bits = acc;
  } else if (op == "mean" || op == "var") {
    cld mean = 0;
    for (std::size_t i = 0; i < n; ++i) mean += to_cld(x[i]);
    mean /= static_cast<long double>(n);
    if (op == "mean") {
      e.value = mean;
      e.tol = 2 * out_eps<T>() * std::abs(mean) + 64 * 0x1p-53L * sum_abs / static_cast<long double>(n);
    } else {
      long double m2 = 0;
      for (std::size_t i = 0; i < n; ++i) m2 += std::norm(to_cld(x[i]) - mean);
      const long double dof = static_cast<long double>(n) - correction;
      if (!(dof > 0)) return nan_expected();
      e.value = m2 / dof;
      e.tol = (4 * out_eps<T>() + 512 * 0x1p-53L) * (m2 / dof);
      if constexpr (std::is_integral_v<T> && sizeof(T) == 8) {
        // 64-bit integers are rounded to double on input, which moves m2 by up to
        // 2 * sum |x_i - mean| * |rounding of x_i| <= 2^-52 * sum |x_i| * sqrt(m2).
        e.tol += 0x1p-52L * sum_abs * std::sqrt(m2) / dof;
      }
    }
  }
  return e;
}

/// Decodes result `i` of a finalize into the Expected form and compares.
::testing::AssertionResult matches(const ReductionKernel& k, const std::vector<std::byte>& out, std::size_t i,
                                   const Expected& want) {
  bool is_float = false;
  std::uint64_t bits = 0;
  cld value;
  tessera::type_dispatch(k.output, [&]<class U>() {
    U u;
    std::memcpy(static_cast<void*>(&u), out.data() + i * sizeof(U), sizeof(U));
    if constexpr (std::is_integral_v<U>) {
      bits = static_cast<std::uint64_t>(u);
    } else {
      is_float = true;
      value = to_cld(u);
    }
  });
  std::ostringstream msg;
  msg << std::setprecision(21);
  if (!is_float) {
    if (bits == want.bits) return ::testing::AssertionSuccess();
    msg << "got " << static_cast<std::int64_t>(bits) << ", want " << static_cast<std::int64_t>(want.bits);
    return ::testing::AssertionFailure() << msg.str();
  }
  const bool got_nan = std::isnan(value.real()) || std::isnan(value.imag());
  const bool want_nan = std::isnan(want.value.real()) || std::isnan(want.value.imag());
  if (got_nan || want_nan) {
    if (got_nan == want_nan) return ::testing::AssertionSuccess();
  } else if (value == want.value || std::abs(value - want.value) <= want.tol) {
    return ::testing::AssertionSuccess();
  }
  msg << "got " << value << ", want " << want.value << " (difference " << std::abs(value - want.value)
      << ", tolerance " << want.tol << ")";
  return ::testing::AssertionFailure() << msg.str();
}

std::vector<std::byte> new_states(const ReductionKernel& k, std::size_t n) {
  std::vector<std::byte> s(n * k.state_size + 1);  // +1: never zero-sized
  k.init(s.data(), n);
  return s;
}

std::vector<std::byte> finalize(const ReductionKernel& k, const std::vector<std::byte>& states, std::size_t n,
                                double correction) {
  std::vector<std::byte> out(n * tessera::itemsize(k.output) + 1);
  k.finalize(states.data(), out.data(), n, correction);
  return out;
}

template <class T>
std::vector<std::byte> fold_whole(const ReductionKernel& k, const T* x, std::size_t n, std::int64_t first,
                                  std::int64_t step) {
  auto s = new_states(k, 1);
  k.fold_run(s.data(), x, n, first, step);
  return s;
}

/// Folds [0, n) in random pieces (some empty), each into its own state, and merges the
/// states in order: left to right, or as a balanced tree.
template <class T>
std::vector<std::byte> fold_split(const ReductionKernel& k, const T* x, std::size_t n, std::int64_t first,
                                  std::int64_t step, std::mt19937_64& rng, bool tree) {
  const std::size_t pieces = 1 + rng() % 8;
  std::vector<std::size_t> cuts = {0, n};
  for (std::size_t j = 1; j < pieces; ++j) cuts.push_back(n == 0 ? 0 : rng() % (n + 1));
  std::sort(cuts.begin(), cuts.end());
  std::vector<std::vector<std::byte>> states;
  for (std::size_t j = 0; j + 1 < cuts.size(); ++j) {
    states.push_back(new_states(k, 1));
    k.fold_run(states.back().data(), x + cuts[j], cuts[j + 1] - cuts[j],
               first + static_cast<std::int64_t>(cuts[j]) * step, step);
  }
  if (!tree) {
    for (std::size_t j = 1; j < states.size(); ++j) k.merge(states[0].data(), states[j].data(), 1);
    return states[0];
  }
  while (states.size() > 1) {
    std::vector<std::vector<std::byte>> next;
    for (std::size_t j = 0; j < states.size(); j += 2) {
      if (j + 1 < states.size()) k.merge(states[j].data(), states[j + 1].data(), 1);
      next.push_back(std::move(states[j]));
    }
    states = std::move(next);
  }
  return states[0];
}

bool exact_op(std::string_view op) { return op != "mean" && op != "var" && op != "sum" && op != "prod"; }

std::vector<std::size_t> test_sizes(std::mt19937_64& rng) {
  std::vector<std::size_t> sizes = {1, 2, 7, 8, 9, 16, 127, 128, 129, 255, 256, 257, 1000, 4097};
  for (int i = 0; i < 3; ++i) sizes.push_back(1 + rng() % tessera::testing::scaled(30000, 10));
  return sizes;
}

using AllTypes = ::testing::Types<bool, std::uint8_t, std::int8_t, std::uint16_t, std::int16_t, std::uint32_t,
                                  std::int32_t, std::uint64_t, std::int64_t, float, double, std::complex<float>,
                                  std::complex<double>>;
struct DTypeNames {
  template <class T>
  static std::string GetName(int) {
    return std::string(tessera::name(tessera::dtype_of<T>));
  }
};

template <class T>
class Reductions : public ::testing::Test {};
TYPED_TEST_SUITE(Reductions, AllTypes, DTypeNames);

TYPED_TEST(Reductions, WholeRunsMatchTheReference) {
  using T = TypeParam;
  std::mt19937_64 rng(kSeed);
  for (std::string_view op : kOps) {
    const ReductionKernel& k = kernel(op, tessera::dtype_of<T>);
    for (std::size_t n : test_sizes(rng)) {
      SCOPED_TRACE(::testing::Message() << "op=" << op << " dtype=" << tessera::name(k.input) << " n=" << n
                                        << " seed=" << kSeed);
      const auto x = random_data<T>(rng, n, op == "prod" ? Profile::near_one : Profile::general);
      const std::int64_t first = static_cast<std::int64_t>(rng() % 1000);
      const std::int64_t step = 1 + static_cast<std::int64_t>(rng() % 3);
      for (double correction : {0.0, 1.0}) {
        const auto out = finalize(k, fold_whole(k, x.data(), n, first, step), 1, correction);
        EXPECT_TRUE(matches(k, out, 0, reference(op, x.data(), n, first, step, correction)))
            << "correction=" << correction;
      }
    }
  }
}

TYPED_TEST(Reductions, SplittingAndMergingMatchesOneFold) {
  using T = TypeParam;
  std::mt19937_64 rng(kSeed + 1);
  for (std::string_view op : kOps) {
    const ReductionKernel& k = kernel(op, tessera::dtype_of<T>);
    for (std::size_t n : test_sizes(rng)) {
      const auto x = random_data<T>(rng, n, op == "prod" ? Profile::near_one : Profile::general);
      const auto whole = finalize(k, fold_whole(k, x.data(), n, 5, 2), 1, 1.0);
      for (bool tree : {false, true}) {
        SCOPED_TRACE(::testing::Message() << "op=" << op << " dtype=" << tessera::name(k.input) << " n=" << n
                                          << " tree=" << tree << " seed=" << kSeed + 1);
        const auto split = finalize(k, fold_split(k, x.data(), n, 5, 2, rng, tree), 1, 1.0);
        EXPECT_TRUE(matches(k, split, 0, reference(op, x.data(), n, 5, 2, 1.0)));
        // Integer sums and products are exact too (wrapping arithmetic is associative).
        if (exact_op(op) || (std::is_integral_v<T> && (op == "sum" || op == "prod"))) {
          EXPECT_EQ(0, std::memcmp(split.data(), whole.data(), tessera::itemsize(k.output)));
        }
      }
    }
  }
}

TYPED_TEST(Reductions, FoldEachAndFoldRowsMatchFoldRunPerColumn) {
  using T = TypeParam;
  std::mt19937_64 rng(kSeed + 2);
  for (std::string_view op : kOps) {
    const ReductionKernel& k = kernel(op, tessera::dtype_of<T>);
    for (std::size_t rows : {std::size_t{1}, std::size_t{2}, std::size_t{37}, std::size_t{300}}) {
      // Past 512 columns fold_rows goes in several groups of columns.
      for (std::size_t cols : {1 + rng() % 17, std::size_t{700}}) {
        for (bool by_rows : {false, true}) {
          SCOPED_TRACE(::testing::Message() << "op=" << op << " dtype=" << tessera::name(k.input) << " rows=" << rows
                                            << " cols=" << cols << (by_rows ? " fold_rows" : " fold_each")
                                            << " seed=" << kSeed + 2);
          const auto x = random_data<T>(rng, rows * cols, op == "prod" ? Profile::near_one : Profile::general);
          // Rows [0, half) into one set of states, [half, rows) into another, merged: this
          // also checks merge slot by slot.
          const std::size_t half = rows / 2;
          auto top = new_states(k, cols);
          auto bottom = new_states(k, cols);
          if (by_rows) {
            k.fold_rows(top.data(), x.data(), half, cols, 0, 1);
            k.fold_rows(bottom.data(), x.data() + half * cols, rows - half, cols, static_cast<std::int64_t>(half), 1);
          } else {
            for (std::size_t r = 0; r < rows; ++r) {
              k.fold_each((r < half ? top : bottom).data(), x.data() + r * cols, cols, static_cast<std::int64_t>(r));
            }
          }
          k.merge(top.data(), bottom.data(), cols);
          const auto folded = finalize(k, top, cols, 1.0);
          for (std::size_t c = 0; c < cols; ++c) {
            Data<T> column(rows);
            for (std::size_t r = 0; r < rows; ++r) column[r] = x.data()[r * cols + c];
            EXPECT_TRUE(matches(k, folded, c, reference(op, column.data(), rows, 0, 1, 1.0))) << "column " << c;
            if (exact_op(op)) {
              const auto run = finalize(k, fold_whole(k, column.data(), rows, 0, 1), 1, 1.0);
              const std::size_t size = tessera::itemsize(k.output);
              EXPECT_EQ(0, std::memcmp(folded.data() + c * size, run.data(), size)) << "column " << c;
            }
            if (::testing::Test::HasFailure()) return;
          }
        }
      }
    }
  }
}

TYPED_TEST(Reductions, EmptyReductionsGiveTheIdentityOrNumPysError) {
  using T = TypeParam;
  for (std::string_view op : kOps) {
    SCOPED_TRACE(::testing::Message() << "op=" << op << " dtype=" << tessera::name(tessera::dtype_of<T>));
    const ReductionKernel& k = kernel(op, tessera::dtype_of<T>);
    auto s = new_states(k, 3);
    k.fold_run(s.data(), nullptr, 0, 0, 1);  // an empty run changes nothing
    auto other = new_states(k, 3);
    k.merge(s.data(), other.data(), 3);
    auto expect_error = [&](const char* message) {
      try {
        finalize(k, s, 3, 0.0);
        ADD_FAILURE() << "no error";
      } catch (const tessera::ValueError& e) {
        EXPECT_STREQ(e.what(), message);
      }
    };
    if (op == "min") {
      expect_error("zero-size array to reduction operation minimum which has no identity");
    } else if (op == "max") {
      expect_error("zero-size array to reduction operation maximum which has no identity");
    } else if (op == "argmin" || op == "argmax") {
      expect_error(op == "argmin" ? "attempt to get argmin of an empty sequence"
                                  : "attempt to get argmax of an empty sequence");
    } else {
      const auto out = finalize(k, s, 3, 0.0);
      Expected want;
      if (op == "prod" || op == "all") {
        want.bits = 1;
        want.value = 1;
      }
      if (op == "mean" || op == "var") want = nan_expected();
      for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(matches(k, out, i, want)) << "slot " << i;
    }
  }
}

TEST(ReductionRegistry, EveryOpCoversEveryDTypeWithNumPysResultDType) {
  for (std::size_t d = 0; d < tessera::kDTypeCount; ++d) {
    const auto in = static_cast<DType>(d);
    const bool integral = tessera::is_integer(in) || in == DType::bool_;
    const bool is_unsigned = tessera::kind(in) == tessera::DTypeKind::unsigned_integer;
    const DType sum = integral ? (is_unsigned ? DType::uint64 : DType::int64) : in;
    const DType mean = integral ? DType::float64 : in;
    const std::pair<std::string_view, DType> expected[] = {
        {"sum", sum},           {"prod", sum},          {"min", in},       {"max", in},
        {"any", DType::bool_},  {"all", DType::bool_},  {"mean", mean},    {"var", tessera::real_dtype(mean)},
        {"argmin", DType::int64}, {"argmax", DType::int64}};
    for (const auto& [op, out] : expected) {
      SCOPED_TRACE(::testing::Message() << "op=" << op << " dtype=" << tessera::name(in));
      const ReductionKernel* k = registry().find_reduction(op, in, tessera::DeviceKind::cpu);
      ASSERT_NE(k, nullptr);
      EXPECT_EQ(k->input, in);
      EXPECT_EQ(k->output, out) << tessera::name(k->output);
      EXPECT_GT(k->state_size, 0u);
    }
  }
  EXPECT_EQ(registry().find_reduction("std", DType::float64, tessera::DeviceKind::cpu), nullptr);
  EXPECT_EQ(registry().find_reduction("sum", DType::float64, tessera::DeviceKind::cuda), nullptr);
}

/// Runs `op` over `values` (one fold_run) and returns the single result as Out.
template <class Out, class T>
Out reduce(std::string_view op, const std::vector<T>& values, std::int64_t first = 0, std::int64_t step = 1,
           double correction = 0) {
  const ReductionKernel& k = kernel(op, tessera::dtype_of<T>);
  EXPECT_EQ(k.output, tessera::dtype_of<Out>);
  const auto out = finalize(k, fold_whole(k, values.data(), values.size(), first, step), 1, correction);
  Out r;
  std::memcpy(static_cast<void*>(&r), out.data(), sizeof(Out));
  return r;
}

TEST(ArgReductions, EqualValuesKeepTheSmallestIndex) {
  const std::vector<double> x = {3, 1, 2, 1, 1, 3};
  EXPECT_EQ(reduce<std::int64_t>("argmin", x), 1);
  EXPECT_EQ(reduce<std::int64_t>("argmax", x), 0);
  // Split so that the later piece is folded first into the state that ends up first.
  const ReductionKernel& k = kernel("argmin", DType::float64);
  auto a = new_states(k, 1);
  auto b = new_states(k, 1);
  k.fold_run(b.data(), x.data() + 3, 3, 3, 1);
  k.fold_run(a.data(), x.data(), 3, 0, 1);
  k.merge(a.data(), b.data(), 1);
  std::int64_t r = -1;
  k.finalize(a.data(), &r, 1, 0);
  EXPECT_EQ(r, 1);
  // fold_each fed rows in decreasing index order still reports the smallest index.
  auto s = new_states(k, 1);
  for (std::int64_t row = 5; row >= 0; --row) k.fold_each(s.data(), &x[static_cast<std::size_t>(row)], 1, row);
  k.finalize(s.data(), &r, 1, 0);
  EXPECT_EQ(r, 1);
}

TEST(ArgReductions, TheFirstNaNWins) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> x = {1, -5, nan, 7, nan, -9};
  EXPECT_EQ(reduce<std::int64_t>("argmin", x), 2);
  EXPECT_EQ(reduce<std::int64_t>("argmax", x), 2);
  const std::vector<std::complex<float>> c = {{1, 0}, {0, NAN}, {NAN, 0}};
  EXPECT_EQ(reduce<std::int64_t>("argmin", c), 1);
  std::mt19937_64 rng(kSeed + 3);
  for (int trial = 0; trial < 50; ++trial) {
    for (const char* op : {"argmin", "argmax"}) {
      const ReductionKernel& k = kernel(op, DType::float64);
      SCOPED_TRACE(::testing::Message() << op << " trial=" << trial << " seed=" << kSeed + 3);
      std::int64_t r = -1;
      k.finalize(fold_split(k, x.data(), x.size(), 0, 1, rng, trial % 2 == 0).data(), &r, 1, 0);
      EXPECT_EQ(r, 2);
    }
  }
}

TEST(ArgReductions, ReportTheIndicesPassedIn) {
  const std::vector<std::int32_t> x = {4, 2, 9, 2, 7};
  EXPECT_EQ(reduce<std::int64_t>("argmin", x, 100, 10), 110);
  EXPECT_EQ(reduce<std::int64_t>("argmax", x, 100, 10), 120);
  // A reversed view: element i has index 40 - i; of the equal minima at indices 39 and
  // 37 the smaller one is reported.
  EXPECT_EQ(reduce<std::int64_t>("argmin", x, 40, -1), 37);
  const bool raw[] = {false, true, true};
  const ReductionKernel& k = kernel("argmax", DType::bool_);
  std::int64_t r = -1;
  k.finalize(fold_whole(k, raw, 3, 0, 1).data(), &r, 1, 0);
  EXPECT_EQ(r, 1);
}

TEST(MinMax, NaNPropagatesAndComplexOrderIsLexicographic) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(reduce<float>("min", std::vector<float>{1, nan, -3})));
  EXPECT_TRUE(std::isnan(reduce<float>("max", std::vector<float>{1, 2, nan})));
  EXPECT_TRUE(std::isnan(reduce<float>("max", std::vector<float>{nan, 2, 1})));
  EXPECT_EQ(reduce<double>("min", std::vector<double>{1, -std::numeric_limits<double>::infinity(), 3}),
            -std::numeric_limits<double>::infinity());
  using C = std::complex<double>;
  EXPECT_EQ(reduce<C>("min", std::vector<C>{{1, 2}, {1, 1}, {2, -9}}), C(1, 1));
  EXPECT_EQ(reduce<C>("max", std::vector<C>{{1, 2}, {1, 1}, {0, 9}}), C(1, 2));
  EXPECT_TRUE(std::isnan(reduce<C>("max", std::vector<C>{{1, 2}, {5, NAN}, {9, 9}}).imag()));
  EXPECT_EQ(reduce<std::int8_t>("min", std::vector<std::int8_t>{5, -128, 127}), -128);
  EXPECT_EQ(reduce<std::uint64_t>("max", std::vector<std::uint64_t>{1, ~0ull, 3}), ~0ull);
}

TEST(AnyAll, TruthinessIsNumPys) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(reduce<bool>("any", std::vector<double>{0, -0.0, nan}));
  EXPECT_FALSE(reduce<bool>("any", std::vector<double>{0, -0.0}));
  EXPECT_TRUE(reduce<bool>("all", std::vector<double>{1, nan}));
  EXPECT_FALSE(reduce<bool>("all", std::vector<double>{1, -0.0}));
  using C = std::complex<float>;
  EXPECT_TRUE(reduce<bool>("any", std::vector<C>{{0, 0}, {0, 1}}));
  EXPECT_TRUE(reduce<bool>("all", std::vector<C>{{0, 1}, {2, 0}}));
  EXPECT_FALSE(reduce<bool>("all", std::vector<C>{{0, 1}, {0, 0}}));
}

TEST(SumProd, IntegersWrapAsInNumPy) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(reduce<std::int64_t>("sum", std::vector<std::int64_t>{kMax, 1}), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(reduce<std::int64_t>("sum", std::vector<std::int8_t>(1000, -128)), -128000);
  EXPECT_EQ(reduce<std::uint64_t>("sum", std::vector<std::uint8_t>(1000, 255)), 255000u);
  EXPECT_EQ(reduce<std::uint64_t>("sum", std::vector<std::uint64_t>{~0ull, 2}), 1u);
  EXPECT_EQ(reduce<std::int64_t>("prod", std::vector<std::int64_t>{kMax, 2}), -2);
  EXPECT_EQ(reduce<std::int64_t>("prod", std::vector<std::int16_t>{-300, 300, 2}), -180000);
  const bool raw[] = {true, true, false, true};
  const ReductionKernel& k = kernel("sum", DType::bool_);
  std::int64_t r = 0;
  k.finalize(fold_whole(k, raw, 4, 0, 1).data(), &r, 1, 0);
  EXPECT_EQ(r, 3);
}

TEST(SumProd, SumOfNegativeZerosIsNegativeZero) {
  EXPECT_TRUE(std::signbit(reduce<double>("sum", std::vector<double>(300, -0.0))));
  EXPECT_FALSE(std::signbit(reduce<double>("sum", std::vector<double>{-0.0, 0.0})));
}

TEST(SumProd, TenMillionFloat32SumIsCorrectlyRoundedAfterDoubleAccumulation) {
  const std::size_t n = tessera::testing::scaled(10'000'000, 100'000);
  std::mt19937_64 rng(kSeed + 4);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> x(n);
  long double ref = 0;
  for (auto& v : x) {
    v = u(rng);
    ref += v;
  }
  SCOPED_TRACE(::testing::Message() << "n=" << n << " seed=" << kSeed + 4);
  const float got = reduce<float>("sum", x);
  // The error is that of rounding the result to float32 (half an ulp), not n roundings.
  EXPECT_LE(std::abs(static_cast<long double>(got) - ref), 0x1p-24L * ref) << got << " vs " << static_cast<double>(ref);
}

TEST(SumProd, Float64SumIsPairwiseNotARunningSum) {
  // A running double sum of 0.1 ten million times is off by 1.6e-10 relative; pairwise
  // summation keeps the error near log2(n) roundings.
  const std::size_t n = 10'000'000;
  const std::vector<double> x(n, 0.1);
  const long double ref = static_cast<long double>(0.1) * n;
  const double got = reduce<double>("sum", x);
  EXPECT_LE(std::abs(got - ref) / ref, 1e-14L) << std::setprecision(17) << got;
  const double mean = reduce<double>("mean", x);
  EXPECT_LE(std::abs(mean - 0.1L) / 0.1L, 1e-14L) << std::setprecision(17) << mean;
}

template <class T>
void check_var_with_offset(T offset, T spread, long double rel_tol) {
  std::mt19937_64 rng(kSeed + 5);
  const std::size_t n = 100'000;
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<T> x(n);
  for (auto& v : x) v = offset + static_cast<T>(spread * u(rng));
  long double mean = 0;
  for (T v : x) mean += v;
  mean /= n;
  long double m2 = 0;
  for (T v : x) m2 += (v - mean) * (v - mean);
  const long double ref = m2 / (n - 1);
  SCOPED_TRACE(::testing::Message() << "dtype=" << tessera::name(tessera::dtype_of<T>) << " seed=" << kSeed + 5);
  const ReductionKernel& k = kernel("var", tessera::dtype_of<T>);
  auto check = [&](const std::vector<std::byte>& state, const char* how) {
    T got;
    k.finalize(state.data(), &got, 1, 1.0);
    EXPECT_LE(std::abs(got - ref) / ref, rel_tol) << how << ": " << got << " vs " << static_cast<double>(ref);
  };
  check(fold_whole(k, x.data(), n, 0, 1), "fold_run");
  check(fold_split(k, x.data(), n, 0, 1, rng, true), "split");
  auto each = new_states(k, 1);
  for (std::size_t i = 0; i < n; ++i) k.fold_each(each.data(), &x[i], 1, static_cast<std::int64_t>(i));
  check(each, "fold_each");
  // Blocks of 4 rows, as the fused evaluator's tiles of a 500-column chunk come.
  auto rows = new_states(k, 1);
  for (std::size_t i = 0; i < n; i += 4) {
    k.fold_rows(rows.data(), &x[i], std::min<std::size_t>(4, n - i), 1, static_cast<std::int64_t>(i), 1);
  }
  check(rows, "fold_rows");
}

TEST(Var, StableForALargeOffset) {
  // A textbook sum-of-squares formula loses every digit here, and a Welford update that
  // rounds the mean to one double at each step loses about half of them.
  check_var_with_offset<double>(1e9, 1.0, 1e-13L);
  check_var_with_offset<float>(1e4f, 1.0f, 1e-7L);  // float32 rounding of the result
}

TEST(Var, CorrectionAndComplex) {
  const std::vector<double> x = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(reduce<double>("var", x, 0, 1, 0.0), 1.25);
  EXPECT_DOUBLE_EQ(reduce<double>("var", x, 0, 1, 1.0), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(reduce<double>("var", x, 0, 1, 3.5), 10.0);
  EXPECT_TRUE(std::isnan(reduce<double>("var", x, 0, 1, 4.0)));  // N - correction <= 0
  EXPECT_TRUE(std::isnan(reduce<double>("var", std::vector<double>{7}, 0, 1, 1.0)));
  EXPECT_DOUBLE_EQ(reduce<double>("var", std::vector<std::int64_t>{1, 3}), 1.0);
  // var of complex: mean of |x - mean|^2 = (|1+i|^2 + |-1-i|^2) / 2 = 2.
  using C = std::complex<float>;
  EXPECT_FLOAT_EQ(reduce<float>("var", std::vector<C>{{0, 0}, {2, 2}}), 2.0f);
  EXPECT_TRUE(std::isnan(reduce<double>("var", std::vector<double>{1, NAN, 3})));
}

}  // namespace
}  // namespace reduction_tests
