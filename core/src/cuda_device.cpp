#include "tessera/core/cuda_device.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <unordered_map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/host_block_pool.hpp"
#include "tessera/core/logging.hpp"

#if defined(TESSERA_WITH_CUDA)
#include <cuda_runtime_api.h>
#include <unistd.h>
#endif

namespace tessera {

#if defined(TESSERA_WITH_CUDA)
namespace {

// The GPUs this process can no longer use, with the error that showed it. Never
// destroyed: devices and their deleters may outlive static objects.
struct LostCards {
  std::atomic<bool> any{false};  // workers ask often: most processes never lose a card
  std::mutex mutex;
  std::map<int, std::string> reasons;
};
LostCards& lost_cards() {
  static auto* cards = new LostCards();
  return *cards;
}

// The errors after which CUDA's documentation says that "any further CUDA work will
// return the same error" and the process must be relaunched to use the GPU again.
bool corrupts_context(cudaError_t status) noexcept {
  switch (status) {
    case cudaErrorECCUncorrectable:
    case cudaErrorNvlinkUncorrectable:  // not said to be sticky, but the link's data is gone
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchTimeout:
    case cudaErrorAssert:
    case cudaErrorHardwareStackError:
    case cudaErrorIllegalInstruction:
    case cudaErrorMisalignedAddress:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorLaunchFailure:
#if CUDART_VERSION >= 12080  // errors of recent toolkits
    case cudaErrorContained:
    case cudaErrorTensorMemoryLeak:
#endif
    case cudaErrorMpsClientTerminated:
    case cudaErrorExternalDevice:
      return true;
    default:
      return false;
  }
}

void check(cudaError_t status, int ordinal, const std::string& device, const char* what) {
  if (status == cudaSuccess) return;
  throw_cuda_failure(status, ordinal, device + ": " + what);
}

// Makes a device current for a scope and restores the thread's previous one: the calling
// thread may be an executor of another GPU (dropping a buffer of this one, or copying
// out of it), whose kernels must keep going to its own device.
class DeviceScope {
 public:
  DeviceScope(int ordinal, const std::string& device) {
    check(cudaGetDevice(&previous_), ordinal, device, "reading the current device");
    if (previous_ != ordinal) check(cudaSetDevice(ordinal), ordinal, device, "selecting the device");
    else previous_ = -1;
  }
  ~DeviceScope() {
    if (previous_ >= 0) cudaSetDevice(previous_);
  }
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  int previous_ = -1;
};

// Runs `release` with `ordinal` as the current device and restores the thread's own,
// ignoring errors: for deleters, which run on any thread, also during process exit.
template <class F>
void with_device_noexcept(int ordinal, F&& release) noexcept {
  int previous = -1;
  cudaGetDevice(&previous);
  if (previous != ordinal) cudaSetDevice(ordinal);
  release();
  if (previous >= 0 && previous != ordinal) cudaSetDevice(previous);
  cudaGetLastError();
}

// Page-locked memory of every GPU of the process together: at most a quarter of the
// machine's memory, however many GPUs (and virtual GPUs) each count their own share.
std::size_t process_pinned_budget() {
  static const std::size_t budget = [] {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page) / 4
                                 : std::size_t{1} << 30;
  }();
  return budget;
}

// Page-locked memory for every GPU of the process, from one pool: pinning pages is slow
// and freeing them waits for the device, so each block serves move after move. Portable
// blocks can be read by a copy on any GPU, whichever asked for them first.
// A block is freed with the GPU that pinned it current: the thread dropping the last
// handle may never have used CUDA (it would make GPU 0's context for the call), or have
// a lost card current.
class PinnedBlocks final : public HostBlockSource {
 public:
  void* obtain(std::size_t nbytes) noexcept override {
    int ordinal = 0;
    void* block = nullptr;
    if (cudaGetDevice(&ordinal) != cudaSuccess || cudaHostAlloc(&block, nbytes, cudaHostAllocPortable) != cudaSuccess) {
      cudaGetLastError();
      return nullptr;
    }
    try {
      std::lock_guard lock(mutex_);
      pinned_by_.emplace(block, ordinal);
    } catch (...) {  // no memory to remember it: not handed out
      cudaFreeHost(block);
      return nullptr;
    }
    return block;
  }
  void give_back(void* block, std::size_t) noexcept override {
    int ordinal = 0;
    {
      std::lock_guard lock(mutex_);
      auto it = pinned_by_.find(block);
      if (it != pinned_by_.end()) {
        ordinal = it->second;
        pinned_by_.erase(it);
      }
    }
    // At process exit the driver may be gone already: nothing to report to.
    with_device_noexcept(ordinal, [block] { cudaFreeHost(block); });
  }

