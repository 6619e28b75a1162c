#include "tessera/kernels/registry.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "tessera/core/error.hpp"

namespace tessera::kernels {

// Lookups happen when an expression is lowered, once per operation and chunk shape, never
// per element, so ordered maps keyed by strings are fast enough and keep listings sorted.
struct KernelRegistry::Tables {
  using Signature = std::tuple<std::string, DeviceKind, std::vector<DType>>;
  std::map<Signature, ElementwiseKernel, std::less<>> elementwise;
  std::map<std::tuple<DeviceKind, DType, DType>, ElementwiseKernel> casts;
  std::map<std::tuple<std::string, DeviceKind, DType>, ReductionKernel, std::less<>> reductions;
  std::map<std::tuple<std::string, DeviceKind, DType>, GeneratorFn, std::less<>> generators;
};

KernelRegistry::KernelRegistry() : tables_(std::make_unique<Tables>()) {}
KernelRegistry::~KernelRegistry() = default;

const KernelRegistry& KernelRegistry::instance() {
  static const KernelRegistry* const registry = [] {
    auto* r = new KernelRegistry;  // never destroyed: kernels may run during exit
    register_cpu_elementwise(*r);
    register_cpu_casts(*r);
    register_cpu_reductions(*r);
    register_cpu_generators(*r);
    return r;
  }();
  return *registry;
}

void KernelRegistry::add_elementwise(std::string_view op, DeviceKind device, const ElementwiseKernel& kernel) {
  TESSERA_ASSERT(kernel.fn != nullptr && kernel.arity > 0 && kernel.arity <= kMaxElementwiseArity,
                 "malformed elementwise kernel");
  std::vector<DType> inputs(kernel.inputs.begin(), kernel.inputs.begin() + static_cast<std::ptrdiff_t>(kernel.arity));
  tables_->elementwise[{std::string(op), device, std::move(inputs)}] = kernel;
}

const ElementwiseKernel* KernelRegistry::find_elementwise(std::string_view op, std::span<const DType> inputs,
                                                          DeviceKind device) const {
  auto it = tables_->elementwise.find(
      Tables::Signature{std::string(op), device, std::vector<DType>(inputs.begin(), inputs.end())});
  return it == tables_->elementwise.end() ? nullptr : &it->second;
}

std::vector<std::pair<std::string, ElementwiseKernel>> KernelRegistry::elementwise_kernels(DeviceKind device) const {
  std::vector<std::pair<std::string, ElementwiseKernel>> out;
  for (const auto& [signature, kernel] : tables_->elementwise) {
    if (std::get<1>(signature) == device) out.emplace_back(std::get<0>(signature), kernel);
  }
  return out;
}

void KernelRegistry::add_cast(DeviceKind device, DType from, DType to, ElementwiseFn fn) {
  TESSERA_ASSERT(fn != nullptr, "null cast kernel");
  ElementwiseKernel k;
  k.inputs[0] = from;
  k.arity = 1;
  k.output = to;
  k.fn = fn;
  tables_->casts[{device, from, to}] = k;
}

const ElementwiseKernel* KernelRegistry::find_cast(DType from, DType to, DeviceKind device) const {
  auto it = tables_->casts.find({device, from, to});
  return it == tables_->casts.end() ? nullptr : &it->second;
}

void KernelRegistry::add_reduction(std::string_view op, DeviceKind device, const ReductionKernel& kernel) {
  TESSERA_ASSERT(kernel.init && kernel.fold_run && kernel.fold_each && kernel.fold_rows && kernel.merge && kernel.finalize &&
                     kernel.state_size > 0,
                 "malformed reduction kernel");
  tables_->reductions[{std::string(op), device, kernel.input}] = kernel;
}

const ReductionKernel* KernelRegistry::find_reduction(std::string_view op, DType input, DeviceKind device) const {
  auto it = tables_->reductions.find(std::make_tuple(std::string(op), device, input));
  return it == tables_->reductions.end() ? nullptr : &it->second;
}

void KernelRegistry::add_generator(std::string_view op, DeviceKind device, DType output, GeneratorFn fn) {
  TESSERA_ASSERT(fn != nullptr, "null generator");
  tables_->generators[{std::string(op), device, output}] = fn;
}

GeneratorFn KernelRegistry::find_generator(std::string_view op, DType output, DeviceKind device) const {
  auto it = tables_->generators.find(std::make_tuple(std::string(op), device, output));
  return it == tables_->generators.end() ? nullptr : it->second;
}

}  // namespace tessera::kernels
