#include "tessera/core/chunk.hpp"

#include <cstdint>

#include "tessera/core/device.hpp"

namespace tessera {

Chunk Chunk::allocate(DType dtype, Shape shape) {
  Chunk c;
  c.dtype = dtype;
  c.shape = std::move(shape);
  c.buffer = Buffer::allocate_host(c.nbytes());
  return c;
}

Chunk Chunk::allocate_on(Device& device, DType dtype, Shape shape) {
  Chunk c;
  c.dtype = dtype;
  c.shape = std::move(shape);
  c.buffer = device.allocate(c.nbytes());
  return c;
}

Chunk ValueTraits<Chunk>::relocate(const Chunk& c, Device& target) {
  Chunk moved;
  moved.dtype = c.dtype;
  moved.shape = c.shape;
  moved.buffer = copy_buffer_to(c.buffer, target);
  return moved;
}

// Layout: dtype (1 byte), ndim (1 byte), ndim × int64 extents, then the elements.
void ValueTraits<Chunk>::serialize(const Chunk& c, std::vector<std::byte>& out) {
  out.push_back(static_cast<std::byte>(c.dtype));
  out.push_back(static_cast<std::byte>(c.shape.size()));
  const auto* extents = reinterpret_cast<const std::byte*>(c.shape.data());
  out.insert(out.end(), extents, extents + c.shape.size() * sizeof(std::int64_t));
  if (c.buffer.location() == nullptr) {
    out.insert(out.end(), c.buffer.data(), c.buffer.data() + c.nbytes());
  } else {  // device memory: copied out, then written like host memory
    const std::size_t offset = out.size();
    out.resize(offset + c.nbytes());
    if (c.nbytes() > 0) c.buffer.location()->copy_to_host(c.buffer, out.data() + offset, c.nbytes());
  }
}

Chunk ValueTraits<Chunk>::deserialize(std::span<const std::byte> bytes) {
  TESSERA_ASSERT(bytes.size() >= 2, "truncated chunk header");
  const auto dtype = static_cast<DType>(bytes[0]);
  const auto ndim = static_cast<std::size_t>(bytes[1]);
  TESSERA_ASSERT(bytes.size() >= 2 + ndim * sizeof(std::int64_t), "truncated chunk shape");
  Shape shape(ndim);
  std::memcpy(shape.data(), bytes.data() + 2, ndim * sizeof(std::int64_t));
  Chunk c = Chunk::allocate(dtype, std::move(shape));
  const std::size_t offset = 2 + ndim * sizeof(std::int64_t);
  TESSERA_ASSERT(bytes.size() == offset + c.nbytes(), "chunk payload does not match its shape");
  if (c.nbytes() > 0) std::memcpy(c.buffer.data(), bytes.data() + offset, c.nbytes());
  return c;
}

}  // namespace tessera
