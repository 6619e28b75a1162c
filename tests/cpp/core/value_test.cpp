// Value: make/get/nbytes and the serialize/deserialize round trip, typed over the value
// types with a codec, plus the TypeErrors of unserializable types and wrong gets.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include <tessera/tessera.hpp>

#include "core/runtime_helpers.hpp"

namespace {

using tessera::Value;

// Not trivially copyable and without ValueTraits: it has no codec.
struct Opaque {
  std::string label;
  std::vector<int> items;
  bool operator==(const Opaque&) const = default;
};

// Trivially copyable: the default codec copies its bytes.
struct Point {
  int x;
  double y;
  bool operator==(const Point&) const = default;
};

Value round_trip(const Value& value) {
  std::vector<std::byte> bytes;
  value.serialize(bytes);
  return Value::deserialize(*value.type(), bytes, value.nbytes());
}

// ---- typed round trips: a value, its expected nbytes, its serialized size ----------

template <class T>
struct Sample;

template <>
struct Sample<int> {
  static std::vector<int> values(std::mt19937_64& rng) {
    return {0, 1, -1, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), static_cast<int>(rng())};
  }
  static std::size_t nbytes(const int&) { return sizeof(int); }
  static std::size_t serialized_size(const int&) { return sizeof(int); }
};

template <>
struct Sample<double> {
  static std::vector<double> values(std::mt19937_64& rng) {
    std::uniform_real_distribution<double> d(-1e300, 1e300);
    return {0.0, -0.0, 1.5, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::denorm_min(), d(rng)};
  }
  static std::size_t nbytes(const double&) { return sizeof(double); }
  static std::size_t serialized_size(const double&) { return sizeof(double); }
};

template <>
struct Sample<std::string> {
  static std::vector<std::string> values(std::mt19937_64& rng) {
    std::vector<std::string> out = {"", "x", std::string("with\0nul", 8), std::string(15, 'a'), std::string(16, 'b')};
    std::string random(rng() % 5000, '\0');
    for (char& c : random) c = static_cast<char>(rng());
    out.push_back(random);
    return out;
  }
  static std::size_t nbytes(const std::string& s) { return sizeof(std::string) + s.size(); }
  static std::size_t serialized_size(const std::string& s) { return s.size(); }
};

template <>
struct Sample<std::vector<float>> {
  static std::vector<std::vector<float>> values(std::mt19937_64& rng) {
    std::normal_distribution<float> d;
    std::vector<std::vector<float>> out = {{}, {1.0f}, {std::numeric_limits<float>::quiet_NaN(), -2.0f}};
    for (std::size_t n : {std::size_t{1023}, std::size_t{1024}, std::size_t{1025}, std::size_t(rng() % 100000)}) {
      std::vector<float> v(n);
      for (float& x : v) x = d(rng);
      out.push_back(std::move(v));
    }
    return out;
  }
  static std::size_t nbytes(const std::vector<float>& v) { return sizeof(std::vector<float>) + v.size() * sizeof(float); }
  static std::size_t serialized_size(const std::vector<float>& v) { return v.size() * sizeof(float); }
};

template <>
struct Sample<Point> {
  static std::vector<Point> values(std::mt19937_64& rng) {
    return {Point{0, 0.0}, Point{-3, 2.5}, Point{static_cast<int>(rng()), static_cast<double>(rng())}};
  }
  static std::size_t nbytes(const Point&) { return sizeof(Point); }
  static std::size_t serialized_size(const Point&) { return sizeof(Point); }
};

// Bitwise comparison so that NaN payloads and -0.0 count as preserved.
template <class T>
bool same_bits(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, std::vector<float>>) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
  } else if constexpr (std::is_same_v<T, double>) {
    return std::memcmp(&a, &b, sizeof(double)) == 0;
  } else {
    return a == b;
  }
}

template <class T>
class ValueRoundTrip : public ::testing::Test {};

using SerializableTypes = ::testing::Types<int, double, std::string, std::vector<float>, Point>;
TYPED_TEST_SUITE(ValueRoundTrip, SerializableTypes);

