// The word a copy kernel moves at once: the widest (up to 16 bytes) that divides both the
// size of what it copies and the alignment of every address it reads or writes, so that
// every load and store is aligned whatever a chunk's start (imported memory may start
// anywhere).
#pragma once

#include <vector_types.h>

#include <cstddef>

namespace tessera::kernels::cuda {

/// Calls `launch.template operator()<Word>()` with the widest word dividing `bits` (a size
/// or'ed with the alignments involved).
template <class Launch>
void with_copy_word(std::size_t bits, Launch&& launch) {
  if (bits % 16 == 0) {
    launch.template operator()<uint4>();
  } else if (bits % 8 == 0) {
    launch.template operator()<unsigned long long>();
  } else if (bits % 4 == 0) {
    launch.template operator()<unsigned int>();
  } else if (bits % 2 == 0) {
    launch.template operator()<unsigned short>();
  } else {
    launch.template operator()<unsigned char>();
  }
}

}  // namespace tessera::kernels::cuda