 private:
  std::mutex mutex_;
  std::unordered_map<void*, int> pinned_by_;
};

HostBlockPool& pinned_pool() {
  // Never destroyed: buffers may be released after static destructors ran. An eighth of
  // the budget may stay cached while free; all of it goes back with the last GPU device.
  static auto* pool =
      new HostBlockPool(std::make_unique<PinnedBlocks>(), process_pinned_budget(), process_pinned_budget() / 8);
  return *pool;
}
std::atomic<int> live_cuda_devices{0};

// Every pool of the process by card: an allocation that fails on one virtual GPU may be
// waiting on blocks its siblings (or the card's default pool) keep cached.
struct PoolRegistry {
  std::mutex mutex;
  std::vector<std::pair<int, cudaMemPool_t>> pools;

  void add(int ordinal, cudaMemPool_t pool) {
    std::lock_guard lock(mutex);
    pools.emplace_back(ordinal, pool);
  }
  void remove(cudaMemPool_t pool) {
    std::lock_guard lock(mutex);
    std::erase_if(pools, [&](const auto& entry) { return entry.second == pool; });
  }
  /// Gives every cached free block of the card's pools back to the driver.
  void trim_card(int ordinal) {
    std::lock_guard lock(mutex);
    for (const auto& [card, pool] : pools) {
      if (card == ordinal) cudaMemPoolTrimTo(pool, 0);
    }
    cudaMemPool_t default_pool = nullptr;
    if (cudaDeviceGetDefaultMemPool(&default_pool, ordinal) == cudaSuccess) cudaMemPoolTrimTo(default_pool, 0);
    cudaGetLastError();
  }
};

PoolRegistry& pool_registry() {
  static auto* registry = new PoolRegistry();  // never destroyed: devices may outlive statics
  return *registry;
}

// The executor lane the calling thread was bound to, per device object; lanes never
// change once bound, so allocations and kernels of a thread share its stream.
thread_local const void* bound_device = nullptr;
thread_local std::size_t bound_lane = 0;

class CudaDevice final : public Device {
 public:
  explicit CudaDevice(const CudaDeviceOptions& options) : options_(options) {
    std::ostringstream name;  // not "cuda:" + std::string: GCC 12 warns falsely (-Wrestrict)
    name << "cuda:" << options.ordinal;
    if (options.virtual_index >= 0) name << '/' << options.virtual_index;
    name_ = name.str();
    const DeviceScope scope(options.ordinal, name_);
    cudaDeviceProp props{};
    check(cudaGetDeviceProperties(&props, options.ordinal), "reading its properties");
    capacity_ = options.capacity > 0 ? options.capacity : props.totalGlobalMem;
    // A pool of its own, so that virtual GPUs of one card do not share freed memory, and
    // with no release threshold: freed blocks stay cached for the next chunk instead of
    // going back to the driver at every synchronization.
    cudaMemPoolProps pool_props{};
    pool_props.allocType = cudaMemAllocationTypePinned;
    pool_props.location.type = cudaMemLocationTypeDevice;
    pool_props.location.id = options.ordinal;
    check(cudaMemPoolCreate(&pool_, &pool_props), "creating its memory pool");
    pool_registry().add(options.ordinal, pool_);
    std::uint64_t keep = capacity_;  // cache up to its share; beyond, give back at synchronization
    check(cudaMemPoolSetAttribute(pool_, cudaMemPoolAttrReleaseThreshold, &keep), "configuring its memory pool");
    grant_peer_access();
    pinned_budget_ = capacity_ / 4;
    lanes_.resize(std::max<std::size_t>(1, options.lanes));
    for (cudaStream_t& s : lanes_) check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "creating a stream");
    check(cudaStreamCreateWithFlags(&copy_stream_, cudaStreamNonBlocking), "creating a stream");
    live_cuda_devices.fetch_add(1);
  }

