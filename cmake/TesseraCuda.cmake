# Resolves TESSERA_CUDA (AUTO/ON/OFF) into TESSERA_WITH_CUDA and enables the CUDA language.
# CUDA objects are built for sm_90 (H100/H200) with PTX for newer GPUs, also on machines
# without a GPU, so that CI checks that the CUDA sources compile.
set(TESSERA_WITH_CUDA OFF)
if(NOT TESSERA_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90)   # "90" = sm_90 SASS + compute_90 PTX
    endif()
    enable_language(CUDA)
    # CMake 3.25 predates nvcc's C++20 support and knows no flag for CUDA_STANDARD 20;
    # teach it, so that .cu files include the same C++20 core headers as the rest.
    if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    endif()
    set(CMAKE_CUDA_STANDARD 20)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    find_package(CUDAToolkit REQUIRED)
    set(TESSERA_WITH_CUDA ON)
  elseif(TESSERA_CUDA STREQUAL "ON")
    message(FATAL_ERROR "TESSERA_CUDA=ON but no CUDA compiler (nvcc) was found")
  endif()
endif()
message(STATUS "tessera: CUDA backend ${TESSERA_WITH_CUDA} (TESSERA_CUDA=${TESSERA_CUDA})")
