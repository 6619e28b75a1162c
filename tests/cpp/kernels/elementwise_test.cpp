// Tests of the CPU elementwise kernels (kernels/cpu/elementwise*.cpp): every kernel
// against its scalar reference (elementwise_reference.hpp), which also states the dtypes
// each operation must be registered for, so that a missing or a stray kernel fails.
// Kernels run on seeded random inputs mixed with special values, on every combination of
// special values, in place, and at lengths 0, 1, 7 and 1000; failures name op, dtypes,
// seed and length. elementwise_numpy_test.cpp pins NumPy's results on chosen values.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "tessera/core/dtype.hpp"
#include "tessera/core/error.hpp"
#include "tessera/kernels/registry.hpp"

#include "column.hpp"

#include "elementwise_reference.hpp"

namespace elementwise_tests {  // a name of its own: test files compile in batches (tests/cpp/CMakeLists.txt)
namespace {

using tessera::kernel_testing::Column;
using tessera::kernel_testing::element_repr;

using tessera::DeviceKind;
using tessera::DType;
using tessera::dtype_of;
using tessera::kernels::KernelRegistry;

const KernelRegistry& registry() {
  static const KernelRegistry* const r = [] {
    auto* built = new KernelRegistry;  // never destroyed, like KernelRegistry::instance()
    // The scalar kernels, compared exactly with libm; vector_math_test.cpp compares the
    // vectorized float math with them.
    tessera::kernels::register_cpu_elementwise(*built, tessera::kernels::CpuVectorMath::none);
    return built;
  }();
  return *r;
}

using namespace tessera::testing::elementwise_reference;

// ---- cases -------------------------------------------------------------------------------------
// Each (reference, dtype) becomes a type-erased case, so that the checking code below is
// compiled once per dtype rather than once per operation and dtype.

/// The 16-bit floats are checked as NumPy defines float16's loops: the float reference,
/// rounded to 16 bits.
template <class T>
using ref_input_t = std::conditional_t<tessera::is_narrow_float_v<T>, float, T>;
template <class T, class Result>
using stored_t = std::conditional_t<tessera::is_narrow_float_v<T> && std::is_same_v<Result, float>, T, Result>;

template <class Ref, class T, std::size_t Arity = Ref::arity>
struct RefResult;
template <class Ref, class T>
struct RefResult<Ref, T, 1> {
  using type = decltype(Ref::ref(std::declval<T>()));
};
template <class Ref, class T>
struct RefResult<Ref, T, 2> {
  using type = decltype(Ref::ref(std::declval<T>(), std::declval<T>()));
};
template <class Ref, class T>
struct RefResult<Ref, T, 3> {
  using type = decltype(Ref::ref(std::declval<bool>(), std::declval<T>(), std::declval<T>()));
};
template <class Ref, class T>
using ref_result_t = stored_t<T, typename RefResult<Ref, ref_input_t<T>>::type>;

/// The reference applied elementwise, with a kernel's calling convention. Not vectorized:
/// GCC 12 ICEs vectorizing signbit of a widened bfloat16 (the kernels read its bits).
template <class Ref, class T>
[[gnu::optimize("no-tree-vectorize")]] void reference_loop(const void* const* in, void* out, std::size_t n) {
  using Out = ref_result_t<Ref, T>;
  auto* result = static_cast<Out*>(out);
  auto arg = [in](std::size_t k, std::size_t i) { return static_cast<ref_input_t<T>>(static_cast<const T*>(in[k])[i]); };
  for (std::size_t i = 0; i < n; ++i) {
    if constexpr (Ref::arity == 1) {
      result[i] = static_cast<Out>(Ref::ref(arg(0, i)));
    } else if constexpr (Ref::arity == 2) {
      result[i] = static_cast<Out>(Ref::ref(arg(0, i), arg(1, i)));
    } else {
      result[i] = static_cast<Out>(Ref::ref(static_cast<const bool*>(in[0])[i], arg(1, i), arg(2, i)));
    }
  }
}

template <class Ref, class T>
void constrain_loop(void* column, std::size_t n, std::size_t which) {
  T* values = static_cast<T*>(column);
  for (std::size_t i = 0; i < n; ++i) values[i] = static_cast<T>(Ref::input(static_cast<ref_input_t<T>>(values[i]), which));
}

template <class Ref>
constexpr double tolerance_of() {
  if constexpr (requires { Ref::tolerance; })
    return Ref::tolerance;
  else
    return 0;
}

struct OpCase {
  std::string_view op;
  std::size_t arity = 0;
  std::array<DType, 3> inputs{};
  DType output{};
  double tolerance = 0;
  tessera::kernels::ElementwiseFn reference = nullptr;
  void (*constrain)(void* column, std::size_t n, std::size_t which) = nullptr;  // may be null
};

template <class... Refs>
std::vector<OpCase> cases_of(RefList<Refs...>) {
  std::vector<OpCase> cases;
  auto add = [&cases]<class Ref>() {
    for (std::size_t d = 0; d < tessera::kDTypeCount; ++d) {
      tessera::type_dispatch(static_cast<DType>(d), [&cases]<class T>() {
        if constexpr (Ref::template expected<ref_input_t<T>>) {
          OpCase c;
          c.op = Ref::name;
          c.arity = Ref::arity;
          for (std::size_t k = 0; k < Ref::arity; ++k)
            c.inputs[k] = Ref::arity == 3 && k == 0 ? DType::bool_ : dtype_of<T>;
          c.output = dtype_of<ref_result_t<Ref, T>>;
          c.tolerance = tolerance_of<Ref>();
          c.reference = &reference_loop<Ref, T>;
          if constexpr (requires { Ref::input(ref_input_t<T>{}, std::size_t{}); }) c.constrain = &constrain_loop<Ref, T>;
          cases.push_back(c);
        }
      });
    }
  };
  (add.template operator()<Refs>(), ...);
  return cases;
}

// ---- inputs --------------------------------------------------------------------------------------

template <class T>
std::vector<T> special_values() {
  using L = std::numeric_limits<T>;
  if constexpr (is_bool_v<T>) {
    return {false, true};
  } else if constexpr (is_int_v<T>) {
    std::vector<T> v = {0,
                        1,
                        2,
                        7,
                        100,
                        L::max(),
                        static_cast<T>(L::max() - 1),
                        L::min(),
                        static_cast<T>(L::min() + 1),
                        static_cast<T>(sizeof(T) * 8 - 1),
                        static_cast<T>(sizeof(T) * 8)};
    if constexpr (std::is_signed_v<T>) v.insert(v.end(), {T(-1), T(-2), T(-7), T(-100)});
    return v;
  } else if constexpr (tessera::is_narrow_float_v<T>) {
    std::vector<T> v;
    for (float x : special_values<float>()) v.push_back(T(x));
    v.insert(v.end(), {T(65504), T(-65504), T(2048), T(0.33325), L::min(), L::denorm_min(), -L::denorm_min()});
    return v;
  } else if constexpr (is_real_float_v<T>) {
    return {T(0),           T(-0.0),        T(1),     T(-1),       T(0.5),   T(-0.5),        T(1.5),
            T(2.5),         T(-2.5),        T(3),     T(-3),       T(100),   T(1e-30),       L::infinity(),
            -L::infinity(), L::quiet_NaN(), L::max(), L::lowest(), L::min(), L::denorm_min()};
  } else {
    using R = real_t<T>;
    const std::vector<R> parts = {R(0),
                                  R(-0.0),
                                  R(1),
                                  R(-1),
                                  R(2.5),
                                  std::numeric_limits<R>::infinity(),
                                  -std::numeric_limits<R>::infinity(),
                                  std::numeric_limits<R>::quiet_NaN()};
    std::vector<T> v;
    for (R re : parts) {
      for (R im : parts) v.emplace_back(re, im);
    }
    return v;
  }
}

template <class R>
R random_real(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0:
      return std::uniform_real_distribution<R>(-10, 10)(rng);
    case 1:
      return std::uniform_real_distribution<R>(-1, 1)(rng);  // the domain of asin, atanh
    case 2: {
      const R magnitude = std::exp(std::uniform_real_distribution<R>(-40, 40)(rng));
      return rng() % 2 ? magnitude : -magnitude;
    }
    default:
      return static_cast<R>(static_cast<int>(rng() % 41) - 20) / 2;  // halves, for round
  }
}

/// A random value, a special one a quarter of the time. Half the integers are small, so
/// that shifts and exponents fall in range.
template <class T>
T random_value(std::mt19937_64& rng, const std::vector<T>& specials) {
  if (rng() % 4 == 0) return specials[rng() % specials.size()];
  if constexpr (is_bool_v<T>) {
    return rng() % 2 != 0;
  } else if constexpr (is_int_v<T>) {
    if (rng() % 2) return static_cast<T>(rng());  // the full range, modulo 2^bits
    const auto small = static_cast<std::int64_t>(rng() % 141) - 70;
    return static_cast<T>(std::is_signed_v<T> ? small : (small < 0 ? -small : small));  // all fit in int8
  } else if constexpr (tessera::is_narrow_float_v<T>) {
    return T(random_real<float>(rng));
  } else if constexpr (is_real_float_v<T>) {
    return random_real<T>(rng);
  } else {
    return T{random_real<real_t<T>>(rng), random_real<real_t<T>>(rng)};
  }
}

void fill_random(Column& column, std::mt19937_64& rng) {
  tessera::type_dispatch(column.dtype(), [&]<class T>() {
    const std::vector<T> specials = special_values<T>();
    T* values = static_cast<T*>(column.data());
    for (std::size_t i = 0; i < column.size(); ++i) values[i] = random_value(rng, specials);
  });
}

std::size_t special_count(DType dtype) {
  return tessera::type_dispatch(dtype, []<class T>() { return special_values<T>().size(); });
}

/// Element i gets special value (i / stride) % count: with strides 1, count, count^2, ...
/// the inputs run through every combination of special values.
void fill_all_combinations(Column& column, std::size_t stride) {
  tessera::type_dispatch(column.dtype(), [&]<class T>() {
    const std::vector<T> specials = special_values<T>();
    T* values = static_cast<T*>(column.data());
    for (std::size_t i = 0; i < column.size(); ++i) values[i] = specials[(i / stride) % specials.size()];
  });
}

// ---- comparison and printing -------------------------------------------------------------------

/// Equal values: NaN matches NaN and zeros must agree in sign. With a tolerance (in
/// epsilons), finite values may differ by that much relative to the result's magnitude.
template <class R>
bool same_real(R got, R want, R scale, double tolerance) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  if (got == want) return tolerance > 0 || std::signbit(got) == std::signbit(want);
  if (tolerance == 0 || !std::isfinite(got) || !std::isfinite(want)) return false;
  const R limit =
      static_cast<R>(tolerance) * std::numeric_limits<R>::epsilon() * std::max(scale, std::numeric_limits<R>::min());
  return std::fabs(got - want) <= limit;
}

