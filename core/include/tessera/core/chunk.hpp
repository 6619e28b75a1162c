// Chunk: one block of an array as a task produces and a worker stores it: a dtype, a
// shape and a C-contiguous Buffer, on the host or a device. Chunks are spillable (they
// have a ValueTraits codec) and movable between devices (ValueTraits::relocate).
#pragma once

#include <cstring>
#include <span>
#include <vector>

#include "tessera/core/buffer.hpp"
#include "tessera/core/dtype.hpp"
#include "tessera/core/shape.hpp"
#include "tessera/core/value.hpp"

namespace tessera {

struct Chunk {
  DType dtype = DType::float64;
  Shape shape;
  Buffer buffer;

  /// A chunk with freshly allocated, uninitialized host memory.
  static Chunk allocate(DType dtype, Shape shape);
  /// A chunk with uninitialized memory of `device`.
  static Chunk allocate_on(Device& device, DType dtype, Shape shape);
  std::int64_t size() const noexcept { return shape_size(shape); }
  std::size_t nbytes() const noexcept { return static_cast<std::size_t>(size()) * itemsize(dtype); }
  int ndim() const noexcept { return static_cast<int>(shape.size()); }
  template <class T>
  const T* data() const noexcept {
    return buffer.as<T>();
  }
  template <class T>
  T* data() noexcept {
    return buffer.as<T>();
  }
};

template <>
struct ValueTraits<Chunk> {
  static constexpr bool serializable = true;
  static std::size_t nbytes(const Chunk& c) noexcept { return sizeof(Chunk) + c.nbytes(); }
  static void serialize(const Chunk& c, std::vector<std::byte>& out);
  static Chunk deserialize(std::span<const std::byte> bytes);
  static Device* location(const Chunk& c) noexcept { return c.buffer.location(); }
  /// The chunk with its elements copied to `target` (copy_buffer_to).
  static Chunk relocate(const Chunk& c, Device& target);
};

}  // namespace tessera
