#include "tessera/core/device.hpp"

#include <cstring>

namespace tessera {
namespace {

// Copies between two devices that cannot reach each other: out to host memory of the
// source's choosing (page-locked for a GPU), then in.
void stage_through_host(const Buffer& src, Device& target, Buffer& dst, std::size_t nbytes) {
  Buffer staging = src.location()->allocate_host(nbytes);
  src.location()->copy_to_host(src, staging.data(), nbytes);
  target.copy_from_host(staging.data(), dst, nbytes);
}

class HostDevice final : public Device {
 public:
  DeviceKind kind() const noexcept override { return DeviceKind::cpu; }
  std::string name() const override { return "cpu"; }
  Buffer allocate(std::size_t nbytes) override { return Buffer::allocate_host(nbytes); }
  void copy_to_host(const Buffer& src, void* dst, std::size_t nbytes) override {
    if (nbytes > 0) std::memcpy(dst, src.data(), nbytes);
  }
  void copy_from_host(const void* src, Buffer& dst, std::size_t nbytes) override {
    if (nbytes > 0) std::memcpy(dst.data(), src, nbytes);
  }
};

}  // namespace

std::string_view to_string(DeviceKind kind) noexcept {
  switch (kind) {
    case DeviceKind::cpu: return "cpu";
    case DeviceKind::cuda: return "cuda";
  }
  return "unknown";
}

void Device::copy_from_peer(const Buffer& src, Buffer& dst, std::size_t nbytes) {
  stage_through_host(src, *this, dst, nbytes);
}

const std::shared_ptr<Device>& host_device() {
  // Never destroyed: buffers and workers may outlive any static destructor order.
  static const auto* const host = new std::shared_ptr<Device>(std::make_shared<HostDevice>());
  return *host;
}

Buffer copy_buffer_to(const Buffer& src, Device& target) {
  Device* const from = src.location();
  const bool to_host = &target == host_device().get();
  if (from == (to_host ? nullptr : &target)) return src;
  const std::size_t n = src.nbytes();
  if (to_host) {
    Buffer dst = from->allocate_host(n);
    from->copy_to_host(src, dst.data(), n);
    return dst;
  }
  Buffer dst = target.allocate(n);
  if (from == nullptr) {
    target.copy_from_host(src.data(), dst, n);
  } else if (from->kind() == target.kind()) {
    target.copy_from_peer(src, dst, n);
  } else {
    stage_through_host(src, target, dst, n);
  }
  return dst;
}

Buffer duplicate_buffer(const Buffer& src) {
  const std::size_t n = src.nbytes();
  Device* const device = src.location();
  if (device == nullptr) {
    Buffer dst = Buffer::allocate_host(n);
    if (n > 0) std::memcpy(dst.data(), src.data(), n);
    return dst;
  }
  Buffer dst = device->allocate(n);
  device->copy_from_peer(src, dst, n);  // a peer copy from itself: within the device
  return dst;
}

}  // namespace tessera
