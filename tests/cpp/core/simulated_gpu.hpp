// A test double of a GPU for machines without one: a Device of kind cuda whose memory is
// host memory tagged with it. Tasks on it run host code, so the runtime's device logic
// (placement by kind, moving values between devices, the device tier of the spill
// store, gathering to the host) runs end to end in CI; the CUDA kernels themselves are
// tested in tests/cpp/kernels on a real GPU.
#pragma once

#include <atomic>
#include <cstring>
#include <string>

#include <tessera/tessera.hpp>

namespace tessera::testing {

class SimulatedGpu final : public Device {
 public:
  explicit SimulatedGpu(std::string name, std::size_t capacity = 0) : name_(std::move(name)), capacity_(capacity) {}

  DeviceKind kind() const noexcept override { return DeviceKind::cuda; }
  std::string name() const override { return name_; }

  Buffer allocate(std::size_t nbytes) override {
    if (capacity_ > 0 && in_use_->load() + nbytes > capacity_) {
      throw OutOfMemory(name_ + ": could not allocate " + std::to_string(nbytes) + " bytes");
    }
    Buffer host = Buffer::allocate_host(nbytes);
    in_use_->fetch_add(nbytes);
    // The owner frees the host block and gives the bytes back when the last copy goes.
    auto in_use = in_use_;
    std::shared_ptr<const void> owner(host.data(), [host, in_use, nbytes](const void*) { in_use->fetch_sub(nbytes); });
    ++allocations;
    return Buffer::wrap_device(host.data(), nbytes, std::move(owner), shared_from_this());
  }
  void copy_to_host(const Buffer& src, void* dst, std::size_t nbytes) override {
    ++copies_out;
    if (nbytes > 0) std::memcpy(dst, src.data(), nbytes);
  }
  void copy_from_host(const void* src, Buffer& dst, std::size_t nbytes) override {
    ++copies_in;
    if (nbytes > 0) std::memcpy(dst.data(), src, nbytes);
  }
  void copy_from_peer(const Buffer& src, Buffer& dst, std::size_t nbytes) override {
    ++peer_copies;
    if (nbytes > 0) std::memcpy(dst.data(), src.data(), nbytes);
  }
  std::size_t bytes_in_use() const noexcept override { return in_use_->load(); }
  std::size_t capacity() const noexcept override { return capacity_; }

  std::atomic<int> allocations{0}, copies_in{0}, copies_out{0}, peer_copies{0};

 private:
  std::string name_;
  std::size_t capacity_;
  std::shared_ptr<std::atomic<std::size_t>> in_use_ = std::make_shared<std::atomic<std::size_t>>(0);
};

}  // namespace tessera::testing
