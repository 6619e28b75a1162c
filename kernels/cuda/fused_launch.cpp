#include "tessera/kernels/cuda/fused_launch.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/kernels/cuda/check.hpp"
#include "tessera/kernels/cuda/fused_source.hpp"
#include "tessera/kernels/cuda/nvrtc_compiler.hpp"
#include "tessera/kernels/ops/portable.hpp"

namespace tessera::kernels::cuda {
namespace {

/// A compiled kernel loaded for one device and one thread, with its own copy of the
/// library's globals: the error flag a launch resets, and reads after its kernel, is then
/// used by that launch alone (a thread waits for each launch it makes), and is the flag
/// of the device the kernel ran on (a global's address is per device).
struct LoadedKernel {
  cudaLibrary_t library = nullptr;
  cudaKernel_t kernel = nullptr;
  int* error_code = nullptr;  // the library's tessera_error_code, in device memory
};

class ThreadKernels {
 public:
  ThreadKernels() = default;
  ThreadKernels(const ThreadKernels&) = delete;
  ThreadKernels& operator=(const ThreadKernels&) = delete;
  ~ThreadKernels() {
    for (auto& [key, k] : loaded_) cudaLibraryUnload(k.library);  // best effort, also at exit
    cudaGetLastError();
  }

  const LoadedKernel& load(const std::shared_ptr<const Cubin>& cubin, const std::string& name) {
    int device = 0;
    check_cuda(cudaGetDevice(&device), "cudaGetDevice");
    const auto key = std::make_pair(cubin.get(), device);  // the cubins live in compile_cuda's cache
    if (auto it = loaded_.find(key); it != loaded_.end()) return it->second;
    LoadedKernel k;
    check_cuda(cudaLibraryLoadData(&k.library, cubin->data(), nullptr, nullptr, 0, nullptr, nullptr, 0),
               "cudaLibraryLoadData");
    try {
      check_cuda(cudaLibraryGetKernel(&k.kernel, k.library, name.c_str()), "cudaLibraryGetKernel");
      void* flag = nullptr;
      std::size_t bytes = 0;
      // A kernel that can report nothing (no integer power, no checked index) may be
      // compiled without the flag: it then has none to clear or read.
      const cudaError_t status = cudaLibraryGetGlobal(&flag, &bytes, k.library, "tessera_error_code");
      if (status == cudaErrorSymbolNotFound) {
        cudaGetLastError();  // not the next call's error
      } else {
        check_cuda(status, "cudaLibraryGetGlobal");
        k.error_code = static_cast<int*>(flag);
      }
    } catch (...) {
      cudaLibraryUnload(k.library);
      throw;
    }
    return loaded_.emplace(key, k).first->second;
  }

 private:
  std::map<std::pair<const Cubin*, int>, LoadedKernel> loaded_;
};

const LoadedKernel& load(const std::shared_ptr<const Cubin>& cubin, const std::string& name) {
  thread_local ThreadKernels kernels;
  return kernels.load(cubin, name);
}

/// Frees device memory from cudaMallocAsync when it goes out of scope.
struct AsyncAllocation {
  void* ptr = nullptr;
  cudaStream_t stream = nullptr;
  AsyncAllocation(std::size_t bytes, cudaStream_t s) : stream(s) {
    check_cuda(cudaMallocAsync(&ptr, bytes, stream), "cudaMallocAsync");
  }
  ~AsyncAllocation() {
    if (ptr != nullptr) cudaFreeAsync(ptr, stream);
  }
  AsyncAllocation(const AsyncAllocation&) = delete;
  AsyncAllocation& operator=(const AsyncAllocation&) = delete;
};

/// What launches need to know of a GPU: the architecture NVRTC compiles for (major * 10
/// + minor) and the number of multiprocessors grids are sized by.
struct DeviceTraits {
  int architecture = 0;
  int multiprocessors = 1;
};

/// The current device's traits, asked of the driver once per thread and device rather
/// than on every launch.
DeviceTraits current_device_traits() {
  int device = 0;
  check_cuda(cudaGetDevice(&device), "cudaGetDevice");
  thread_local std::map<int, DeviceTraits> known;
  if (auto it = known.find(device); it != known.end()) return it->second;
  int major = 0, minor = 0;
  DeviceTraits traits;
  check_cuda(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device), "cudaDeviceGetAttribute");
  check_cuda(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device), "cudaDeviceGetAttribute");
  check_cuda(cudaDeviceGetAttribute(&traits.multiprocessors, cudaDevAttrMultiProcessorCount, device),
             "cudaDeviceGetAttribute");
  traits.architecture = major * 10 + minor;
  return known.emplace(device, traits).first->second;
}

