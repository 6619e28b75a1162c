// CPU casts between every pair of dtypes (astype): one loop per pair over ops::convert
// (kernels/ops/cast.hpp, where the semantics are).
#include <cstddef>

#include "tessera/core/dtype.hpp"
#include "tessera/kernels/ops/cast.hpp"
#include "tessera/kernels/registry.hpp"

namespace tessera::kernels {
namespace {

template <class From, class To>
void cast_loop(const void* const* inputs, void* output, std::size_t n) {
  // The output may alias the input only when the dtypes match, where this is a copy.
  const From* __restrict in = static_cast<const From*>(inputs[0]);
  To* __restrict out = static_cast<To*>(output);
  for (std::size_t i = 0; i < n; ++i) out[i] = ops::convert<To>(in[i]);
}

}  // namespace

void register_cpu_casts(KernelRegistry& registry) {
  for (std::size_t from = 0; from < kDTypeCount; ++from) {
    for (std::size_t to = 0; to < kDTypeCount; ++to) {
      type_dispatch(static_cast<DType>(from), [&]<class From>() {
        type_dispatch(static_cast<DType>(to), [&]<class To>() {
          registry.add_cast(DeviceKind::cpu, dtype_of<From>, dtype_of<To>, &cast_loop<From, To>);
        });
      });
    }
  }
}

}  // namespace tessera::kernels
