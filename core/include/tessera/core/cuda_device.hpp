// The GPU as a Device: one CUDA device, or a share of one (a virtual GPU). Each has its
// own streams (one per executor lane, one for copies), its own stream-ordered memory
// pool, and page-locked host memory for the values it spills or hands to the host.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "tessera/core/device.hpp"

namespace tessera {

struct CudaDeviceOptions {
  int ordinal = 0;          ///< the CUDA device
  std::size_t lanes = 1;    ///< executor lanes, one compute stream each
  /// Bytes of the card this device may count on (its share for a virtual GPU); 0: all of it.
  std::size_t capacity = 0;
  /// Which share of the card this is, for its name ("cuda:0/1"); -1: the whole card ("cuda:0").
  int virtual_index = -1;
};

/// A device on a GPU. Throws tessera::Error when tessera was built without CUDA, or the
/// GPU cannot be used (no driver, a bad ordinal).
std::shared_ptr<Device> make_cuda_device(const CudaDeviceOptions& options);

/// Throws the exception for a CUDA runtime call on GPU `ordinal` that returned `status`
/// (a cudaError_t, passed as an int so that this header needs no CUDA one), with the
/// message "<what> failed: <CUDA's message>":
/// - tessera::OutOfMemory for an allocation failure;
/// - tessera::DeviceLost for an error that leaves the GPU's context unusable for the rest
///   of the process (an illegal address, a trap or assertion in a kernel, an uncorrectable
///   ECC error: every later call on it fails the same way), after recording that the GPU
///   is lost, so that every device on it (its virtual GPUs) says so;
/// - tessera::Error otherwise.
/// Every CUDA call of tessera, core and kernels alike, fails through here.
[[noreturn]] void throw_cuda_failure(int status, int ordinal, std::string_view what);

/// Why GPU `ordinal` can no longer be used by this process; empty while it can.
std::string cuda_device_lost_reason(int ordinal);

/// Waits for all of this process's work on every GPU it has started using (whose primary
/// context exists), other libraries' streams included: memory another library may still
/// be writing. Starts nothing on a GPU not in use, and leaves the thread's current GPU as
/// it was; does nothing without a driver, or in a build without CUDA.
void synchronize_gpus_in_use();

}  // namespace tessera
