// Elementwise operations: type promotion, broadcasting, and the choice of output chunks.
#include <algorithm>
#include <cstring>

#include "nodes.hpp"
#include "tessera/core/error.hpp"

namespace tessera {

using array_detail::ConstantNode;
using array_detail::ElementwiseNode;
using array_detail::make_array;

namespace {

const kernels::KernelRegistry& registry() { return kernels::KernelRegistry::instance(); }

std::optional<ScalarKind> weak_kind(const Array& a) {
  const auto* c = dynamic_cast<const ConstantNode*>(a.node().get());
  return c != nullptr ? c->weak() : std::nullopt;
}

bool is_comparison(const std::string& op) {
  return op == "equal" || op == "not_equal" || op == "less" || op == "less_equal" || op == "greater" ||
         op == "greater_equal";
}

// NumPy 2's rule for a Python int meeting an integer array: it must fit the array's dtype,
// except in comparisons, which compare true values (here: in a dtype wide enough for both).
DType check_weak_integers(const std::string& op, const std::vector<Array>& values, DType common) {
  for (const Array& a : values) {
    if (weak_kind(a) != ScalarKind::integer) continue;
    std::int64_t v = 0;
    std::memcpy(&v, dynamic_cast<const ConstantNode&>(*a.node()).value().bytes.data(), sizeof v);
    if (integer_fits(v, common)) continue;
    if (!is_comparison(op)) {
      throw OverflowError(op + ": the integer " + std::to_string(v) + " is out of bounds for " + to_string(common));
    }
    common = common == DType::uint64 ? DType::float64 : DType::int64;
  }
  return common;
}

// Output chunks: along each axis, those of the first operand that spans it (not
// broadcast); the others are read through patches in that grid.
ChunkSizes common_chunks(const std::vector<Array>& operands, const Shape& shape) {
  ChunkSizes chunks(shape.size());
  for (std::size_t d = 0; d < shape.size(); ++d) {
    for (const Array& a : operands) {
      const std::size_t offset = shape.size() - static_cast<std::size_t>(a.ndim());
      if (d < offset) continue;
      if (a.shape()[d - offset] == shape[d]) {
        chunks[d] = a.chunks()[d - offset];
        break;
      }
    }
    if (chunks[d].empty()) chunks[d] = {shape[d]};
  }
  return chunks;
}

DType promoted(const std::vector<Array>& operands) {
  std::optional<DType> strong;
  for (const Array& a : operands) {
    if (weak_kind(a)) continue;
    strong = strong ? result_type(*strong, a.dtype()) : a.dtype();
  }
  DType out = strong.value_or(operands.front().dtype());
  if (!strong) {
    for (const Array& a : operands) out = result_type(out, a.dtype());
    return out;
  }
  for (const Array& a : operands) {
    if (auto k = weak_kind(a)) out = result_type(out, *k);
  }
  return out;
}

std::string dtype_list(const std::vector<Array>& operands) {
  std::string s;
  for (const Array& a : operands) s += (s.empty() ? "" : ", ") + to_string(a.dtype());
  return s;
}

Array cast(const Array& x, DType to) {
  if (x.dtype() == to) return x;
  const kernels::ElementwiseKernel* k = registry().find_cast(x.dtype(), to, DeviceKind::cpu);
  if (k == nullptr) throw TypeError("cannot cast " + to_string(x.dtype()) + " to " + to_string(to));
  return make_array<ElementwiseNode>("astype", *k, std::vector<Array>{x}, x.shape(), x.chunks());
}

}  // namespace

Array scalar_array(Scalar value) {
  kernels::ConstantLeaf c;
  DType dtype = DType::float64;
  switch (value.kind) {
    case ScalarKind::boolean: {
      dtype = DType::bool_;
      const bool b = value.integer != 0;
      std::memcpy(c.bytes.data(), &b, sizeof b);
      break;
    }
    case ScalarKind::integer:
      dtype = kDefaultInt;
      std::memcpy(c.bytes.data(), &value.integer, sizeof value.integer);
      break;
    case ScalarKind::real:
      dtype = kDefaultFloat;
      std::memcpy(c.bytes.data(), &value.real, sizeof value.real);
      break;
    case ScalarKind::complex: {
      dtype = kDefaultComplex;
      const std::complex<double> z(value.real, value.imag);
      std::memcpy(c.bytes.data(), &z, sizeof z);
      break;
    }
  }
  c.dtype = dtype;
  return make_array<ConstantNode>(dtype, c, value.kind);
}

Array elementwise(const std::string& op, const std::vector<Array>& operands) {
  if (operands.empty()) throw ValueError(op + ": no operands");
  for (const Array& a : operands) (void)a.node();  // empty handles throw here
  const bool is_where = op == "where";
  std::vector<Array> values(operands.begin() + (is_where ? 1 : 0), operands.end());
  if (values.empty()) throw ValueError(op + ": needs more operands");
  const DType common = check_weak_integers(op, values, promoted(values));
  auto lookup = [&](DType d) {
    std::vector<DType> signature(operands.size(), d);
    if (is_where) signature[0] = DType::bool_;
    return registry().find_elementwise(op, signature, DeviceKind::cpu);
  };
  const kernels::ElementwiseKernel* kernel = lookup(common);
  if (kernel == nullptr && !is_floating(common)) {
    // Integer and bool inputs of floating functions compute in a floating dtype, as in
    // NumPy (true division always in float64).
    kernel = lookup(op == "divide" ? DType::float64 : floating_dtype(common));
  }
  if (kernel == nullptr) {
    throw TypeError(op + " is not supported for operands of dtype " + dtype_list(operands));
  }
  Shape shape;
  for (const Array& a : operands) shape = broadcast_shapes(shape, a.shape());
  std::vector<Array> cast_operands;
  for (std::size_t i = 0; i < operands.size(); ++i) cast_operands.push_back(cast(operands[i], kernel->inputs[i]));
  ChunkSizes chunks = common_chunks(cast_operands, shape);
  return make_array<ElementwiseNode>(op, *kernel, std::move(cast_operands), std::move(shape), std::move(chunks));
}

Array Array::astype(DType dtype) const { return cast(*this, dtype); }

Array operator+(const Array& a, const Array& b) { return elementwise("add", {a, b}); }
Array operator-(const Array& a, const Array& b) { return elementwise("subtract", {a, b}); }
Array operator*(const Array& a, const Array& b) { return elementwise("multiply", {a, b}); }
Array operator/(const Array& a, const Array& b) { return elementwise("divide", {a, b}); }
Array operator%(const Array& a, const Array& b) { return elementwise("remainder", {a, b}); }
Array operator-(const Array& a) { return elementwise("negative", {a}); }
Array operator==(const Array& a, const Array& b) { return elementwise("equal", {a, b}); }
Array operator!=(const Array& a, const Array& b) { return elementwise("not_equal", {a, b}); }
Array operator<(const Array& a, const Array& b) { return elementwise("less", {a, b}); }
Array operator<=(const Array& a, const Array& b) { return elementwise("less_equal", {a, b}); }
Array operator>(const Array& a, const Array& b) { return elementwise("greater", {a, b}); }
Array operator>=(const Array& a, const Array& b) { return elementwise("greater_equal", {a, b}); }
Array operator&(const Array& a, const Array& b) { return elementwise("bitwise_and", {a, b}); }
Array operator|(const Array& a, const Array& b) { return elementwise("bitwise_or", {a, b}); }
Array operator^(const Array& a, const Array& b) { return elementwise("bitwise_xor", {a, b}); }
Array operator~(const Array& a) { return elementwise("bitwise_invert", {a}); }

Array where(const Array& condition, const Array& a, const Array& b) {
  return elementwise("where", {condition.astype(DType::bool_), a, b});
}

Array clip(const Array& x, std::optional<Scalar> low, std::optional<Scalar> high) {
  Array r = x;
  if (low) r = maximum(r, scalar_array(*low)).astype(x.dtype());
  if (high) r = minimum(r, scalar_array(*high)).astype(x.dtype());
  return r;
}

}  // namespace tessera
