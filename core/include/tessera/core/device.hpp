// Device: a place where buffers live and tasks run. The host (the CPU and its memory),
// one GPU, or a share of one GPU (a virtual GPU, with its own streams, memory pool and
// limit). Every worker runs on one device; every buffer remembers the device owning its
// bytes, so that the runtime can move a value to the device of the task that needs it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tessera/core/buffer.hpp"

namespace tessera {

/// A set of device kinds: one bit per DeviceKind.
using DeviceKindMask = std::uint8_t;

constexpr DeviceKindMask mask_of(DeviceKind kind) noexcept {
  return static_cast<DeviceKindMask>(1u << static_cast<unsigned>(kind));
}

std::string_view to_string(DeviceKind kind) noexcept;

class Device : public std::enable_shared_from_this<Device> {
 public:
  virtual ~Device() = default;

  virtual DeviceKind kind() const noexcept = 0;
  /// For logs and errors: "cpu", "cuda:0", or "cuda:0/1" for the second virtual GPU of GPU 0.
  virtual std::string name() const = 0;
  /// The device's number among those of its kind (CUDA's device number; 0 for the host),
  /// which virtual GPUs of one card share: how DLPack and other libraries name it.
  virtual int ordinal() const noexcept { return 0; }

  /// `nbytes` of this device's memory, uninitialized. Throws OutOfMemory.
  virtual Buffer allocate(std::size_t nbytes) = 0;
  /// Host memory to receive this device's buffers: page-locked for a GPU, so that copies
  /// out of it run at full speed (and spilled chunks come back as fast). A GPU's comes
  /// from a pool and serves another buffer as soon as this one is released: copies into
  /// or out of it must have finished by then (this class's copies return finished).
  virtual Buffer allocate_host(std::size_t nbytes) { return Buffer::allocate_host(nbytes); }

  // Copies of the first `nbytes` of a buffer; each has finished when it returns. Buffers
  // named "of this device" must be.
  /// From `src` (of this device) into host memory at `dst`.
  virtual void copy_to_host(const Buffer& src, void* dst, std::size_t nbytes) = 0;
  /// From host memory at `src` into `dst` (of this device).
  virtual void copy_from_host(const void* src, Buffer& dst, std::size_t nbytes) = 0;
  /// From `src`, of another device of the same kind, into `dst` (of this device). The
  /// default stages through host memory; GPUs copy peer to peer.
  virtual void copy_from_peer(const Buffer& src, Buffer& dst, std::size_t nbytes);

  /// Called once on each executor thread of the worker running here, with the thread's
  /// lane (its index): a GPU makes itself the thread's current device, and allocations and
  /// kernels of that thread go to the lane's stream.
  virtual void bind_current_thread(std::size_t /*lane*/) {}
  /// The lane's stream (a cudaStream_t on a GPU; null on the host).
  virtual void* stream(std::size_t /*lane*/) const noexcept { return nullptr; }
  /// Waits for the work queued on the lane's stream; throws tessera::Error for a failure
  /// the device reported meanwhile.
  virtual void synchronize(std::size_t /*lane*/) {}
  /// Waits for every piece of work queued on the physical device by anyone in the process,
  /// other libraries' streams included: memory shared with another library (DLPack) is
  /// safe to read, or to free, only once its work is done.
  virtual void synchronize_all() {}

  /// Why this device can no longer be used (a GPU whose context a failed kernel corrupted:
  /// every call on it fails from then on); empty while it can. Its worker asks after a
  /// failure, and retires when it is lost.
  virtual std::string lost_reason() const { return {}; }

  /// Bytes of this device's memory held by buffers now.
  virtual std::size_t bytes_in_use() const noexcept { return 0; }
  /// Total memory of the device (of its share, for a virtual GPU); 0 when unknown.
  virtual std::size_t capacity() const noexcept { return 0; }
};

/// The host: buffers in ordinary memory, tasks on CPU threads. Host buffers name no
/// device (Buffer::location() is null); this object is what host workers run on.
const std::shared_ptr<Device>& host_device();

/// A copy of `src` in `target`'s memory, or `src` itself when it already lives there.
/// Copies between GPUs go peer to peer; between kinds they pass through host memory.
Buffer copy_buffer_to(const Buffer& src, Device& target);
/// A new buffer on `src`'s device with the same bytes (for a caller that will write them).
Buffer duplicate_buffer(const Buffer& src);

}  // namespace tessera
