// The GPU as a Device: one CUDA device, or a share of one (a virtual GPU). Each has its
// own streams (one per executor lane, one for copies), its own stream-ordered memory
// pool, and page-locked host memory for the values it spills or hands to the host.
#pragma once

#include <cstddef>
#include <memory>

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

}  // namespace tessera
