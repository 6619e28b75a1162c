// NumPy's results on chosen values, for the CPU elementwise kernels: the cases where
// NumPy's semantics are easy to get wrong (floored division, wrapping, NaN propagation,
// complex order, shifts past the width, rounding half to even, complex special values).
// elementwise_test.cpp compares every kernel with a reference on random inputs; this
// file pins the reference's semantics to numbers NumPy gives.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <numbers>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

#include "tessera/core/dtype.hpp"
#include "tessera/kernels/registry.hpp"

namespace elementwise_numpy_tests {  // a name of its own: test files compile in batches (tests/cpp/CMakeLists.txt)
namespace {

using tessera::DeviceKind;
using tessera::DType;
using tessera::dtype_of;
using tessera::kernels::KernelRegistry;

const KernelRegistry& registry() {
  static const KernelRegistry* const r = [] {
    auto* built = new KernelRegistry;  // never destroyed, like KernelRegistry::instance()
    tessera::kernels::register_cpu_elementwise(*built);
    return built;
  }();
  return *r;
}

/// Runs kernel `op` for the dtypes of `args` on one element of each.
template <class Out, class... T>
Out call(std::string_view op, T... args) {
  const std::array<DType, sizeof...(T)> signature{dtype_of<T>...};
  const auto* kernel = registry().find_elementwise(op, signature, DeviceKind::cpu);
  if (kernel == nullptr || kernel->output != dtype_of<Out>) {
    ADD_FAILURE() << "no kernel " << op << " with output " << tessera::name(dtype_of<Out>);
    return Out{};
  }
  const std::array<const void*, sizeof...(T)> pointers{&args...};
  Out out{};
  kernel->fn(pointers.data(), &out, 1);
  return out;
}

template <class R>
bool has_nan(std::complex<R> z) {
  return std::isnan(z.real()) || std::isnan(z.imag());
}

/// Same value: NaN matches NaN, zeros agree in sign.
template <class R>
bool same_real(R a, R b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

template <class T>
void expect_same(T got, T want) {
  std::ostringstream text;
  text.precision(17);
  if constexpr (std::is_floating_point_v<T>) {
    text << got << " != " << want;
    EXPECT_TRUE(same_real(got, want)) << text.str();
  } else {
    text << got << " != " << want;
    EXPECT_TRUE(same_real(got.real(), want.real()) && same_real(got.imag(), want.imag())) << text.str();
  }
}

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
using c128 = std::complex<double>;

TEST(CpuElementwiseNumpy, IntegerDivisionFloorsAndNeverTraps) {
  constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
  const std::int32_t cases[][4] = {{-7, 2, -4, 1}, {7, -2, -4, -1},     {-7, -2, 3, -1},    {7, 2, 3, 1},
                                   {7, 0, 0, 0},   {kMin, -1, kMin, 0}, {kMin, 1, kMin, 0}, {0, -3, 0, 0}};
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << c[0] << " // " << c[1]);
    EXPECT_EQ(call<std::int32_t>("floor_divide", c[0], c[1]), c[2]);
    EXPECT_EQ(call<std::int32_t>("remainder", c[0], c[1]), c[3]);
  }
  EXPECT_EQ(call<std::int64_t>("floor_divide", std::numeric_limits<std::int64_t>::min(), std::int64_t{-1}),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(call<std::uint8_t>("floor_divide", std::uint8_t{200}, std::uint8_t{0}), 0);
  EXPECT_EQ(call<std::int8_t>("remainder", std::int8_t{-128}, std::int8_t{-1}), 0);
}

TEST(CpuElementwiseNumpy, FloatFloorDivisionAndRemainderFollowPython) {
  const double cases[][4] = {{-1, 3, -1, 2},       {1, -3, -1, -2},      {5.5, 2, 2, 1.5},     {1, 0, kInf, kNan},
                             {-1, 0, -kInf, kNan}, {0, 0, kNan, kNan},   {-0.0, 1, -0.0, 0.0}, {0.0, -1, -0.0, -0.0},
                             {1, kInf, 0, 1},      {-1, kInf, -1, kInf}, {kInf, 2, kNan, kNan}};
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << c[0] << " // " << c[1]);
    expect_same(call<double>("floor_divide", c[0], c[1]), c[2]);
    expect_same(call<double>("remainder", c[0], c[1]), c[3]);
  }
}