bool same_element(const Column& got, const Column& want, std::size_t i, double tolerance) {
  return tessera::type_dispatch(got.dtype(), [&]<class T>() {
    const T g = static_cast<const T*>(got.data())[i], w = static_cast<const T*>(want.data())[i];
    if constexpr (is_complex_v<T>) {
      const auto scale = std::max(std::fabs(w.real()), std::fabs(w.imag()));
      return same_real(g.real(), w.real(), scale, tolerance) && same_real(g.imag(), w.imag(), scale, tolerance);
    } else if constexpr (tessera::is_narrow_float_v<T>) {
      // A tolerance in the 16-bit type's epsilons (2^13 of float's for float16, 2^16 for bfloat16).
      const float gf = static_cast<float>(g), wf = static_cast<float>(w);
      const double epsilons = static_cast<double>(std::numeric_limits<T>::epsilon()) / FLT_EPSILON;
      return same_real(gf, wf, std::fabs(wf), tolerance * epsilons);
    } else if constexpr (is_real_float_v<T>) {
      return same_real(g, w, std::fabs(w), tolerance);
    } else {
      return g == w;
    }
  });
}

std::string signature_text(std::string_view op, std::span<const DType> inputs, DType output) {
  std::string s(op);
  s += '(';
  for (std::size_t i = 0; i < inputs.size(); ++i) s += (i ? ", " : "") + std::string(tessera::name(inputs[i]));
  return s + ") -> " + std::string(tessera::name(output));
}