/// The disk cache of compiled kernels, read from the environment once per process.
const std::filesystem::path& kernel_cache_directory() {
  static const std::filesystem::path directory = default_kernel_cache_directory();
  return directory;
}

/// Compiles (or finds) and loads `source`, then launches it over `blocks` blocks with
/// `arguments`; waits for the stream and raises what the kernel reported.
void launch(const FusedKernelSource& source, std::vector<std::int64_t>& arguments, unsigned blocks, int architecture,
            cudaStream_t stream, void* device_result, void* host_result, std::size_t result_bytes) {
  const std::shared_ptr<const Cubin> cubin =
      compile_cuda(source.source, NvrtcOptions{architecture, kernel_cache_directory()});
  const LoadedKernel& k = load(cubin, source.name);
  if (k.error_code != nullptr) check_cuda(cudaMemsetAsync(k.error_code, 0, sizeof(int), stream), "cudaMemsetAsync");
  const std::size_t argument_bytes = arguments.size() * sizeof(std::int64_t);
  std::unique_ptr<AsyncAllocation> device_arguments;
  if (!source.argument_in_parameter) {
    device_arguments = std::make_unique<AsyncAllocation>(argument_bytes, stream);
    check_cuda(cudaMemcpyAsync(device_arguments->ptr, arguments.data(), argument_bytes, cudaMemcpyHostToDevice, stream),
               "cudaMemcpyAsync");
  }
  void* argument_pointer = device_arguments ? device_arguments->ptr : nullptr;
  void* by_value[] = {arguments.data()};
  void* by_pointer[] = {&argument_pointer};
  check_cuda(cudaLaunchKernel(reinterpret_cast<const void*>(k.kernel), dim3(blocks), dim3(kFusedBlockThreads),
                              source.argument_in_parameter ? by_value : by_pointer, 0, stream),
             "cudaLaunchKernel");
  if (host_result != nullptr) {
    check_cuda(cudaMemcpyAsync(host_result, device_result, result_bytes, cudaMemcpyDeviceToHost, stream),
               "cudaMemcpyAsync");
  }
  int error_code = 0;
  if (k.error_code != nullptr) {
    check_cuda(cudaMemcpyAsync(&error_code, k.error_code, sizeof(int), cudaMemcpyDeviceToHost, stream),
               "cudaMemcpyAsync");
  }
  check_cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
  if (error_code != 0) throw ValueError(ops::port::message(static_cast<ops::port::ErrorCode>(error_code)));
}

/// Enough blocks of a grid-stride loop to fill every multiprocessor a few times over.
unsigned grid_for(std::int64_t jobs, int multiprocessors) {
  return static_cast<unsigned>(
      std::max<std::int64_t>(1, std::min<std::int64_t>(jobs, std::int64_t{multiprocessors} * 16)));
}

}  // namespace

void evaluate_fused_on_device(const FusedProgram& program, std::span<const void* const> sources,
                              std::span<const std::int64_t> shape, void* out, cudaStream_t stream) {
  std::vector<std::int64_t> arguments = fused_kernel_arguments(program, sources, shape, out);
  const std::int64_t count = arguments[0];
  if (count == 0) return;
  const DeviceTraits gpu = current_device_traits();
  const FusedKernelSource source = fused_kernel_source(program, static_cast<int>(shape.size()));
  const std::int64_t blocks = (count + kFusedBlockThreads - 1) / kFusedBlockThreads;
  launch(source, arguments, grid_for(blocks, gpu.multiprocessors), gpu.architecture, stream, nullptr, nullptr, 0);
}

