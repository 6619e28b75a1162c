// Keys name results: a chunk of an array or the value of a task. A key is a 64-bit id;
// its readable name ("inc-17", "('sum-3f2a', 2, 5)") travels beside it in task specs
// and is used in logs and error messages only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace tessera {

/// The identity of one result known to the runtime.
struct Key {
  std::uint64_t id = 0;

  /// A key that no other call of `unique()` in any process returns (a per-process random
  /// salt in the high bits keeps keys from different client processes apart).
  static Key unique() noexcept;
  /// A deterministic key derived from a name: equal names give equal keys, so that the
  /// same computation described twice is recognised as one.
  static Key from_name(std::string_view name) noexcept;

  friend bool operator==(Key, Key) = default;
  friend auto operator<=>(Key, Key) = default;
};

/// "key 0x1f2e..." for messages where no readable name is at hand.
std::string to_string(Key key);

}  // namespace tessera

template <>
struct std::hash<tessera::Key> {
  std::size_t operator()(tessera::Key key) const noexcept {
    // ids from unique() are sequential in the low bits; mix so that hash tables spread them.
    std::uint64_t x = key.id;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return static_cast<std::size_t>(x);
  }
};
