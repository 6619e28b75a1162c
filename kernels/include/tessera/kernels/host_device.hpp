// Functions that host code and CUDA kernels share are marked TESSERA_HOST_DEVICE: compiled
// for both under nvcc, plain functions elsewhere.
#pragma once

#if defined(__CUDACC__)
#define TESSERA_HOST_DEVICE __host__ __device__
#else
#define TESSERA_HOST_DEVICE
#endif