std::string signature_text(const OpCase& c) {
  return signature_text(c.op, std::span(c.inputs.data(), c.arity), c.output);
}

// ---- the checks --------------------------------------------------------------------------------

constexpr std::uint64_t kSeeds[] = {20240601, 7, 123456789};
constexpr std::size_t kLengths[] = {0, 1, 7, 1000};

/// Runs the case's kernel against its reference: on random inputs at each seed and
/// length, on every combination of special values (reported as seed 0), and in place
/// on each input the output may alias.
void check_case(const OpCase& c) {
  SCOPED_TRACE(::testing::Message() << "kernel " << signature_text(c));
  const auto* kernel = registry().find_elementwise(c.op, std::span(c.inputs.data(), c.arity), DeviceKind::cpu);
  ASSERT_NE(kernel, nullptr) << "kernel not registered";
  ASSERT_EQ(kernel->output, c.output) << "output dtype " << tessera::name(kernel->output);

  std::vector<std::pair<std::size_t, std::uint64_t>> runs;  // (length, seed)
  for (std::uint64_t seed : kSeeds) {
    for (std::size_t n : kLengths) runs.emplace_back(n, seed);
  }
  std::size_t combinations = 1;
  for (std::size_t k = 0; k < c.arity; ++k) combinations *= special_count(c.inputs[k]);
  runs.emplace_back(combinations, 0);

  for (const auto& [n, seed] : runs) {
    SCOPED_TRACE(::testing::Message() << "seed=" << seed << (seed == 0 ? " (every combination of special values)" : "")
                                      << " n=" << n);
    std::mt19937_64 rng(seed);
    std::vector<Column> in;
    std::array<const void*, 3> pointers{};
    std::size_t stride = 1;
    for (std::size_t k = 0; k < c.arity; ++k) {
      Column& column = in.emplace_back(c.inputs[k], n);
      if (seed == 0) {
        fill_all_combinations(column, stride);
        stride *= special_count(c.inputs[k]);
      } else {
        fill_random(column, rng);
      }
      if (c.constrain) c.constrain(column.data(), n, k);
      pointers[k] = column.data();
    }
    Column got(c.output, n), want(c.output, n);
    kernel->fn(pointers.data(), got.data(), n);
    c.reference(pointers.data(), want.data(), n);
    int failures = 0;
    for (std::size_t i = 0; i < n && failures < 5; ++i) {
      if (same_element(got, want, i, c.tolerance)) continue;
      ++failures;
      std::string args;
      for (const Column& column : in) args += (args.empty() ? "" : ", ") + element_repr(column, i);
      ADD_FAILURE() << "element " << i << ": " << c.op << '(' << args << ") = " << element_repr(got, i) << ", expected "
                    << element_repr(want, i);
    }
    for (std::size_t k = 0; k < c.arity; ++k) {  // the output may alias an input of its dtype
      if (c.inputs[k] != c.output || n == 0) continue;
      Column in_place(c.output, n);
      std::memcpy(in_place.data(), in[k].data(), in[k].bytes());
      std::array<const void*, 3> aliased = pointers;
      aliased[k] = in_place.data();
      kernel->fn(aliased.data(), in_place.data(), n);
      EXPECT_EQ(std::memcmp(in_place.data(), got.data(), got.bytes()), 0) << "differs with the output in input " << k;
    }
  }
}

