// The vectorized float math kernels (SLEEF, one table per x86 instruction set) against the
// scalar libm kernels they replace: every vector kernel of every level the CPU supports,
// float32 and float64, on special values (signed zeros, infinities, NaN, denormals, the
// extremes, huge trigonometric arguments, arguments outside the domain, the overflow
// thresholds of exp), every pair of them for the binary functions, and random values
// over the whole range of bit patterns and over the usual ranges. Lengths that leave a
// partial last vector, and the output aliasing the input, are covered too.
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "tessera/core/dtype.hpp"
#include "tessera/core/error.hpp"
#include "tessera/kernels/registry.hpp"

namespace vector_math_tests {  // a name of its own: test files compile in batches (tests/cpp/CMakeLists.txt)
namespace {

using tessera::DeviceKind;
using tessera::DType;
using tessera::dtype_of;
using tessera::kernels::CpuVectorMath;
using tessera::kernels::ElementwiseKernel;
using tessera::kernels::KernelRegistry;

const KernelRegistry& scalar_registry() {
  static const KernelRegistry* const r = [] {
    auto* built = new KernelRegistry;  // never destroyed, like KernelRegistry::instance()
    tessera::kernels::register_cpu_elementwise(*built, CpuVectorMath::none);
    return built;
  }();
  return *r;
}

/// The largest difference allowed, in units in the last place, between a vector kernel
/// and libm: SLEEF's functions are within 1 ULP of the exact result (hypot 0.5), glibc's
/// within 1 ULP but for the few its manual lists at 2 (sinh, tanh, log10, the inverse
/// hyperbolic functions). Over a million random values per kernel the largest difference
/// measured was 2 ULP (asinh, acosh, atanh, log10, sinh, tanh), 1 ULP for the others.
constexpr int kMaxUlps = 2;

/// Distance in ULPs of two finite or infinite values of one sign: the difference of
/// their bit patterns mapped to a monotonic integer order.
template <class T>
std::int64_t ulp_distance(T a, T b) {
  using Bits = std::conditional_t<sizeof(T) == 8, std::int64_t, std::int32_t>;
  auto ordered = [](T v) {
    const auto bits = std::bit_cast<Bits>(v);
    return static_cast<std::int64_t>(bits < 0 ? std::numeric_limits<Bits>::min() - bits : bits);
  };
  const std::int64_t d = ordered(a) - ordered(b);
  return d < 0 ? -d : d;
}

/// Same NaN-ness, same infinities, same sign of zero, else within `ulps`.
template <class T>
bool agrees(T got, T want, int ulps) {
  if (std::isnan(got) || std::isnan(want)) return std::isnan(got) && std::isnan(want);
  if (std::isinf(got) || std::isinf(want) || got == 0 || want == 0) {
    if (got == want && std::signbit(got) == std::signbit(want)) return true;
    // A result that underflows to zero in one and to the smallest denormal in the other.
    return std::isfinite(got) && std::isfinite(want) && ulp_distance(got, want) <= ulps;
  }
  return ulp_distance(got, want) <= ulps;
}

template <class T>
std::vector<T> special_values() {
  using L = std::numeric_limits<T>;
  std::vector<T> v = {T(0),        T(1),           T(0.5),         T(2),          T(3),
                      T(10),       T(100),         T(1e-7),        T(0.999),      T(1.001),
                      std::numbers::pi_v<T>,       std::numbers::pi_v<T> / 2,     std::numbers::pi_v<T> / 4,
                      T(1e6),      T(1e15),        T(1e22),        T(88.7),       T(89),
                      T(709.78),   T(710),         T(745.2),       T(746),        T(103.9),
                      T(104),      T(20),          T(40),          L::max(),      L::min(),
                      L::denorm_min(),             L::min() / 4,   L::epsilon(),  L::infinity()};
  const std::size_t positives = v.size();
  for (std::size_t i = 0; i < positives; ++i) v.push_back(-v[i]);
  v.push_back(L::quiet_NaN());
  return v;
}

/// Random values: a third uniform over all finite bit patterns (so every binade from the
/// denormals to the largest values), the rest uniform over [-1, 1] and [-30, 30].
template <class T>
std::vector<T> random_values(std::size_t n, std::mt19937_64& rng) {
  using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
  std::vector<T> v(n);
  for (T& x : v) {
    switch (rng() % 3) {
      case 0:
        do {
          x = std::bit_cast<T>(static_cast<Bits>(rng()));
        } while (!std::isfinite(x));
        break;
      case 1: x = std::uniform_real_distribution<T>(-1, 1)(rng); break;
      default: x = std::uniform_real_distribution<T>(-30, 30)(rng); break;
    }
  }
  return v;
}

/// Runs `fn` over the columns and returns the output.
template <class T>
std::vector<T> run(const ElementwiseKernel& kernel, const std::vector<std::vector<T>>& columns) {
  std::array<const void*, 3> pointers{};
  for (std::size_t k = 0; k < columns.size(); ++k) pointers[k] = columns[k].data();
  std::vector<T> out(columns[0].size());
  kernel.fn(pointers.data(), out.data(), out.size());
  return out;
}

template <class T>
void compare(const std::string& op, const ElementwiseKernel& vector, const ElementwiseKernel& scalar,
             const std::vector<std::vector<T>>& columns, const char* what) {
  SCOPED_TRACE(::testing::Message() << op << "(" << tessera::name(dtype_of<T>) << ") on " << what << ", n="
                                    << columns[0].size());
  const std::vector<T> got = run(vector, columns), want = run(scalar, columns);
  const int ulps = kMaxUlps;
  int failures = 0;
  for (std::size_t i = 0; i < got.size() && failures < 5; ++i) {
    if (agrees(got[i], want[i], ulps)) continue;
    ++failures;
    std::ostringstream args;
    args.precision(std::numeric_limits<T>::max_digits10);
    for (std::size_t k = 0; k < columns.size(); ++k) args << (k ? ", " : "") << columns[k][i];
    std::ostringstream values;
    values.precision(std::numeric_limits<T>::max_digits10);
    values << got[i] << " vs libm " << want[i];
    ADD_FAILURE() << op << "(" << args.str() << ") = " << values.str() << " (more than " << ulps << " ULP apart)";
  }
  // In place: the output aliases the first input.
  if (got.empty()) return;
  std::vector<std::vector<T>> aliased = columns;
  std::array<const void*, 3> pointers{};
  for (std::size_t k = 0; k < aliased.size(); ++k) pointers[k] = aliased[k].data();
  vector.fn(pointers.data(), aliased[0].data(), aliased[0].size());
  EXPECT_EQ(std::memcmp(aliased[0].data(), got.data(), got.size() * sizeof(T)), 0) << "differs in place";
}

template <class T>
void check_kernel(const std::string& op, const ElementwiseKernel& vector) {
  const auto* scalar = scalar_registry().find_elementwise(op, std::span(vector.inputs.data(), vector.arity),
                                                          DeviceKind::cpu);
  ASSERT_NE(scalar, nullptr) << "no scalar kernel for " << op;
  ASSERT_EQ(scalar->output, vector.output);
  const std::vector<T> specials = special_values<T>();
  std::mt19937_64 rng(20240611);
  if (vector.arity == 1) {
    compare<T>(op, vector, *scalar, {specials}, "special values");
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{17}, std::size_t{20003}}) {
      compare<T>(op, vector, *scalar, {random_values<T>(n, rng)}, "random values");
    }
  } else {
    std::vector<T> a, b;
    for (T x : specials) {
      for (T y : specials) {
        a.push_back(x);
        b.push_back(y);
      }
    }
    compare<T>(op, vector, *scalar, {a, b}, "every pair of special values");
    for (std::size_t n : {std::size_t{1}, std::size_t{5}, std::size_t{20003}}) {
      compare<T>(op, vector, *scalar, {random_values<T>(n, rng), random_values<T>(n, rng)}, "random values");
    }
    // pow on moderate bases and exponents, where results are neither 0 nor infinite.
    std::vector<T> base(4000), exponent(4000);
    for (std::size_t i = 0; i < base.size(); ++i) {
      base[i] = std::uniform_real_distribution<T>(0, 4)(rng);
      exponent[i] = std::uniform_real_distribution<T>(-20, 20)(rng);
    }
    compare<T>(op, vector, *scalar, {base, exponent}, "moderate values");
    // A constant exponent of 2 takes pow's shortcut, x * x.
    std::vector<T> x = random_values<T>(1001, rng);
    x.insert(x.end(), specials.begin(), specials.end());
    compare<T>(op, vector, *scalar, {x, std::vector<T>(x.size(), T(2))}, "an exponent of 2");
  }
}