TYPED_TEST(ValueRoundTrip, MakeGetNbytesAndSerializeRoundTrip) {
  using T = TypeParam;
  const std::uint64_t seed = tessera::testing::test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) + ", type " + tessera::demangle(typeid(T)));
  std::mt19937_64 rng(seed);
  const auto samples = Sample<T>::values(rng);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    SCOPED_TRACE("sample " + std::to_string(i));
    const T& expected = samples[i];
    const Value value = Value::make(T(expected));
    ASSERT_TRUE(value.has_value());
    EXPECT_TRUE(value.serializable());
    ASSERT_NE(value.type(), nullptr);
    EXPECT_EQ(*value.type()->info, typeid(T));
    EXPECT_EQ(value.type(), &tessera::value_type_of<T>());
    EXPECT_TRUE(same_bits(value.get<T>(), expected));
    EXPECT_EQ(value.nbytes(), Sample<T>::nbytes(expected));

    std::vector<std::byte> bytes = {std::byte{0xAB}};  // serialize appends
    value.serialize(bytes);
    ASSERT_EQ(bytes.size(), 1 + Sample<T>::serialized_size(expected));
    EXPECT_EQ(bytes.front(), std::byte{0xAB});

    const Value back = round_trip(value);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back.type(), value.type());
    EXPECT_EQ(back.nbytes(), value.nbytes());
    EXPECT_TRUE(same_bits(back.get<T>(), expected));
    EXPECT_NE(&back.get<T>(), &value.get<T>());  // a new object, not the old one
  }
}

TYPED_TEST(ValueRoundTrip, GetOfAnotherTypeIsATypeError) {
  using T = TypeParam;
  std::mt19937_64 rng(tessera::testing::test_seed());
  const Value value = Value::make(Sample<T>::values(rng).front());
  if constexpr (!std::is_same_v<T, int>) {
    EXPECT_THROW(value.get<int>(), tessera::TypeError);
  }
  if constexpr (!std::is_same_v<T, std::string>) {
    EXPECT_THROW(value.get<std::string>(), tessera::TypeError);
  }
  EXPECT_THROW(value.get<Opaque>(), tessera::TypeError);
  EXPECT_THROW(value.get<std::vector<double>>(), tessera::TypeError);
}

// ---- untyped behaviour -------------------------------------------------------------

TEST(Value, UnserializableTypeStaysUsableButCannotBeSerialized) {
  const Opaque expected{"label", {1, 2, 3}};
  const Value value = Value::make(Opaque(expected));
  ASSERT_TRUE(value.has_value());
  EXPECT_FALSE(value.serializable());
  EXPECT_EQ(value.get<Opaque>(), expected);
  EXPECT_EQ(value.nbytes(), sizeof(Opaque));  // the estimate for types without ValueTraits

  std::vector<std::byte> bytes;
  try {
    value.serialize(bytes);
    FAIL() << "serializing an Opaque did not throw";
  } catch (const tessera::TypeError& e) {
    EXPECT_NE(std::string(e.what()).find("Opaque"), std::string::npos) << e.what();  // names the type
  }
  EXPECT_TRUE(bytes.empty());
  EXPECT_THROW(value.get<int>(), tessera::TypeError);
  EXPECT_THROW(value.get<std::string>(), tessera::TypeError);
  EXPECT_THROW(Value::deserialize(tessera::value_type_of<Opaque>(), bytes, 0), tessera::TypeError);
}

TEST(Value, TypeErrorMessageNamesBothTypes) {
  const Value value = Value::make(1.5);
  try {
    (void)value.get<int>();
    FAIL() << "get<int> of a double did not throw";
  } catch (const tessera::TypeError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("double"), std::string::npos) << what;
    EXPECT_NE(what.find("int"), std::string::npos) << what;
  }
}

TEST(Value, EmptyValue) {
  const Value empty;
  EXPECT_FALSE(empty.has_value());
  EXPECT_FALSE(empty.serializable());
  EXPECT_EQ(empty.nbytes(), 0u);
  EXPECT_EQ(empty.type(), nullptr);
  EXPECT_THROW(empty.get<int>(), tessera::TypeError);
  std::vector<std::byte> bytes;
  EXPECT_THROW(empty.serialize(bytes), tessera::TypeError);
}

TEST(Value, CopiesShareTheObject) {
  const Value a = Value::make(std::vector<double>(1000, 2.5));
  const Value b = a;  // NOLINT(performance-unnecessary-copy-initialization): the copy is the point
  EXPECT_EQ(&a.get<std::vector<double>>(), &b.get<std::vector<double>>());
  EXPECT_EQ(b.nbytes(), a.nbytes());
  EXPECT_EQ(b.get<std::vector<double>>(), std::vector<double>(1000, 2.5));
}

TEST(Value, MakeMovesRvalues) {
  std::vector<double> source(1000, 1.0);
  const double* data = source.data();
  const Value value = Value::make(std::move(source));
  EXPECT_EQ(value.get<std::vector<double>>().data(), data);  // the buffer moved in, no copy
}

TEST(Value, DemangleGivesReadableNames) {
  EXPECT_EQ(tessera::demangle(typeid(int)), "int");
  EXPECT_EQ(tessera::demangle(typeid(double)), "double");
  EXPECT_NE(tessera::demangle(typeid(Opaque)).find("Opaque"), std::string::npos);
}

}  // namespace