TEST(CpuElementwiseNumpy, IntegersWrap) {
  EXPECT_EQ(call<std::int8_t>("add", std::int8_t{127}, std::int8_t{1}), -128);
  EXPECT_EQ(call<std::int32_t>("multiply", std::numeric_limits<std::int32_t>::max(), 2), -2);
  EXPECT_EQ(call<std::uint16_t>("multiply", std::uint16_t{65535}, std::uint16_t{65535}), 1);
  EXPECT_EQ(call<std::int64_t>("subtract", std::numeric_limits<std::int64_t>::min(), std::int64_t{1}),
            std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(call<std::int32_t>("negative", std::numeric_limits<std::int32_t>::min()),
            std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(call<std::int64_t>("abs", std::numeric_limits<std::int64_t>::min()),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(call<std::uint8_t>("negative", std::uint8_t{1}), 255);
  EXPECT_EQ(call<std::int8_t>("square", std::int8_t{16}), 0);
  EXPECT_EQ(call<bool>("add", true, true), true);
  EXPECT_EQ(call<bool>("multiply", true, false), false);
}

TEST(CpuElementwiseNumpy, IntegerPower) {
  EXPECT_EQ(call<std::int32_t>("pow", 2, 10), 1024);
  EXPECT_EQ(call<std::int32_t>("pow", 2, 31), std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(call<std::int32_t>("pow", -2, 3), -8);
  EXPECT_EQ(call<std::int32_t>("pow", 0, 0), 1);
  EXPECT_EQ(call<std::int64_t>("pow", std::int64_t{3}, std::int64_t{40}), -6289078614652622815);
  EXPECT_EQ(call<std::int64_t>("pow", std::int64_t{-1}, std::numeric_limits<std::int64_t>::max()), -1);
  EXPECT_EQ(call<std::uint32_t>("pow", 7u, 13u), 2399729895u);
  EXPECT_EQ(call<std::uint8_t>("pow", std::uint8_t{3}, std::uint8_t{6}), 217);
  EXPECT_EQ(call<double>("pow", 2.0, -1.0), 0.5);
}

TEST(CpuElementwiseNumpy, ComplexArithmetic) {
  const c128 q = call<c128>("divide", c128(1, 2), c128(3, 4));
  EXPECT_NEAR(q.real(), 0.44, 1e-15);
  EXPECT_NEAR(q.imag(), 0.08, 1e-15);
  expect_same(call<c128>("divide", c128(1, -1), c128(0, 0)), c128(kInf, -kInf));
  expect_same(call<c128>("divide", c128(0, 0), c128(0, 0)), c128(kNan, kNan));
  expect_same(call<c128>("pow", c128(1, 1), c128(4, 0)), c128(-4, 0));
  const c128 p = call<c128>("pow", c128(1, 1), c128(-2, 0));
  EXPECT_NEAR(p.real(), 0, 1e-15);
  EXPECT_NEAR(p.imag(), -0.5, 1e-15);
  expect_same(call<c128>("pow", c128(0, 0), c128(0, 0)), c128(1, 0));
  expect_same(call<c128>("pow", c128(0, 0), c128(2, 0)), c128(0, 0));
  EXPECT_EQ(call<double>("abs", c128(3, 4)), 5);
  EXPECT_EQ(call<double>("abs", c128(kInf, kNan)), kInf);
  const c128 s = call<c128>("sign", c128(3, 4));
  EXPECT_NEAR(s.real(), 0.6, 1e-15);
  EXPECT_NEAR(s.imag(), 0.8, 1e-15);
  expect_same(call<c128>("sign", c128(0, 0)), c128(0, 0));
  expect_same(call<c128>("sign", c128(-kInf, 1)), c128(-1, 0));
  // |z| overflows although z is finite: still z / |z|.
  const auto big = call<std::complex<float>>("sign", std::complex<float>(3e38f, 3e38f));
  EXPECT_NEAR(big.real(), std::sqrt(0.5f), 1e-6f);
  EXPECT_NEAR(big.imag(), std::sqrt(0.5f), 1e-6f);
}

TEST(CpuElementwiseNumpy, SignMaximumMinimum) {
  EXPECT_EQ(call<std::int8_t>("sign", std::int8_t{-5}), -1);
  EXPECT_EQ(call<std::uint16_t>("sign", std::uint16_t{9}), 1);
  expect_same(call<double>("sign", -0.0), 0.0);
  expect_same(call<double>("sign", kNan), kNan);
  expect_same(call<double>("sign", -kInf), -1.0);
  expect_same(call<double>("maximum", kNan, 1.0), kNan);
  expect_same(call<double>("maximum", 1.0, kNan), kNan);
  expect_same(call<float>("minimum", 1.0f, std::numeric_limits<float>::quiet_NaN()),
              std::numeric_limits<float>::quiet_NaN());
  expect_same(call<double>("minimum", -kInf, 3.0), -kInf);
  expect_same(call<c128>("maximum", c128(1, 2), c128(1, 3)), c128(1, 3));
  expect_same(call<c128>("maximum", c128(2, 0), c128(1, 5)), c128(2, 0));
  expect_same(call<c128>("minimum", c128(2, 0), c128(1, 5)), c128(1, 5));
  EXPECT_TRUE(has_nan(call<c128>("maximum", c128(1, 1), c128(0, kNan))));
  EXPECT_EQ(call<bool>("maximum", false, true), true);
  EXPECT_EQ(call<bool>("minimum", false, true), false);
}

TEST(CpuElementwiseNumpy, ComplexComparisonsAreLexicographic) {
  EXPECT_TRUE(call<bool>("less", c128(1, 2), c128(1, 3)));
  EXPECT_TRUE(call<bool>("less", c128(1, 5), c128(2, 0)));
  EXPECT_FALSE(call<bool>("less", c128(2, 0), c128(1, 5)));
  EXPECT_TRUE(call<bool>("greater_equal", c128(2, 0), c128(2, 0)));
  EXPECT_FALSE(call<bool>("less", c128(kNan, 0), c128(1, 0)));
  EXPECT_FALSE(call<bool>("less_equal", c128(1, kNan), c128(1, kNan)));
  EXPECT_TRUE(call<bool>("not_equal", c128(kNan, 0), c128(kNan, 0)));
  EXPECT_TRUE(call<bool>("less", false, true));
}

TEST(CpuElementwiseNumpy, ShiftsBeyondTheWidth) {
  EXPECT_EQ(call<std::int8_t>("bitwise_left_shift", std::int8_t{1}, std::int8_t{7}), -128);
  EXPECT_EQ(call<std::int8_t>("bitwise_left_shift", std::int8_t{1}, std::int8_t{8}), 0);
  EXPECT_EQ(call<std::int8_t>("bitwise_left_shift", std::int8_t{1}, std::int8_t{-1}), 0);
  EXPECT_EQ(call<std::int8_t>("bitwise_right_shift", std::int8_t{-128}, std::int8_t{7}), -1);
  EXPECT_EQ(call<std::int8_t>("bitwise_right_shift", std::int8_t{-128}, std::int8_t{8}), -1);
  EXPECT_EQ(call<std::int8_t>("bitwise_right_shift", std::int8_t{64}, std::int8_t{100}), 0);
  EXPECT_EQ(call<std::int8_t>("bitwise_right_shift", std::int8_t{-8}, std::int8_t{-1}), -1);  // as NumPy
  EXPECT_EQ(call<std::uint8_t>("bitwise_right_shift", std::uint8_t{255}, std::uint8_t{8}), 0);
  EXPECT_EQ(call<std::uint16_t>("bitwise_left_shift", std::uint16_t{65535}, std::uint16_t{15}), 32768);
  EXPECT_EQ(call<std::int64_t>("bitwise_left_shift", std::int64_t{1}, std::int64_t{63}),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(call<std::int64_t>("bitwise_left_shift", std::int64_t{3}, std::int64_t{64}), 0);
  EXPECT_EQ(call<std::uint64_t>("bitwise_right_shift", ~std::uint64_t{0}, std::uint64_t{63}), 1u);
  EXPECT_EQ(call<std::int32_t>("bitwise_invert", 0), -1);
  EXPECT_EQ(call<bool>("bitwise_invert", true), false);
  EXPECT_EQ(call<bool>("bitwise_xor", true, true), false);
}

TEST(CpuElementwiseNumpy, RoundHalfToEven) {
  const double cases[][2] = {
      {0.5, 0}, {1.5, 2}, {2.5, 2}, {-0.5, -0.0}, {-1.5, -2}, {-2.5, -2}, {0.49999999999999994, 0}};
  for (const auto& c : cases) expect_same(call<double>("round", c[0]), c[1]);
  expect_same(call<float>("round", 3.5f), 4.0f);
  expect_same(call<c128>("round", c128(0.5, 1.5)), c128(0, 2));
  EXPECT_EQ(call<std::int16_t>("round", std::int16_t{-3}), -3);
  EXPECT_EQ(call<std::uint64_t>("floor", ~std::uint64_t{0}), ~std::uint64_t{0});
}

TEST(CpuElementwiseNumpy, ClassificationAndParts) {
  EXPECT_FALSE(call<bool>("isnan", std::int32_t{5}));
  EXPECT_FALSE(call<bool>("isinf", std::numeric_limits<std::int64_t>::max()));
  EXPECT_TRUE(call<bool>("isfinite", std::uint8_t{255}));
  EXPECT_TRUE(call<bool>("isnan", c128(kInf, kNan)));
  EXPECT_TRUE(call<bool>("isinf", c128(kInf, kNan)));
  EXPECT_FALSE(call<bool>("isfinite", c128(1, kInf)));
  EXPECT_TRUE(call<bool>("signbit", -0.0));
  EXPECT_FALSE(call<bool>("signbit", kNan));
  EXPECT_EQ(call<float>("real", std::complex<float>(1.5f, -2.f)), 1.5f);
  EXPECT_EQ(call<float>("imag", std::complex<float>(1.5f, -2.f)), -2.f);
  expect_same(call<c128>("conj", c128(1, 0)), c128(1, -0.0));
  EXPECT_EQ(call<std::int32_t>("conj", 7), 7);
}

TEST(CpuElementwiseNumpy, ExpLogFamily) {
  expect_same(call<double>("logaddexp", -kInf, -kInf), -kInf);
  expect_same(call<double>("logaddexp", kInf, kInf), kInf);
  expect_same(call<double>("logaddexp", 0.0, 0.0), std::numbers::ln2);
  expect_same(call<double>("logaddexp", 1000.0, 1000.0), 1000.0 + std::numbers::ln2);
  expect_same(call<double>("logaddexp", kNan, 1.0), kNan);
  expect_same(call<double>("logaddexp", 5.0, -kInf), 5.0);
  // Small arguments keep their precision where exp(z) - 1 and log(1 + z) would lose it.
  EXPECT_NEAR(call<c128>("expm1", c128(1e-10, 0)).real(), 1.00000000005e-10, 1e-24);
  const c128 l = call<c128>("log1p", c128(1e-8, 1e-8));
  EXPECT_NEAR(l.real(), 1e-8, 1e-22);
  EXPECT_NEAR(l.imag(), 9.9999999e-9, 1e-22);
  EXPECT_NEAR(call<c128>("log2", c128(8, 0)).real(), 3, 1e-15);
  EXPECT_NEAR(call<c128>("log10", c128(0, 100)).real(), 2, 1e-15);
  EXPECT_NEAR(call<c128>("log10", c128(0, 100)).imag(), std::numbers::pi / 2 / std::numbers::ln10, 1e-15);
  expect_same(call<double>("sqrt", -1.0), kNan);
  expect_same(call<c128>("sqrt", c128(-4, 0)), c128(0, 2));
}

}  // namespace
}  // namespace elementwise_numpy_tests