/// A 16-bit vector kernel (the float kernel between conversions: F16C's for float16,
/// shifts and rounding for bfloat16) against the scalar kernel (libm's float function,
/// rounded): every 16-bit value as input (pairs of special and random values for binary
/// operations), within one unit of the 16-bit type, since a float result one ULP off may
/// round to the neighbouring value. And bit for bit against `float_vector` (the float
/// kernel of the same table) on the widened inputs, rounded by tessera's own conversion:
/// the 16-bit kernel must be exactly that.
template <class N>
void check_narrow_kernel(const std::string& op, const ElementwiseKernel& vector,
                         const ElementwiseKernel& float_vector) {
  const auto* scalar = scalar_registry().find_elementwise(op, std::span(vector.inputs.data(), vector.arity),
                                                          DeviceKind::cpu);
  ASSERT_NE(scalar, nullptr) << "no scalar kernel for " << op;
  std::vector<std::vector<N>> columns(vector.arity);
  if (vector.arity == 1) {
    for (unsigned b = 0; b <= 0xffffu; ++b) columns[0].push_back(N::from_bits(static_cast<std::uint16_t>(b)));
  } else {
    std::vector<N> specials;
    for (float x : special_values<float>()) specials.push_back(x);
    for (N x : specials) {
      for (N y : specials) {
        columns[0].push_back(x);
        columns[1].push_back(y);
      }
    }
    std::mt19937_64 rng(20261125);
    for (int i = 0; i < 20003; ++i) {
      columns[0].push_back(N::from_bits(static_cast<std::uint16_t>(rng())));
      columns[1].push_back(op == "pow" && i % 2 ? N(2) : N::from_bits(static_cast<std::uint16_t>(rng())));
    }
  }
  const std::vector<N> got = run(vector, columns), want = run(*scalar, columns);
  std::vector<std::vector<float>> wide(columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) {
    for (N x : columns[c]) wide[c].push_back(static_cast<float>(x));
  }
  const std::vector<float> float_results = run(float_vector, wide);
  int mismatches = 0;
  for (std::size_t i = 0; i < got.size() && mismatches < 5; ++i) {
    const N rounded(float_results[i]);
    const bool both_nan = std::isnan(float_results[i]) && std::isnan(static_cast<float>(got[i]));
    if (both_nan || rounded.bits() == got[i].bits()) continue;
    ++mismatches;
    ADD_FAILURE() << op << "(" << tessera::name(tessera::dtype_of<N>) << " bits 0x" << std::hex << columns[0][i].bits()
                  << ") = bits 0x" << got[i].bits() << ", the float kernel's result rounded is 0x" << rounded.bits();
  }
  int failures = 0;
  for (std::size_t i = 0; i < got.size() && failures < 5; ++i) {
    const float g = static_cast<float>(got[i]), w = static_cast<float>(want[i]);
    const int steps = std::abs(static_cast<int>(got[i].bits() & 0x7fffu) - static_cast<int>(want[i].bits() & 0x7fffu));
    // Neighbouring values of one sign, but an infinity only for an infinity.
    const bool same = (std::isnan(g) && std::isnan(w)) ||
                      (!std::isnan(g) && !std::isnan(w) && std::isinf(g) == std::isinf(w) &&
                       (got[i].bits() & 0x8000u) == (want[i].bits() & 0x8000u) && steps <= 1);
    if (same) continue;
    ++failures;
    ADD_FAILURE() << op << "(" << tessera::name(tessera::dtype_of<N>) << " bits 0x" << std::hex
                  << columns[0][i].bits() << (vector.arity == 2 ? ", 0x" : "")
                  << (vector.arity == 2 ? columns[1][i].bits() : 0) << std::dec << ") = " << g << " vs scalar " << w;
  }
}

