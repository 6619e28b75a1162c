// tessera: parallel arrays and tasks on GPUs and CPUs. Include this one header.
#pragma once

#include "tessera/array/array.hpp"
#include "tessera/array/chunking.hpp"
#include "tessera/array/host_array.hpp"
#include "tessera/array/reshaping.hpp"
#include "tessera/core/chunk.hpp"
#include "tessera/core/client.hpp"
#include "tessera/core/dtype.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/future.hpp"
#include "tessera/core/graph.hpp"
#include "tessera/core/key.hpp"
#include "tessera/core/local_cluster.hpp"
#include "tessera/core/task.hpp"
#include "tessera/core/value.hpp"
