// Reductions: tree reductions over any set of axes, with the elementwise expression of
// their input fused into the first level.
#include "nodes.hpp"
#include "tessera/core/error.hpp"

namespace tessera {

namespace {

Array reduce(const Array& x, const std::string& op, std::vector<std::int64_t> axes, const ReduceOptions& options,
             double correction = 0, bool flat_index = false) {
  const kernels::ReductionKernel* kernel =
      kernels::KernelRegistry::instance().find_reduction(op, x.dtype(), DeviceKind::cpu);
  if (kernel == nullptr) throw TypeError(op + " is not supported for dtype " + to_string(x.dtype()));
  if (options.split_every < 0) throw ValueError("split_every must be positive, got " + std::to_string(options.split_every));
  std::vector<int> normalized;
  if (axes.empty()) {
    for (int d = 0; d < x.ndim(); ++d) normalized.push_back(d);
  } else {
    normalized = normalize_axes(axes, x.ndim());
  }
  return array_detail::make_array<array_detail::ReductionNode>(x, op, kernel, std::move(normalized), options.keepdims,
                                                               options.split_every, correction, flat_index);
}

}  // namespace

Array Array::sum(std::vector<std::int64_t> axes, ReduceOptions o) const { return reduce(*this, "sum", std::move(axes), o); }
Array Array::prod(std::vector<std::int64_t> axes, ReduceOptions o) const { return reduce(*this, "prod", std::move(axes), o); }
Array Array::min(std::vector<std::int64_t> axes, ReduceOptions o) const { return reduce(*this, "min", std::move(axes), o); }
Array Array::max(std::vector<std::int64_t> axes, ReduceOptions o) const { return reduce(*this, "max", std::move(axes), o); }
Array Array::mean(std::vector<std::int64_t> axes, ReduceOptions o) const { return reduce(*this, "mean", std::move(axes), o); }
Array Array::any(std::vector<std::int64_t> axes, ReduceOptions o) const { return reduce(*this, "any", std::move(axes), o); }
Array Array::all(std::vector<std::int64_t> axes, ReduceOptions o) const { return reduce(*this, "all", std::move(axes), o); }
Array Array::var(std::vector<std::int64_t> axes, double correction, ReduceOptions o) const {
  return reduce(*this, "var", std::move(axes), o, correction);
}
Array Array::std(std::vector<std::int64_t> axes, double correction, ReduceOptions o) const {
  return sqrt(var(std::move(axes), correction, o));
}
Array Array::argmin(std::optional<std::int64_t> axis, ReduceOptions o) const {
  if (axis) return reduce(*this, "argmin", {*axis}, o);
  return reduce(*this, "argmin", {}, o, 0, true);
}
Array Array::argmax(std::optional<std::int64_t> axis, ReduceOptions o) const {
  if (axis) return reduce(*this, "argmax", {*axis}, o);
  return reduce(*this, "argmax", {}, o, 0, true);
}

}  // namespace tessera