TEST(CpuElementwise, RegistersExactlyTheExpectedOpsForEachDtype) {
  std::set<std::string> expected;
  for (const auto& list : {cases_of(ArithmeticRefs{}), cases_of(LogicRefs{}), cases_of(MathRefs{})}) {
    for (const OpCase& c : list) expected.insert(signature_text(c));
  }
  std::set<std::string> registered;
  for (const auto& [op, kernel] : registry().elementwise_kernels(DeviceKind::cpu)) {
    registered.insert(signature_text(op, std::span(kernel.inputs.data(), kernel.arity), kernel.output));
  }
  for (const auto& s : expected) EXPECT_TRUE(registered.count(s)) << "missing kernel: " << s;
  for (const auto& s : registered) EXPECT_TRUE(expected.count(s)) << "unexpected kernel: " << s;
}

TEST(CpuElementwise, ArithmeticMatchesTheReference) {
  for (const OpCase& c : cases_of(ArithmeticRefs{})) check_case(c);
}

TEST(CpuElementwise, ComparisonsLogicalBitwiseAndWhereMatchTheReference) {
  for (const OpCase& c : cases_of(LogicRefs{})) check_case(c);
}

TEST(CpuElementwise, MathMatchesTheReference) {
  for (const OpCase& c : cases_of(MathRefs{})) check_case(c);
}

TEST(CpuElementwise, IntegerPowerOfANegativeExponentIsAValueError) {
  for (DType dtype : {DType::int8, DType::int16, DType::int32, DType::int64}) {
    SCOPED_TRACE(tessera::name(dtype));
    const std::array<DType, 2> signature{dtype, dtype};
    const auto* kernel = registry().find_elementwise("pow", signature, DeviceKind::cpu);
    ASSERT_NE(kernel, nullptr);
    Column base(dtype, 3), exponent(dtype, 3), out(dtype, 3);
    tessera::type_dispatch(dtype, [&]<class T>() {
      static_cast<T*>(base.data())[2] = 2;
      static_cast<T*>(exponent.data())[2] = -1;
    });
    const std::array<const void*, 2> pointers{base.data(), exponent.data()};
    try {
      kernel->fn(pointers.data(), out.data(), 3);
      ADD_FAILURE() << "no exception";
    } catch (const tessera::ValueError& e) {
      EXPECT_STREQ(e.what(), "Integers to negative integer powers are not allowed");
    }
  }
}

}  // namespace
}  // namespace elementwise_tests
