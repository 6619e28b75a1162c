// HostBlockPool: reuses blocks of host memory that are slow to get and to give back:
// page-locked memory above all, where cudaHostAlloc pins and maps every page and
// cudaFreeHost waits for the whole device. A GPU worker gets such memory for every value
// it moves to the host (spilled chunks, results for the client, inputs of CPU tasks), so
// one allocation per move would cost more than the copy. Blocks come in size classes
// (whole pages; four per doubling from 16 KiB, so that at most a fifth of a larger block
// is slack) and are handed out again for requests of their class. An RMM-style adaptor: the upstream is a HostBlockSource.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>

#include "tessera/core/buffer.hpp"

namespace tessera {

/// Where a pool gets its blocks and gives them back.
class HostBlockSource {
 public:
  virtual ~HostBlockSource() = default;
  /// A block of `nbytes` (a multiple of 4096), or null when there is none to have.
  virtual void* obtain(std::size_t nbytes) noexcept = 0;
  virtual void give_back(void* block, std::size_t nbytes) noexcept = 0;
};

struct HostBlockPoolStats {
  std::size_t bytes_in_use = 0;     ///< in blocks handed out (whole blocks, not requests)
  std::size_t bytes_cached = 0;     ///< in free blocks kept for reuse
  std::size_t blocks_obtained = 0;  ///< from the source, over the pool's life
  std::size_t blocks_reused = 0;    ///< allocations served by a cached block
};

class HostBlockPool {
 public:
  /// At most `capacity` bytes in blocks handed out and cached together; freed blocks
  /// beyond `cache_limit` cached bytes go back to the source at once.
  HostBlockPool(std::unique_ptr<HostBlockSource> source, std::size_t capacity, std::size_t cache_limit);
  /// Gives the cached blocks back. Buffers still out stay valid; their blocks go back to
  /// the source when the last of them is released.
  ~HostBlockPool();
  HostBlockPool(const HostBlockPool&) = delete;
  HostBlockPool& operator=(const HostBlockPool&) = delete;

  /// `nbytes` of host memory from a block of the pool; nullopt when the pool is at its
  /// capacity even without its cache, or the source has no memory to give even once the
  /// cache is given back (the caller then uses ordinary memory). Zero bytes give an
  /// empty buffer.
  std::optional<Buffer> allocate(std::size_t nbytes);
  /// Gives every cached block back to the source.
  void trim();
  HostBlockPoolStats stats() const;

  /// The size of the blocks serving requests of `nbytes`: whole pages, and from 16 KiB
  /// on four classes per doubling.
  static std::size_t block_size(std::size_t nbytes) noexcept;

 private:
  struct State;  // shared with the deleters of the buffers handed out
  std::shared_ptr<State> state_;
};

}  // namespace tessera
