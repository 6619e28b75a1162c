// Small fused programs that the CUDA kernel tests build: loads of whole chunks feeding
// one operation.
#pragma once

#include <string>
#include <vector>

#include <tessera/kernels/fused.hpp>
#include <tessera/kernels/registry.hpp>

namespace tessera::test {

/// A leaf reading one whole C-contiguous source chunk of `shape`.
inline kernels::LoadLeaf whole_chunk(DType dtype, int source, const Shape& shape) {
  kernels::Patch p;
  p.source = source;
  p.lo = Shape(shape.size(), 0);
  p.hi = shape;
  p.strides = c_strides(shape);
  return kernels::LoadLeaf{dtype, {p}};
}

/// Appends `load source i` for each input dtype and `op(...)` to `program`; returns the
/// register of the result.
inline int append_apply(kernels::FusedProgram& program, const std::string& op, const kernels::ElementwiseKernel& kernel,
                        const Shape& shape) {
  kernels::Instruction apply;
  apply.kind = kernels::Instruction::Kind::apply;
  apply.op = op;
  apply.arity = static_cast<int>(kernel.arity);
  for (std::size_t i = 0; i < kernel.arity; ++i) {
    kernels::Instruction load;
    load.kind = kernels::Instruction::Kind::load;
    load.out = static_cast<int>(program.registers.size());
    load.leaf = static_cast<int>(program.loads.size());
    program.loads.push_back(whole_chunk(kernel.inputs[i], static_cast<int>(i), shape));
    program.registers.push_back(kernel.inputs[i]);
    program.code.push_back(load);
    apply.args[i] = load.out;
  }
  apply.out = static_cast<int>(program.registers.size());
  apply.fn = kernel.fn;
  program.registers.push_back(kernel.output);
  program.code.push_back(apply);
  return apply.out;
}

/// `x * y` of `dtype` (sources 0 and 1), the values a reduction then folds.
inline kernels::FusedProgram reducible(DType dtype, const Shape& shape) {
  kernels::FusedProgram program;
  const auto& registry = kernels::KernelRegistry::instance();
  const auto* mul = registry.find_elementwise("multiply", std::vector<DType>{dtype, dtype}, DeviceKind::cpu);
  program.result = append_apply(program, "multiply", *mul, shape);
  return program;
}

}  // namespace tessera::test
