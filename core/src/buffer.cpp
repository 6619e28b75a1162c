#include "tessera/core/buffer.hpp"

#include <cstdlib>
#include <new>
#include <string>

#include "tessera/core/error.hpp"

namespace tessera {
namespace {

// Cache-line alignment lets kernels use aligned vector loads on chunk starts and keeps
// two chunks from sharing a line between threads.
constexpr std::size_t kAlignment = 64;

}  // namespace

Buffer Buffer::allocate_host(std::size_t nbytes) {
  Buffer b;
  if (nbytes == 0) return b;
  const std::size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  void* p = std::aligned_alloc(kAlignment, rounded);
  if (p == nullptr) throw OutOfMemory("could not allocate " + std::to_string(nbytes) + " bytes of host memory");
  b.owner_ = std::shared_ptr<const void>(p, [](const void* q) { std::free(const_cast<void*>(q)); });
  b.data_ = static_cast<std::byte*>(p);
  b.nbytes_ = nbytes;
  return b;
}

Buffer Buffer::wrap_host(void* data, std::size_t nbytes, std::shared_ptr<const void> keep_alive) {
  Buffer b;
  b.owner_ = std::move(keep_alive);
  b.data_ = static_cast<std::byte*>(data);
  b.nbytes_ = nbytes;
  return b;
}

}  // namespace tessera