void scan_fused_on_device(const FusedProgram& program, std::span<const void* const> sources,
                          std::span<const std::int64_t> shape, int axis, std::string_view op, void* out,
                          cudaStream_t stream) {
  if (axis < 0 || static_cast<std::size_t>(axis) >= shape.size()) {
    throw ValueError("fused CUDA scan: axis " + std::to_string(axis) + " is out of range for " +
                     std::to_string(shape.size()) + " axes");
  }
  std::vector<std::int64_t> arguments = fused_kernel_arguments(program, sources, shape, out);
  const std::int64_t count = arguments[0];
  if (count == 0) return;
  const std::int64_t length = shape[static_cast<std::size_t>(axis)];
  std::int64_t inner = 1;
  for (std::size_t d = static_cast<std::size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  const std::int64_t lines = count / length;
  // A block per line where lines are contiguous and long enough to fill its threads;
  // otherwise a thread per line, which neighbouring lines keep coalesced.
  const bool block_per_line = inner == 1 && length > 32;
  const DeviceTraits gpu = current_device_traits();
  const FusedKernelSource source = fused_scan_source(program, static_cast<int>(shape.size()), axis, op, block_per_line);
  const std::int64_t blocks = block_per_line ? lines : (lines + kFusedBlockThreads - 1) / kFusedBlockThreads;
  launch(source, arguments, grid_for(blocks, gpu.multiprocessors), gpu.architecture, stream, nullptr, nullptr, 0);
}

namespace {

/// How a reduction is spread over the GPU: `states` outputs, each folding `folded`
/// elements split over `splits` blocks.
struct ReductionPlan {
  std::int64_t states = 1, folded = 1, splits = 1;
  std::size_t partial_bytes = 0;
};

ReductionPlan plan_reduction(std::span<const std::int64_t> shape, const ReductionTarget& target, int multiprocessors) {
  if (target.kernel == nullptr) throw ValueError("fused CUDA reduction: the target has no kernel");
  ReductionPlan plan;
  for (std::size_t d = 0; d < shape.size() && d < target.reduced.size(); ++d) {
    (target.reduced[d] ? plan.folded : plan.states) *= shape[d];
  }
  if (plan.states == 0 || plan.folded == 0) return plan;  // nothing to fold
  // Split each state's elements over several blocks when there are too few states to
  // fill the GPU, but give each block at least a few thousand elements.
  const std::int64_t wanted_blocks = std::int64_t{multiprocessors} * 4;
  plan.splits = std::max<std::int64_t>(
      1, std::min((wanted_blocks + plan.states - 1) / plan.states, (plan.folded + 4095) / 4096));
  plan.partial_bytes = static_cast<std::size_t>(plan.states * plan.splits) * target.kernel->state_size;
  return plan;
}

}  // namespace

std::size_t reduction_workspace_bytes(std::span<const std::int64_t> shape, const ReductionTarget& target) {
  return plan_reduction(shape, target, current_device_traits().multiprocessors).partial_bytes;
}

void reduce_fused_on_device(const FusedProgram& program, std::span<const void* const> sources,
                            std::span<const std::int64_t> shape, std::string_view op, const ReductionTarget& target,
                            cudaStream_t stream, void* workspace, std::size_t workspace_bytes) {
  const DeviceTraits gpu = current_device_traits();
  const ReductionPlan plan = plan_reduction(shape, target, gpu.multiprocessors);
  if (plan.partial_bytes == 0) return;  // nothing to fold: the target keeps its states
  const ReductionKernel& kernel = *target.kernel;
  const std::int64_t states = plan.states, splits = plan.splits;
  const std::size_t partial_bytes = plan.partial_bytes;
  std::unique_ptr<AsyncAllocation> own;
  if (workspace == nullptr) {
    own = std::make_unique<AsyncAllocation>(partial_bytes, stream);
    workspace = own->ptr;
  } else if (workspace_bytes < partial_bytes) {
    throw ValueError("fused CUDA reduction: a workspace of " + std::to_string(workspace_bytes) + " bytes, " +
                     std::to_string(partial_bytes) + " needed");
  }
  std::vector<std::int64_t> arguments = fused_reduction_arguments(program, sources, shape, target, splits, workspace);
  const FusedKernelSource source = fused_reduction_source(program, target.reduced, op, kernel);
  std::vector<std::byte> host(partial_bytes);
  launch(source, arguments, grid_for(states * splits, gpu.multiprocessors), gpu.architecture, stream, workspace,
         host.data(), partial_bytes);
  auto* out = static_cast<std::byte*>(target.states);
  // Partial p of state o holds the elements of split p, in order, as merge expects.
  for (std::int64_t o = 0; o < states; ++o) {
    for (std::int64_t p = 0; p < splits; ++p) {
      kernel.merge(out + static_cast<std::size_t>(o) * kernel.state_size,
                   host.data() + static_cast<std::size_t>(o * splits + p) * kernel.state_size, 1);
    }
  }
}

}  // namespace tessera::kernels::cuda
