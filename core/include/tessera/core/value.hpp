// Value: a type-erased, immutable, shared result of a task as a worker stores it.
//
// Values are handed between tasks and workers of one process by pointer (copying a Value
// copies a shared_ptr). A value whose type has a ValueTraits codec can be serialized,
// which is what lets a worker spill it to disk and, in cluster mode, send it over a wire;
// values of other types stay in memory.
#pragma once

#include <cstddef>
#include <concepts>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "tessera/core/error.hpp"

namespace tessera {

/// Size and serialization of a value type. Specialize for your own types to make them
/// spillable; the defaults cover trivially copyable types, std::string and std::vector
/// of trivially copyable elements.
template <class T, class Enable = void>
struct ValueTraits {
  static constexpr bool serializable = false;
  static std::size_t nbytes(const T&) noexcept { return sizeof(T); }
};

template <class T>
struct ValueTraits<T, std::enable_if_t<std::is_trivially_copyable_v<T>>> {
  static constexpr bool serializable = true;
  static std::size_t nbytes(const T&) noexcept { return sizeof(T); }
  static void serialize(const T& value, std::vector<std::byte>& out) {
    const auto* p = reinterpret_cast<const std::byte*>(&value);
    out.insert(out.end(), p, p + sizeof(T));
  }
  static T deserialize(std::span<const std::byte> bytes) {
    TESSERA_ASSERT(bytes.size() == sizeof(T), "serialized size does not match the type");
    T value;
    std::memcpy(&value, bytes.data(), sizeof(T));
    return value;
  }
};

template <class T>
struct ValueTraits<std::vector<T>, std::enable_if_t<std::is_trivially_copyable_v<T>>> {
  static constexpr bool serializable = true;
  static std::size_t nbytes(const std::vector<T>& v) noexcept { return sizeof(v) + v.size() * sizeof(T); }
  static void serialize(const std::vector<T>& v, std::vector<std::byte>& out) {
    const auto* p = reinterpret_cast<const std::byte*>(v.data());
    out.insert(out.end(), p, p + v.size() * sizeof(T));
  }
  static std::vector<T> deserialize(std::span<const std::byte> bytes) {
    TESSERA_ASSERT(bytes.size() % sizeof(T) == 0, "serialized size is not a multiple of the element size");
    std::vector<T> v(bytes.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), bytes.data(), bytes.size());
    return v;
  }
};

template <>
struct ValueTraits<std::string> {
  static constexpr bool serializable = true;
  static std::size_t nbytes(const std::string& s) noexcept { return sizeof(s) + s.size(); }
  static void serialize(const std::string& s, std::vector<std::byte>& out) {
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    out.insert(out.end(), p, p + s.size());
  }
  static std::string deserialize(std::span<const std::byte> bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
};

class Device;
class Value;

/// What the runtime knows of a value's C++ type: its identity and, if it has one, its codec.
struct ValueType {
  const std::type_info* info;
  /// Appends the serialized object to `out`; null when the type is not serializable.
  void (*serialize)(const void* object, std::vector<std::byte>& out);
  /// Rebuilds an object from bytes written by `serialize`.
  std::shared_ptr<const void> (*deserialize)(std::span<const std::byte> bytes);
  /// The device holding the object's data (null: host memory); null for types whose
  /// values always live on the host.
  Device* (*location)(const void* object);
  /// A copy of the object with its data on `target` (see ValueTraits::relocate).
  Value (*relocate)(const void* object, Device& target);
};

/// Demangled name of a type, e.g. "std::vector<double, std::allocator<double> >".
std::string demangle(const std::type_info& info);

template <class T>
const ValueType& value_type_of() noexcept;

/// An immutable result. Empty (`has_value() == false`) for tasks that return nothing.
class Value {
 public:
  Value() = default;

  template <class T>
  static Value make(T&& object) {
    using U = std::decay_t<T>;
    static_assert(!std::is_same_v<U, Value>, "a Value is already type-erased");
    std::size_t nbytes = ValueTraits<U>::nbytes(object);
    return Value(std::make_shared<const U>(std::forward<T>(object)), value_type_of<U>(), nbytes);
  }

  /// Rebuilds a value from bytes written by `serialize`.
  static Value deserialize(const ValueType& type, std::span<const std::byte> bytes, std::size_t nbytes);

  bool has_value() const noexcept { return data_ != nullptr; }
  /// Bytes this value holds (an estimate for types without ValueTraits), used for
  /// memory limits, spilling and transfer costs.
  std::size_t nbytes() const noexcept { return nbytes_; }
  const ValueType* type() const noexcept { return type_; }
  bool serializable() const noexcept { return type_ != nullptr && type_->serialize != nullptr; }

  /// The stored object; throws tessera::TypeError when it is not a T.
  template <class T>
  const T& get() const {
    if (data_ == nullptr || *type_->info != typeid(T)) throw_type_mismatch(typeid(T));
    return *static_cast<const T*>(data_.get());
  }

  /// Appends the serialized object to `out`; throws TypeError when the type has no codec.
  void serialize(std::vector<std::byte>& out) const;

  /// The device holding this value's data; null for host memory and for types that
  /// always live on the host.
  Device* location() const noexcept {
    return type_ != nullptr && type_->location != nullptr ? type_->location(data_.get()) : nullptr;
  }
  /// This value with its data on `target` (the host device: host memory): itself when it
  /// is there already or its type always lives on the host, else a copy.
  Value relocated_to(Device& target) const;

 private:
  Value(std::shared_ptr<const void> data, const ValueType& type, std::size_t nbytes)
      : data_(std::move(data)), type_(&type), nbytes_(nbytes) {}
  [[noreturn]] void throw_type_mismatch(const std::type_info& requested) const;

  std::shared_ptr<const void> data_;
  const ValueType* type_ = nullptr;
  std::size_t nbytes_ = 0;
};

template <class T>
const ValueType& value_type_of() noexcept {
  using Traits = ValueTraits<T>;
  static const ValueType type = [] {
    ValueType t{&typeid(T), nullptr, nullptr, nullptr, nullptr};
    if constexpr (Traits::serializable) {
      t.serialize = [](const void* object, std::vector<std::byte>& out) {
        Traits::serialize(*static_cast<const T*>(object), out);
      };
      t.deserialize = [](std::span<const std::byte> bytes) -> std::shared_ptr<const void> {
        return std::make_shared<const T>(Traits::deserialize(bytes));
      };
    }
    // Types whose data may live on a device (chunks) say where and how to move it.
    if constexpr (requires(const T& object, Device& target) {
                    { Traits::location(object) } -> std::same_as<Device*>;
                    Traits::relocate(object, target);
                  }) {
      t.location = [](const void* object) { return Traits::location(*static_cast<const T*>(object)); };
      t.relocate = [](const void* object, Device& target) {
        return Value::make(Traits::relocate(*static_cast<const T*>(object), target));
      };
    }
    return t;
  }();
  return type;
}

}  // namespace tessera
