// Philox4x32-10, the counter-based random number generator of Salmon, Moraes, Dror and
// Shaw ("Parallel random numbers: as easy as 1, 2, 3", SC'11), with the constants of their
// Random123 library, plus the bit-to-value mappings tessera's generators share.
//
// A counter-based generator has no state to carry from one element to the next: the
// random bits of element i are a pure function of (key, counter = i). That is what lets an
// array be generated chunk by chunk, on any device and in any order, with the same values.
//
// Portable C++ on purpose (ops/portable.hpp; constexpr, no CUDA keywords): the CUDA
// kernels generated at run time compile this same header, so both backends produce the
// same bits.
#pragma once

#include "tessera/kernels/ops/portable.hpp"

namespace tessera::kernels::philox {

using u32 = ops::port::uint32_t;
using u64 = ops::port::uint64_t;

/// The four 32-bit words of a Philox4x32 counter or output block.
struct Block {
  u32 v[4];
};

/// The two 32-bit words of a Philox4x32 key.
struct Key {
  u32 v[2];
};

// Multipliers and Weyl key increments of Philox4x32 (Random123's PHILOX_M4x32_* and
// PHILOX_W32_*).
inline constexpr u32 kM0 = 0xD2511F53u;
inline constexpr u32 kM1 = 0xCD9E8D57u;
inline constexpr u32 kW0 = 0x9E3779B9u;
inline constexpr u32 kW1 = 0xBB67AE85u;

/// One Philox4x32 round: two 32x32->64 multiplications, their halves xor-ed with the
/// other counter words and the key, the words permuted.
constexpr Block round(const Block& ctr, const Key& key) noexcept {
  const u64 p0 = static_cast<u64>(kM0) * ctr.v[0];
  const u64 p1 = static_cast<u64>(kM1) * ctr.v[2];
  const auto hi0 = static_cast<u32>(p0 >> 32);
  const auto lo0 = static_cast<u32>(p0);
  const auto hi1 = static_cast<u32>(p1 >> 32);
  const auto lo1 = static_cast<u32>(p1);
  return Block{{hi1 ^ ctr.v[1] ^ key.v[0], lo1, hi0 ^ ctr.v[3] ^ key.v[1], lo0}};
}

/// Philox4x32 with 10 rounds; the key is bumped by the Weyl constants between rounds.
constexpr Block philox4x32_10(Block ctr, Key key) noexcept {
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      key.v[0] += kW0;
      key.v[1] += kW1;
    }
    ctr = round(ctr, key);
  }
  return ctr;
}

/// tessera's use of Philox: the key is the 64-bit seed, the counter the 64-bit global
/// element index (low word first; the two upper counter words are 0). One call per element.
constexpr Block random_block(u64 seed, u64 index) noexcept {
  const Key key{{static_cast<u32>(seed), static_cast<u32>(seed >> 32)}};
  const Block ctr{{static_cast<u32>(index), static_cast<u32>(index >> 32), 0u, 0u}};
  return philox4x32_10(ctr, key);
}

/// The 64-bit word made of two output words, `hi` in the upper half.
constexpr u64 join(u32 hi, u32 lo) noexcept {
  return (static_cast<u64>(hi) << 32) | lo;
}

/// A double in [0, 1) from the top 53 bits of `bits`: every value is a multiple of 2^-53.
constexpr double unit_double(u64 bits) noexcept {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

/// A double in (0, 1] from the top 53 bits of `bits`, for logarithms (never 0).
constexpr double unit_double_open_low(u64 bits) noexcept {
  return static_cast<double>((bits >> 11) + 1) * 0x1.0p-53;
}

/// A float in [0, 1) from the top 24 bits of `bits`: every value is a multiple of 2^-24.
constexpr float unit_float(u32 bits) noexcept {
  return static_cast<float>(bits >> 8) * 0x1.0p-24f;
}

/// The upper 64 bits of the 128-bit product a*b, from 32-bit halves (portable: no __int128).
constexpr u64 mulhi64(u64 a, u64 b) noexcept {
  const u64 a_lo = a & 0xFFFFFFFFu;
  const u64 a_hi = a >> 32;
  const u64 b_lo = b & 0xFFFFFFFFu;
  const u64 b_hi = b >> 32;
  const u64 lo_lo = a_lo * b_lo;
  const u64 hi_lo = a_hi * b_lo;
  const u64 lo_hi = a_lo * b_hi;
  const u64 hi_hi = a_hi * b_hi;
  // The middle column cannot overflow: it adds three values below 2^32.
  const u64 middle = (lo_lo >> 32) + (hi_lo & 0xFFFFFFFFu) + (lo_hi & 0xFFFFFFFFu);
  return hi_hi + (hi_lo >> 32) + (lo_hi >> 32) + (middle >> 32);
}

/// An offset in [0, range) from 64 random bits by Lemire's multiply-shift: floor(bits *
/// range / 2^64). No loop and no modulo; the bias is below range / 2^64 per value.
/// `range` 0 stands for 2^64 (every offset), returning `bits` itself.
constexpr u64 bounded(u64 bits, u64 range) noexcept {
  return range == 0 ? bits : mulhi64(bits, range);
}

}  // namespace tessera::kernels::philox