  ~CudaDevice() override {
    // Every buffer holds this device, so none is left; errors at process exit (a driver
    // already unloaded) have no one to report to.
    with_device_noexcept(options_.ordinal, [this] {
      for (cudaStream_t s : lanes_) cudaStreamDestroy(s);
      cudaStreamDestroy(copy_stream_);
      pool_registry().remove(pool_);
      cudaMemPoolDestroy(pool_);
    });
    // Pinned pages cached for no device left would be kept from the rest of the machine.
    if (live_cuda_devices.fetch_sub(1) == 1) pinned_pool().trim();
  }

  DeviceKind kind() const noexcept override { return DeviceKind::cuda; }
  std::string name() const override { return name_; }
  int ordinal() const noexcept override { return options_.ordinal; }

  Buffer allocate(std::size_t nbytes) override {
    if (nbytes == 0) return Buffer::wrap_device(nullptr, 0, nullptr, shared_from_this());
    const cudaStream_t stream = current_stream();
    void* p = nullptr;
    const DeviceScope scope(options_.ordinal, name_);
    cudaError_t status = cudaMallocFromPoolAsync(&p, nbytes, pool_, stream);
    if (status == cudaErrorMemoryAllocation) {
      // Blocks cached free by this card's pools (this one, its virtual siblings', the
      // default one) may be what is missing: give them back, retry.
      cudaGetLastError();
      pool_registry().trim_card(options_.ordinal);
      status = cudaMallocFromPoolAsync(&p, nbytes, pool_, stream);
    }
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      throw OutOfMemory(name_ + ": could not allocate " + std::to_string(nbytes) + " bytes (" +
                        std::to_string(in_use_.load()) + " in use of " + std::to_string(capacity_) + ")");
    }
    check(status, "allocating device memory");
    if (stream == copy_stream_) {
      // Not on an executor lane: the block may reuse memory freed in the copy stream's
      // order, so that order must be reached before another stream touches it.
      check(cudaStreamSynchronize(stream), "allocating device memory");
    }
    in_use_.fetch_add(nbytes);
    auto self = std::static_pointer_cast<CudaDevice>(shared_from_this());
    std::shared_ptr<const void> owner(p, [self, nbytes](const void* q) {
      // Freed in the order of the releasing thread's stream: its own lane, where a task
      // that failed midway may still have work queued on the block, or else the copy
      // stream (other lanes synchronize after every task, so none has work pending).
      with_device_noexcept(self->options_.ordinal,
                           [&] { cudaFreeAsync(const_cast<void*>(q), self->current_stream()); });
      self->in_use_.fetch_sub(nbytes);
    });
    return Buffer::wrap_device(p, nbytes, std::move(owner), shared_from_this());
  }

  Buffer allocate_host(std::size_t nbytes) override {
    if (nbytes == 0) return Buffer();
    // Page-locked memory is scarcer than memory, and pinning much of it slows the whole
    // machine: up to a quarter of the device's share (and of the machine's memory for
    // the process, the pool's capacity), then ordinary pages, which copy more slowly but
    // just as correctly.
    const std::size_t charged = HostBlockPool::block_size(nbytes);  // what the pool's block takes
    if (pinned_in_use_.fetch_add(charged) + charged > pinned_budget_) {
      pinned_in_use_.fetch_sub(charged);
      return Buffer::allocate_host(nbytes);
    }
    std::optional<Buffer> block;
    try {
      const DeviceScope scope(options_.ordinal, name_);  // the GPU that pins a new block
      block = pinned_pool().allocate(nbytes);
    } catch (...) {
      pinned_in_use_.fetch_sub(charged);
      throw;
    }
    if (!block) {
      pinned_in_use_.fetch_sub(charged);
      return Buffer::allocate_host(nbytes);
    }
    auto self = std::static_pointer_cast<CudaDevice>(shared_from_this());
    std::byte* data = block->data();
    // The block goes back to the pool with the deleter, when the last handle is gone.
    return Buffer::wrap_host(data, nbytes,
                             std::shared_ptr<const void>(data, [self, charged, held = std::move(*block)](const void*) {
                               self->pinned_in_use_.fetch_sub(charged);
                             }));
  }

  void copy_to_host(const Buffer& src, void* dst, std::size_t nbytes) override {
    copy(dst, src.data(), nbytes, cudaMemcpyDeviceToHost, "copying to the host");
  }

  void copy_from_host(const void* src, Buffer& dst, std::size_t nbytes) override {
    copy(dst.data(), src, nbytes, cudaMemcpyHostToDevice, "copying from the host");
  }

  void copy_from_peer(const Buffer& src, Buffer& dst, std::size_t nbytes) override {
    const auto* peer = dynamic_cast<const CudaDevice*>(src.location());
    // Another card's pool memory is reachable from here only where it granted access;
    // otherwise the copy goes through host memory.
    if (peer == nullptr || (peer->options_.ordinal != options_.ordinal && !peer->reachable_from(options_.ordinal))) {
      Device::copy_from_peer(src, dst, nbytes);
      return;
    }
    if (nbytes == 0) return;
    const cudaStream_t stream = current_stream();
    const DeviceScope scope(options_.ordinal, name_);
    // Virtual GPUs of one card copy within it; other GPUs peer to peer (the driver stages
    // through the host where the two cannot reach each other).
    const bool same_card = peer->options_.ordinal == options_.ordinal;
    cudaError_t status =
        same_card ? cudaMemcpyAsync(dst.data(), src.data(), nbytes, cudaMemcpyDeviceToDevice, stream)
                  : cudaMemcpyPeerAsync(dst.data(), options_.ordinal, src.data(), peer->options_.ordinal, nbytes, stream);
    if (status == cudaSuccess) status = cudaStreamSynchronize(stream);
    if (!same_card && corrupts_context(status)) {
      // Either card may be the broken one, and the copy cannot tell which: neither is
      // recorded lost here. Each card's own next call says; the value is found elsewhere.
      cudaGetLastError();
      throw DeviceLost(name_ + ": copying from " + peer->name_ + " failed: " + cudaGetErrorString(status));
    }
    check(status, "copying from a peer GPU");
  }

  void bind_current_thread(std::size_t lane) override {
    check(cudaSetDevice(options_.ordinal), "selecting the device");
    bound_device = this;
    bound_lane = lane % lanes_.size();
  }

  void* stream(std::size_t lane) const noexcept override { return lanes_[lane % lanes_.size()]; }

  void synchronize(std::size_t lane) override {
    check(cudaStreamSynchronize(lanes_[lane % lanes_.size()]), "running a task");
  }

  void synchronize_all() override {
    const DeviceScope scope(options_.ordinal, name_);
    check(cudaDeviceSynchronize(), "waiting for the device");
  }

  std::string lost_reason() const override { return cuda_device_lost_reason(options_.ordinal); }

  std::size_t bytes_in_use() const noexcept override { return in_use_.load(); }
  std::size_t capacity() const noexcept override { return capacity_; }

 private:
  void check(cudaError_t status, const char* what) const { tessera::check(status, options_.ordinal, name_, what); }

  cudaStream_t current_stream() const noexcept {
    return bound_device == this ? lanes_[bound_lane] : copy_stream_;
  }

  // Pool memory is reachable only from the GPUs its pool grants access to: granting every
  // GPU that can reach this one peer to peer lets copies between GPUs (and kernels reading
  // a peer's chunk) go over NVLink or PCIe directly instead of through host memory.
  bool reachable_from(int ordinal) const noexcept {
    return std::find(reachable_from_.begin(), reachable_from_.end(), ordinal) != reachable_from_.end();
  }

  void grant_peer_access() {
    int count = 0;
    check(cudaGetDeviceCount(&count), "counting GPUs");
    std::vector<cudaMemAccessDesc> peers;
    for (int peer = 0; peer < count; ++peer) {
      if (peer == options_.ordinal) continue;
      int can_access = 0;
      check(cudaDeviceCanAccessPeer(&can_access, peer, options_.ordinal), "asking about peer access");
      if (can_access == 0) continue;
      cudaMemAccessDesc access{};
      access.location.type = cudaMemLocationTypeDevice;
      access.location.id = peer;
      access.flags = cudaMemAccessFlagsProtReadWrite;
      peers.push_back(access);
    }
    if (peers.empty()) return;
    check(cudaMemPoolSetAccess(pool_, peers.data(), peers.size()), "granting peers access to its pool");
    for (const cudaMemAccessDesc& access : peers) reachable_from_.push_back(access.location.id);
    TESSERA_LOG(debug) << name_ << ": " << peers.size() << " peer GPU(s) may access its memory directly";
  }

  void copy(void* dst, const void* src, std::size_t nbytes, cudaMemcpyKind direction, const char* what) {
    if (nbytes == 0) return;
    const cudaStream_t stream = current_stream();
    const DeviceScope scope(options_.ordinal, name_);
    check(cudaMemcpyAsync(dst, src, nbytes, direction, stream), what);
    check(cudaStreamSynchronize(stream), what);
  }

  CudaDeviceOptions options_;
  std::string name_;
  std::size_t capacity_ = 0;
  cudaMemPool_t pool_ = nullptr;
  std::vector<cudaStream_t> lanes_;
  cudaStream_t copy_stream_ = nullptr;
  std::atomic<std::size_t> in_use_{0};
  std::size_t pinned_budget_ = 0;
  std::vector<int> reachable_from_;  // GPUs its pool granted direct access
  std::atomic<std::size_t> pinned_in_use_{0};
};

}  // namespace

