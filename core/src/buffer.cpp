#include "tessera/core/buffer.hpp"

#include <cstdlib>
#include <new>
#include <string>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "tessera/core/device.hpp"
#include "tessera/core/error.hpp"

namespace tessera {
namespace {

// Cache-line alignment lets kernels use aligned vector loads on chunk starts and keeps
// two chunks from sharing a line between threads.
constexpr std::size_t kAlignment = 64;

// Chunks of several MiB are placed on 2 MiB boundaries and offered transparent huge pages
// (as NumPy does for large arrays): a transposed read steps to another row, so another
// 4 KiB page, at every element, and with 2 MiB pages those steps stop missing the TLB.
// It also takes one page fault per 2 MiB instead of 512.
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kHugePageThreshold = std::size_t{4} << 20;

void* allocate_aligned(std::size_t nbytes) {
  const std::size_t alignment = nbytes >= kHugePageThreshold ? kHugePage : kAlignment;
  // Only the start is aligned to a huge page: rounding the size up to 2 MiB as well would
  // cost up to 2 MiB per chunk (a third more for a 5 MiB chunk). The tail past the last
  // whole huge page stays on small pages.
  const std::size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  void* p = nullptr;
  if (posix_memalign(&p, alignment, rounded) != 0) return nullptr;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Advice only: where the kernel has huge pages off, this fails and changes nothing.
  if (alignment == kHugePage) (void)madvise(p, rounded / kHugePage * kHugePage, MADV_HUGEPAGE);
#endif
  return p;
}

}  // namespace

Buffer Buffer::allocate_host(std::size_t nbytes) {
  Buffer b;
  if (nbytes == 0) return b;
  void* p = allocate_aligned(nbytes);
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

Buffer Buffer::wrap_device(void* data, std::size_t nbytes, std::shared_ptr<const void> owner,
                           std::shared_ptr<Device> device) {
  Buffer b;
  b.owner_ = std::move(owner);
  b.data_ = static_cast<std::byte*>(data);
  b.nbytes_ = nbytes;
  b.location_ = std::move(device);
  return b;
}

Buffer Buffer::view(std::size_t offset, std::size_t nbytes) const {
  if (offset > nbytes_ || nbytes > nbytes_ - offset) {
    throw ValueError("a view of bytes [" + std::to_string(offset) + ", " + std::to_string(offset + nbytes) +
                     ") of a buffer of " + std::to_string(nbytes_));
  }
  Buffer b = *this;
  b.data_ = data_ == nullptr ? nullptr : data_ + offset;
  b.nbytes_ = nbytes;
  return b;
}

DeviceKind Buffer::device() const noexcept { return location_ ? location_->kind() : DeviceKind::cpu; }

}  // namespace tessera
