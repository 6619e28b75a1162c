// CPU generators: the creation kernels (full, arange, linspace, eye) and the random ones
// (uniform, normal, integers) of registry.hpp, as loops over the per-element generators
// of kernels/ops/generators.hpp (shared with the CUDA backend, so both devices make the
// same arrays), after checking the parameters the generators assume valid.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "tessera/core/error.hpp"
#include "tessera/kernels/ops/generators.hpp"
#include "tessera/kernels/registry.hpp"

namespace tessera::kernels {
namespace {

/// Throws a ValueError when integers' [i0, i1) is empty or does not fit T.
template <class T>
void check_integer_bounds(std::int64_t i0, std::int64_t i1) {
  bool ok;
  if constexpr (std::is_same_v<T, std::uint64_t>) {
    ok = static_cast<std::uint64_t>(i0) < static_cast<std::uint64_t>(i1);
  } else {
    ok = i0 < i1 && i0 >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
         i1 - 1 <= static_cast<std::int64_t>(std::numeric_limits<T>::max());
  }
  if (!ok) {
    const bool u64 = std::is_same_v<T, std::uint64_t>;
    throw ValueError("integers: [low, high) = [" +
                     (u64 ? std::to_string(static_cast<std::uint64_t>(i0)) : std::to_string(i0)) + ", " +
                     (u64 ? std::to_string(static_cast<std::uint64_t>(i1)) : std::to_string(i1)) +
                     ") is empty or does not fit " + std::string(name(dtype_of<T>)));
  }
}

/// The checks a generator's parameters must pass before it runs (integers' range, eye's
/// columns); a ValueError naming the problem otherwise.
template <template <class> class Gen, class T>
void check_params(const GeneratorParams& p) {
  if constexpr (std::is_same_v<Gen<T>, ops::Integers<T>>) check_integer_bounds<T>(p.i0, p.i1);
  if constexpr (std::is_same_v<Gen<T>, ops::Eye<T>>) {
    if (p.i0 <= 0) throw ValueError("eye: the number of columns must be positive, got " + std::to_string(p.i0));
  }
}

/// out[j] = Gen's value at global index first_index + j * index_step, for j < n.
template <template <class> class Gen, class T>
void entry(const GeneratorParams& params, void* out, std::size_t n, std::int64_t first_index,
           std::int64_t index_step) {
  if (n == 0) return;
  check_params<Gen, T>(params);
  const Gen<T> value(params);
  T* values = static_cast<T*>(out);
  for (std::size_t j = 0; j < n; ++j) values[j] = value(first_index + static_cast<std::int64_t>(j) * index_step);
}

template <template <class> class Gen>
void register_generator(KernelRegistry& registry, std::string_view name) {
  for (std::size_t d = 0; d < kDTypeCount; ++d) {
    const auto dtype = static_cast<DType>(d);
    type_dispatch(dtype, [&]<class T>() {
      if constexpr (Gen<T>::kSupports) registry.add_generator(name, DeviceKind::cpu, dtype, &entry<Gen, T>);
    });
  }
}

}  // namespace

void register_cpu_generators(KernelRegistry& registry) {
  register_generator<ops::Full>(registry, "full");
  register_generator<ops::Arange>(registry, "arange");
  register_generator<ops::Linspace>(registry, "linspace");
  register_generator<ops::Eye>(registry, "eye");
  register_generator<ops::Uniform>(registry, "uniform");
  register_generator<ops::Normal>(registry, "normal");
  register_generator<ops::Integers>(registry, "integers");
}

}  // namespace tessera::kernels
