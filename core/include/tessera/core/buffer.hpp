// Buffer: bytes on a device. A cheap, shared, immutable-once-published handle; the
// physical side of a chunk (an Array describes, a Buffer holds).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace tessera {

/// Where a buffer's bytes live.
enum class DeviceKind : std::uint8_t { cpu, cuda };

class Device;

class Buffer {
 public:
  /// An empty buffer (no bytes).
  Buffer() = default;
  /// Allocates `nbytes` of host memory aligned for vector loads; contents uninitialized.
  static Buffer allocate_host(std::size_t nbytes);
  /// Refers to memory the caller owns, without copying: `keep_alive` is held as long as
  /// the buffer (and every copy of it) is, so it must own `data`'s lifetime.
  static Buffer wrap_host(void* data, std::size_t nbytes, std::shared_ptr<const void> keep_alive);
  /// Refers to `nbytes` of `device`'s memory at `data`, freed when `owner` (which the
  /// buffer and its copies hold) is released. What Device::allocate returns.
  static Buffer wrap_device(void* data, std::size_t nbytes, std::shared_ptr<const void> owner,
                            std::shared_ptr<Device> device);

  /// Bytes [offset, offset + nbytes) of this buffer, on its device, sharing its owner:
  /// a part that keeps the whole alive. Throws ValueError past the end.
  Buffer view(std::size_t offset, std::size_t nbytes) const;

  std::byte* data() noexcept { return data_; }
  const std::byte* data() const noexcept { return data_; }
  std::size_t nbytes() const noexcept { return nbytes_; }
  /// The kind of device holding the bytes.
  DeviceKind device() const noexcept;
  /// The device holding the bytes; null for host memory (which any thread can read).
  Device* location() const noexcept { return location_.get(); }
  const std::shared_ptr<Device>& location_handle() const noexcept { return location_; }
  /// Whether other handles (copies of this buffer, or other holders of its owner) refer to
  /// the bytes too. A buffer that is not shared is the caller's alone to write or hand out.
  bool shared() const noexcept { return owner_.use_count() > 1; }

  template <class T>
  T* as() noexcept {
    return reinterpret_cast<T*>(data_);
  }
  template <class T>
  const T* as() const noexcept {
    return reinterpret_cast<const T*>(data_);
  }

 private:
  std::shared_ptr<const void> owner_;
  std::byte* data_ = nullptr;
  std::size_t nbytes_ = 0;
  std::shared_ptr<Device> location_;  // null: host memory
};

}  // namespace tessera
