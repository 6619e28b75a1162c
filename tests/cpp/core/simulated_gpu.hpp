// A test double of a GPU for machines without one: a Device of kind cuda whose memory is
// host memory tagged with it. Tasks on it run host code, so the runtime's device logic
// (placement by kind, moving values between devices, the device tier of the spill
// store, gathering to the host) runs end to end in CI; the CUDA kernels themselves are
// tested in tests/cpp/kernels on a real GPU.
#pragma once

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include <tessera/tessera.hpp>

namespace tessera::testing {

class SimulatedGpu final : public Device {
 public:
  /// What the virtual GPUs of one card share: a lost card is lost to all of them.
  struct Card {
    mutable std::mutex mutex;
    std::string lost_reason;
  };

  explicit SimulatedGpu(std::string name, std::size_t capacity = 0, std::shared_ptr<Card> card = std::make_shared<Card>())
      : name_(std::move(name)), capacity_(capacity), card_(std::move(card)) {}

  DeviceKind kind() const noexcept override { return DeviceKind::cuda; }
  std::string name() const override { return name_; }

  Buffer allocate(std::size_t nbytes) override {
    throw_if_lost("allocating device memory");
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
    throw_if_lost("copying to the host");
    ++copies_out;
    if (nbytes > 0) std::memcpy(dst, src.data(), nbytes);
  }
  void copy_from_host(const void* src, Buffer& dst, std::size_t nbytes) override {
    throw_if_lost("copying from the host");
    ++copies_in;
    if (nbytes > 0) std::memcpy(dst.data(), src, nbytes);
  }
  void copy_from_peer(const Buffer& src, Buffer& dst, std::size_t nbytes) override {
    throw_if_lost("copying from a peer GPU");
    ++peer_copies;
    if (nbytes > 0) std::memcpy(dst.data(), src.data(), nbytes);
  }
  void synchronize(std::size_t) override { throw_if_lost("running a task"); }
  std::string lost_reason() const override {
    std::lock_guard lock(card_->mutex);
    return card_->lost_reason;
  }
  /// Breaks the card as a sticky CUDA error breaks a GPU: every later call on it (on any
  /// of its virtual GPUs) fails with tessera::DeviceLost.
  void lose(const std::string& error) {
    std::lock_guard lock(card_->mutex);
    if (card_->lost_reason.empty()) card_->lost_reason = name_ + ": " + error;
  }

  std::size_t bytes_in_use() const noexcept override { return in_use_->load(); }
  std::size_t capacity() const noexcept override { return capacity_; }

  std::atomic<int> allocations{0}, copies_in{0}, copies_out{0}, peer_copies{0};

 private:
  std::string name_;
  std::size_t capacity_;
  std::shared_ptr<std::atomic<std::size_t>> in_use_ = std::make_shared<std::atomic<std::size_t>>(0);
  std::shared_ptr<Card> card_;

  void throw_if_lost(const char* what) const {
    const std::string reason = lost_reason();
    if (!reason.empty()) throw DeviceLost(name_ + ": " + what + " failed: the device was lost earlier (" + reason + ")");
  }
};

struct SimulatedGpuClusterOptions {
  std::size_t cards = 0;         ///< simulated GPUs
  std::size_t virtual_gpus = 1;  ///< workers per card, sharing its fate ("sim:0/1")
  std::size_t device_memory_limit = 0;
  std::size_t capacity = 0;  ///< bytes each can allocate; 0: no limit
  std::uint32_t allowed_failures = 3;
};

/// A LocalCluster of one CPU worker (two threads) beside workers on simulated GPUs
/// (ids 1, 2, ...), and a client of it.
struct SimulatedGpuCluster {
  explicit SimulatedGpuCluster(const SimulatedGpuClusterOptions& o) {
    tessera::LocalClusterOptions options;
    options.n_workers = 1;
    options.threads_per_worker = 2;
    options.gpus = 0;  // only the simulated ones, even on a machine with a GPU
    options.device_memory_limit = o.device_memory_limit;
    options.allowed_failures = o.allowed_failures;
    for (std::size_t g = 0; g < o.cards; ++g) {
      auto card = std::make_shared<SimulatedGpu::Card>();
      for (std::size_t v = 0; v < o.virtual_gpus; ++v) {
        std::string name = "sim:";  // appended piecewise: GCC 12 warns falsely on "sim:" + ... (-Wrestrict)
        name += std::to_string(g);
        if (o.virtual_gpus > 1) name.append("/").append(std::to_string(v));
        devices.push_back(std::make_shared<SimulatedGpu>(name, o.capacity, card));
        options.devices.push_back(devices.back());
      }
    }
    cluster = std::make_unique<tessera::LocalCluster>(options);
    client = std::make_unique<tessera::Client>(*cluster);
  }
  /// A counter of SimulatedGpu summed over the devices.
  int total(std::atomic<int> SimulatedGpu::*counter) const {
    int n = 0;
    for (const auto& d : devices) n += (*d.*counter).load();
    return n;
  }
  std::size_t lost_workers() const {
    std::size_t lost = 0;
    for (std::size_t w = 0; w < cluster->n_workers(); ++w) lost += !cluster->worker_stats(w).lost_reason.empty();
    return lost;
  }

  std::vector<std::shared_ptr<SimulatedGpu>> devices;
  std::unique_ptr<tessera::LocalCluster> cluster;
  std::unique_ptr<tessera::Client> client;
};

}  // namespace tessera::testing