std::shared_ptr<Device> make_cuda_device(const CudaDeviceOptions& options) {
  return std::make_shared<CudaDevice>(options);
}

void throw_cuda_failure(int code, int ordinal, std::string_view what) {
  const auto status = static_cast<cudaError_t>(code);
  cudaGetLastError();  // clear a non-sticky error, so that the next call starts clean
  const std::string message = std::string(what) + " failed: " + cudaGetErrorString(status);
  if (status == cudaErrorMemoryAllocation) throw OutOfMemory(message + ": out of device memory");
  if (!corrupts_context(status)) throw Error(message);
  bool first = false;
  {
    LostCards& cards = lost_cards();
    std::lock_guard lock(cards.mutex);
    first = cards.reasons.emplace(ordinal, message).second;
    cards.any.store(true, std::memory_order_release);
  }
  if (first) {
    TESSERA_LOG(error) << "GPU " << ordinal << " can no longer be used by this process (" << message
                       << "); its workers retire and their work moves to other workers";
  }
  throw DeviceLost(message);
}

std::string cuda_device_lost_reason(int ordinal) {
  LostCards& cards = lost_cards();
  if (!cards.any.load(std::memory_order_acquire)) return {};
  std::lock_guard lock(cards.mutex);
  auto it = cards.reasons.find(ordinal);
  return it == cards.reasons.end() ? std::string() : it->second;
}

#else

std::shared_ptr<Device> make_cuda_device(const CudaDeviceOptions&) {
  throw Error("tessera was built without CUDA: it cannot run on a GPU");
}

void throw_cuda_failure(int status, int, std::string_view what) {
  throw Error(std::string(what) + " failed with CUDA error " + std::to_string(status) +
              " in a build of tessera without CUDA");
}

std::string cuda_device_lost_reason(int) { return {}; }

#endif

}  // namespace tessera