class VectorMath : public ::testing::TestWithParam<CpuVectorMath> {};

TEST_P(VectorMath, AgreesWithTheScalarKernels) {
  const CpuVectorMath level = GetParam();
  if (level > tessera::kernels::cpu_vector_math_support()) {
    GTEST_SKIP() << "this CPU has no " << tessera::kernels::name(level);
  }
  KernelRegistry vector_only;
  tessera::kernels::register_cpu_vector_math(vector_only, level);
  const auto kernels = vector_only.elementwise_kernels(DeviceKind::cpu);
  // The functions the vector kernels must cover, for the four float dtypes.
  const std::vector<std::string> expected = {"exp",  "expm1", "log",  "log1p", "log2",  "log10", "sin", "cos",
                                             "tan",  "asin",  "acos", "atan",  "sinh",  "cosh",  "tanh", "asinh",
                                             "acosh", "atanh", "atan2", "pow", "hypot"};
  EXPECT_EQ(kernels.size(), (tessera::kernels::cpu_has_f16c() ? 4 : 3) * expected.size());
  for (const std::string& op : expected) {
    for (DType dtype : {DType::float16, DType::bfloat16, DType::float32, DType::float64}) {
      if (dtype == DType::float16 && !tessera::kernels::cpu_has_f16c()) continue;
      const std::array<DType, 2> inputs{dtype, dtype};
      const std::size_t arity = (op == "atan2" || op == "pow" || op == "hypot") ? 2 : 1;
      EXPECT_NE(vector_only.find_elementwise(op, std::span(inputs.data(), arity), DeviceKind::cpu), nullptr)
          << "no vector kernel " << op << " for " << tessera::name(dtype);
    }
  }
  for (const auto& [op, kernel] : kernels) {
    if (kernel.inputs[0] == DType::float64) {
      check_kernel<double>(op, kernel);
    } else if (kernel.inputs[0] == DType::float16 || kernel.inputs[0] == DType::bfloat16) {
      const std::array<DType, 2> floats{DType::float32, DType::float32};
      const auto* float_kernel =
          vector_only.find_elementwise(op, std::span(floats.data(), kernel.arity), DeviceKind::cpu);
      ASSERT_NE(float_kernel, nullptr) << op;
      if (kernel.inputs[0] == DType::float16) {
        check_narrow_kernel<tessera::float16>(op, kernel, *float_kernel);
      } else {
        check_narrow_kernel<tessera::bfloat16>(op, kernel, *float_kernel);
      }
    } else {
      ASSERT_EQ(kernel.inputs[0], DType::float32) << op;
      check_kernel<float>(op, kernel);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Levels, VectorMath, ::testing::Values(CpuVectorMath::avx2_fma, CpuVectorMath::avx512),
                         [](const auto& level) { return std::string(tessera::kernels::name(level.param)); });

TEST(VectorMathDispatch, TheDefaultRegistryUsesTheBestLevelOfThisCpu) {
  const CpuVectorMath best = tessera::kernels::cpu_vector_math_support();
  KernelRegistry best_only;
  tessera::kernels::register_cpu_vector_math(best_only, best);
  const std::array<DType, 1> f64{DType::float64};
  const auto* chosen = KernelRegistry::instance().find_elementwise("sin", f64, DeviceKind::cpu);
  const auto* scalar = scalar_registry().find_elementwise("sin", f64, DeviceKind::cpu);
  ASSERT_NE(chosen, nullptr);
  if (best == CpuVectorMath::none) {
    EXPECT_EQ(chosen->fn, scalar->fn);
  } else {
    const auto* vector = best_only.find_elementwise("sin", f64, DeviceKind::cpu);
    ASSERT_NE(vector, nullptr);
    EXPECT_EQ(chosen->fn, vector->fn);
    EXPECT_NE(chosen->fn, scalar->fn);
  }
}

TEST(VectorMathDispatch, ALevelTheCpuLacksIsAValueError) {
  // AVX-512 where the CPU lacks it, else a level past every real one.
  const CpuVectorMath best = tessera::kernels::cpu_vector_math_support();
  const auto missing = best == CpuVectorMath::avx512 ? static_cast<CpuVectorMath>(3) : CpuVectorMath::avx512;
  KernelRegistry r;
  EXPECT_THROW(tessera::kernels::register_cpu_vector_math(r, missing), tessera::ValueError);
  EXPECT_TRUE(r.elementwise_kernels(DeviceKind::cpu).empty());
}

}  // namespace
}  // namespace vector_math_tests
