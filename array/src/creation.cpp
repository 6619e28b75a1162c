// Creation functions: constants, ranges, identity matrices, host buffers and random arrays.
#include <cmath>
#include <cstring>

#include "nodes.hpp"
#include "tessera/core/error.hpp"

namespace tessera {

using array_detail::GenerateNode;
using array_detail::make_array;

namespace {

Array generated(const Shape& shape, DType dtype, const ChunkSpec& chunks, const std::string& op,
                const kernels::GeneratorParams& params) {
  return make_array<GenerateNode>(shape, dtype, normalize_chunks(chunks, shape, dtype), op, params);
}

}  // namespace

Array full(const Shape& shape, Scalar value, CreationOptions options) {
  if (value.kind == ScalarKind::integer && !integer_fits(value.integer, options.dtype)) {
    throw OverflowError("full: the fill value " + std::to_string(value.integer) + " is out of bounds for " +
                        to_string(options.dtype));
  }
  kernels::GeneratorParams p;
  p.i0 = value.kind == ScalarKind::integer || value.kind == ScalarKind::boolean ? value.integer
                                                                               : static_cast<std::int64_t>(value.real);
  p.a = value.kind == ScalarKind::integer || value.kind == ScalarKind::boolean ? static_cast<double>(value.integer)
                                                                               : value.real;
  p.b = value.imag;
  return generated(shape, options.dtype, options.chunks, "full", p);
}
Array zeros(const Shape& shape, CreationOptions options) { return full(shape, 0, std::move(options)); }
Array ones(const Shape& shape, CreationOptions options) { return full(shape, 1, std::move(options)); }
Array empty(const Shape& shape, CreationOptions options) { return zeros(shape, std::move(options)); }
Array zeros_like(const Array& x) { return zeros(x.shape(), {.dtype = x.dtype(), .chunks = ChunkSpec(x.chunks())}); }
Array ones_like(const Array& x) { return ones(x.shape(), {.dtype = x.dtype(), .chunks = ChunkSpec(x.chunks())}); }
Array empty_like(const Array& x) { return zeros_like(x); }
Array full_like(const Array& x, Scalar value) {
  return full(x.shape(), value, {.dtype = x.dtype(), .chunks = ChunkSpec(x.chunks())});
}

Array arange(double start, double stop, double step, CreationOptions options) {
  if (step == 0) throw ValueError("arange: step must not be zero");
  if (!std::isfinite(start) || !std::isfinite(stop) || !std::isfinite(step)) {
    throw ValueError("arange: start, stop and step must be finite");
  }
  const auto n = static_cast<std::int64_t>(std::max(0.0, std::ceil((stop - start) / step)));
  kernels::GeneratorParams p;
  p.a = start;
  p.b = step;
  return generated({n}, options.dtype, options.chunks, "arange", p);
}
Array arange(std::int64_t stop, CreationOptions options) {
  return arange(0.0, static_cast<double>(stop), 1.0, std::move(options));
}

Array linspace(double start, double stop, std::int64_t num, bool endpoint, CreationOptions options) {
  if (num < 0) throw ValueError("linspace: num must be non-negative, got " + std::to_string(num));
  const std::int64_t intervals = endpoint ? num - 1 : num;
  kernels::GeneratorParams p;
  p.a = start;
  p.b = intervals > 0 ? (stop - start) / static_cast<double>(intervals) : 0.0;
  p.c = stop;
  p.i1 = endpoint && num > 1 ? num - 1 : -1;  // the index written exactly as `stop`
  return generated({num}, options.dtype, options.chunks, "linspace", p);
}

Array eye(std::int64_t n, std::optional<std::int64_t> m, std::int64_t k, CreationOptions options) {
  const std::int64_t cols = m.value_or(n);
  if (n < 0 || cols < 0) throw ValueError("eye: negative dimensions " + std::to_string(n) + " × " + std::to_string(cols));
  kernels::GeneratorParams p;
  p.i0 = std::max<std::int64_t>(cols, 1);
  p.i1 = k;
  return generated({n, cols}, options.dtype, options.chunks, "eye", p);
}

Array from_chunk(Chunk whole, const ChunkSpec& chunks) {
  if (whole.buffer.nbytes() < whole.nbytes()) {
    throw ValueError("from_chunk: the buffer holds " + std::to_string(whole.buffer.nbytes()) + " bytes, a " +
                     shape_to_string(whole.shape) + " array of " + to_string(whole.dtype) + " needs " +
                     std::to_string(whole.nbytes()));
  }
  if (whole.nbytes() > 0 && whole.buffer.data() == nullptr) throw ValueError("from_chunk: null data for a non-empty array");
  ChunkSizes sizes = normalize_chunks(chunks, whole.shape, whole.dtype);
  return make_array<array_detail::SourceNode>(std::move(whole), std::move(sizes));
}

Array from_buffer_zero_copy(const void* data, DType dtype, const Shape& shape, std::shared_ptr<const void> keep_alive,
                            const ChunkSpec& chunks) {
  Chunk whole;
  whole.dtype = dtype;
  whole.shape = shape;
  whole.buffer = Buffer::wrap_host(const_cast<void*>(data), whole.nbytes(), std::move(keep_alive));
  return from_chunk(std::move(whole), chunks);
}

Array from_buffer(const void* data, DType dtype, const Shape& shape, const ChunkSpec& chunks) {
  ChunkSizes sizes = normalize_chunks(chunks, shape, dtype);
  Chunk whole = Chunk::allocate(dtype, shape);
  if (whole.nbytes() > 0) {
    if (data == nullptr) throw ValueError("from_buffer: null data for a non-empty array");
    std::memcpy(whole.buffer.data(), data, whole.nbytes());
  }
  return make_array<array_detail::SourceNode>(std::move(whole), std::move(sizes));
}

namespace random {

Array uniform(const Shape& shape, double low, double high, RandomOptions options) {
  if (!(low <= high)) throw ValueError("uniform: low must not exceed high");
  kernels::GeneratorParams p;
  p.seed = options.seed;
  p.a = low;
  p.b = high;
  return generated(shape, options.dtype, options.chunks, "uniform", p);
}
Array random(const Shape& shape, RandomOptions options) { return uniform(shape, 0, 1, std::move(options)); }
Array normal(const Shape& shape, double mean, double stddev, RandomOptions options) {
  if (stddev < 0) throw ValueError("normal: the standard deviation must be non-negative");
  kernels::GeneratorParams p;
  p.seed = options.seed;
  p.a = mean;
  p.b = stddev;
  return generated(shape, options.dtype, options.chunks, "normal", p);
}
Array integers(const Shape& shape, std::int64_t low, std::int64_t high, RandomOptions options) {
  if (low >= high) throw ValueError("integers: low (" + std::to_string(low) + ") must be below high (" + std::to_string(high) + ")");
  if (options.dtype == DType::float64) options.dtype = DType::int64;
  if (!is_integer(options.dtype)) throw TypeError("integers: dtype must be an integer dtype, got " + to_string(options.dtype));
  kernels::GeneratorParams p;
  p.seed = options.seed;
  p.i0 = low;
  p.i1 = high;
  return generated(shape, options.dtype, options.chunks, "integers", p);
}

}  // namespace random
}  // namespace tessera
