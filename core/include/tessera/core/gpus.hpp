// The GPUs this process can use. Found once per process, through the CUDA runtime when
// tessera is built with CUDA; a machine without a driver or a GPU (or a build without
// CUDA) simply has none, with the reason, and everything runs on the CPU. Nothing here
// throws or fails to load where CUDA is missing: the runtime is linked statically and
// finds the driver, if any, when first asked.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tessera {

struct GpuInfo {
  int index = 0;                 ///< the CUDA device ordinal
  std::string name;              ///< e.g. "NVIDIA H200"
  std::size_t memory_bytes = 0;  ///< total device memory
  int compute_capability = 0;    ///< major * 10 + minor (90 for sm_90)
  int multiprocessors = 0;
};

struct GpuAvailability {
  std::vector<GpuInfo> gpus;
  /// Why `gpus` is empty ("tessera was built without CUDA", "CUDA driver version is
  /// insufficient for CUDA runtime version", "no CUDA device found"); empty otherwise.
  std::string reason;
};

/// The visible GPUs, queried on the first call, which also logs (once, at level info)
/// what was found or why tessera runs on the CPU only.
const GpuAvailability& gpu_availability();

}  // namespace tessera
