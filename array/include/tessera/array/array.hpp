// tessera::Array: a NumPy-style array cut into chunks, evaluated lazily. Operations build
// nodes of a high-level expression graph; compute() lowers that graph to tasks (fusing
// elementwise chains, views and reductions into one task per chunk) and runs them on a
// Client's workers.
//
//   auto x = tessera::random::uniform({20000, 20000}, 0.0, 1.0, {.chunks = 2000});
//   auto y = x.T() - x.mean(0);
//   double s = y.sum().compute().item<double>();
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "tessera/array/chunking.hpp"
#include "tessera/array/host_array.hpp"
#include "tessera/core/chunk.hpp"
#include "tessera/core/client.hpp"
#include "tessera/core/dtype.hpp"
#include "tessera/core/shape.hpp"

namespace tessera {

namespace array_detail {
class Node;
}

/// A Python-style slice: start, stop and step, each optional.
struct Slice {
  std::optional<std::int64_t> start = {};
  std::optional<std::int64_t> stop = {};
  std::optional<std::int64_t> step = {};
};
/// Inserts an axis of length 1 (NumPy's None / np.newaxis).
struct NewAxis {};
/// Stands for as many full slices as the index leaves out (NumPy's `...`).
struct Ellipsis {};
/// One entry of a basic index.
using IndexItem = std::variant<std::int64_t, Slice, NewAxis, Ellipsis>;

/// A scalar operand: Python-style weak typing (an int scalar keeps an int32 array int32).
struct Scalar {
  Scalar(bool v) : kind(ScalarKind::boolean), integer(v) {}  // NOLINT(google-explicit-constructor)
  Scalar(int v) : kind(ScalarKind::integer), integer(v) {}  // NOLINT(google-explicit-constructor)
  Scalar(std::int64_t v) : kind(ScalarKind::integer), integer(v) {}  // NOLINT(google-explicit-constructor)
  Scalar(double v) : kind(ScalarKind::real), real(v) {}  // NOLINT(google-explicit-constructor)
  Scalar(std::complex<double> v) : kind(ScalarKind::complex), real(v.real()), imag(v.imag()) {}  // NOLINT
  ScalarKind kind;
  std::int64_t integer = 0;
  double real = 0;
  double imag = 0;
};

/// Options shared by reductions.
struct ReduceOptions {
  bool keepdims = false;
  /// How many partial results one combining task merges (the tree's fan-in); 0 picks a
  /// default.
  int split_every = 0;
};

class Array {
 public:
  /// An empty handle; using it throws ValueError.
  Array() = default;

  const Shape& shape() const;
  DType dtype() const;
  const ChunkSizes& chunks() const;
  int ndim() const { return static_cast<int>(shape().size()); }
  std::int64_t size() const { return shape_size(shape()); }
  std::int64_t nbytes() const { return size() * static_cast<std::int64_t>(itemsize(dtype())); }
  /// Number of blocks along each axis.
  std::vector<std::int64_t> numblocks() const;
  bool valid() const noexcept { return node_ != nullptr; }
  /// "tessera.Array<float64, shape=(4, 4), chunks=((2, 2), (2, 2))>".
  std::string repr() const;

  // ---- evaluation ----
  /// Runs the graph and returns the whole array in host memory.
  HostArray compute() const;
  HostArray compute(Client& client) const;
  /// Runs the graph and writes the array C-contiguously into `out`, which must hold
  /// exactly nbytes() bytes.
  void compute_into(void* out, std::size_t out_bytes) const;
  /// Runs the graph and returns the whole array as one C-contiguous chunk in `device`'s
  /// memory (the host, or a device of the client's cluster): assembled by a task when the
  /// array has several blocks, and the very chunk a worker holds when it is there already.
  /// Then (and for a persisted or zero-copy array) chunk.buffer.shared() is true and the
  /// bytes must not be written. (It may also be true for a moment after the workers are
  /// done with a chunk: shared() errs on the side of a copy.)
  Chunk compute_on(Client& client, Device& device) const;
  /// Runs the graph and keeps the chunks on the workers: the returned array reads them
  /// (no recomputation) for as long as it lives.
  Array persist() const;
  Array persist(Client& client) const;

  // ---- manipulation ----
  Array astype(DType dtype) const;
  Array rechunk(const ChunkSpec& chunks) const;
  /// Reverses the axes (NumPy's .T).
  Array T() const;
  Array transpose(std::vector<std::int64_t> axes = {}) const;
  /// Basic indexing: integers, slices (any step), NewAxis and Ellipsis. Never copies a
  /// chunk the index does not touch; the slicing fuses into the consuming task.
  Array operator[](std::vector<IndexItem> index) const;
  Array operator[](std::int64_t i) const { return (*this)[std::vector<IndexItem>{i}]; }
  Array operator[](Slice s) const { return (*this)[std::vector<IndexItem>{s}]; }

  // ---- reductions (axes empty: all axes) ----
  Array sum(std::vector<std::int64_t> axes = {}, ReduceOptions options = {}) const;
  Array prod(std::vector<std::int64_t> axes = {}, ReduceOptions options = {}) const;
  Array min(std::vector<std::int64_t> axes = {}, ReduceOptions options = {}) const;
  Array max(std::vector<std::int64_t> axes = {}, ReduceOptions options = {}) const;
  Array mean(std::vector<std::int64_t> axes = {}, ReduceOptions options = {}) const;
  Array var(std::vector<std::int64_t> axes = {}, double correction = 0, ReduceOptions options = {}) const;
  Array std(std::vector<std::int64_t> axes = {}, double correction = 0, ReduceOptions options = {}) const;
  Array any(std::vector<std::int64_t> axes = {}, ReduceOptions options = {}) const;
  Array all(std::vector<std::int64_t> axes = {}, ReduceOptions options = {}) const;
  /// Index of the smallest element along `axis`, or in the flattened array without one.
  Array argmin(std::optional<std::int64_t> axis = std::nullopt, ReduceOptions options = {}) const;
  Array argmax(std::optional<std::int64_t> axis = std::nullopt, ReduceOptions options = {}) const;
  Array sum(std::int64_t axis, ReduceOptions options = {}) const { return sum(std::vector{axis}, options); }
  Array mean(std::int64_t axis, ReduceOptions options = {}) const { return mean(std::vector{axis}, options); }
  Array min(std::int64_t axis, ReduceOptions options = {}) const { return min(std::vector{axis}, options); }
  Array max(std::int64_t axis, ReduceOptions options = {}) const { return max(std::vector{axis}, options); }

  /// The node this handle refers to (internal).
  const std::shared_ptr<const array_detail::Node>& node() const;
  explicit Array(std::shared_ptr<const array_detail::Node> node) : node_(std::move(node)) {}

 private:
  std::shared_ptr<const array_detail::Node> node_;
};

// ---- creation ----
struct CreationOptions {
  DType dtype = DType::float64;
  ChunkSpec chunks = ChunkSpec::automatic();
};
Array full(const Shape& shape, Scalar value, CreationOptions options = {});
Array zeros(const Shape& shape, CreationOptions options = {});
Array ones(const Shape& shape, CreationOptions options = {});
/// Uninitialized in NumPy; here zeros (no cheaper on a lazy array).
Array empty(const Shape& shape, CreationOptions options = {});
Array zeros_like(const Array& x);
Array ones_like(const Array& x);
Array full_like(const Array& x, Scalar value);
Array empty_like(const Array& x);
/// Values start, start+step, ... below stop. dtype defaults to int64 for integral
/// arguments when `options.dtype` is left at float64 and every argument is integral.
Array arange(double start, double stop, double step = 1, CreationOptions options = {});
Array arange(std::int64_t stop, CreationOptions options = {.dtype = DType::int64});
/// `num` values from start to stop (inclusive when `endpoint`).
Array linspace(double start, double stop, std::int64_t num, bool endpoint = true, CreationOptions options = {});
/// Ones on the k-th diagonal of an n×m matrix (m defaults to n).
Array eye(std::int64_t n, std::optional<std::int64_t> m = std::nullopt, std::int64_t k = 0, CreationOptions options = {});
/// Copies `shape`'s elements of `dtype` from `data` (C order) into the cluster.
Array from_buffer(const void* data, DType dtype, const Shape& shape, const ChunkSpec& chunks = ChunkSpec::automatic());
/// Uses `data` without copying; `keep_alive` must keep it valid and unchanged for as long
/// as any array or task reads it.
Array from_buffer_zero_copy(const void* data, DType dtype, const Shape& shape, std::shared_ptr<const void> keep_alive,
                            const ChunkSpec& chunks = ChunkSpec::automatic());
/// Reads `whole` (on the host or a device) without copying: its bytes must stay unchanged
/// for as long as any array or task reads them. Blocks are windows of it, cut by the
/// tasks that read them, on the device that holds it where they can run there.
Array from_chunk(Chunk whole, const ChunkSpec& chunks = ChunkSpec::automatic());
template <class T>
Array from_vector(const std::vector<T>& values, const Shape& shape, const ChunkSpec& chunks = ChunkSpec::automatic()) {
  return from_buffer(values.data(), dtype_of<T>, shape, chunks);
}

namespace random {
/// Options of the random generators: the seed picks the Philox stream; element i of the
/// array is the stream's i-th value whatever the chunking or the number of workers.
struct RandomOptions {
  std::uint64_t seed = 0;
  DType dtype = DType::float64;
  ChunkSpec chunks = ChunkSpec::automatic();
};
Array uniform(const Shape& shape, double low = 0, double high = 1, RandomOptions options = {});
Array random(const Shape& shape, RandomOptions options = {});
Array normal(const Shape& shape, double mean = 0, double stddev = 1, RandomOptions options = {});
/// Integers in [low, high); options.dtype must be an integer dtype (int64 when left at float64).
Array integers(const Shape& shape, std::int64_t low, std::int64_t high, RandomOptions options = {});
}  // namespace random

// ---- elementwise ----
/// Applies the array API elementwise function `op` ("add", "sin", "where", ...) with
/// broadcasting and type promotion. Throws TypeError when `op` has no kernel for the
/// promoted dtype.
Array elementwise(const std::string& op, const std::vector<Array>& operands);
/// Wraps a scalar as a 0-d array that promotes weakly (as a Python scalar does).
Array scalar_array(Scalar value);

Array operator+(const Array& a, const Array& b);
Array operator-(const Array& a, const Array& b);
Array operator*(const Array& a, const Array& b);
Array operator/(const Array& a, const Array& b);
Array operator%(const Array& a, const Array& b);
Array operator-(const Array& a);
Array operator==(const Array& a, const Array& b);
Array operator!=(const Array& a, const Array& b);
Array operator<(const Array& a, const Array& b);
Array operator<=(const Array& a, const Array& b);
Array operator>(const Array& a, const Array& b);
Array operator>=(const Array& a, const Array& b);
Array operator&(const Array& a, const Array& b);
Array operator|(const Array& a, const Array& b);
Array operator^(const Array& a, const Array& b);
Array operator~(const Array& a);
#define TESSERA_SCALAR_OPERATOR(OP)                                                    \
  inline Array operator OP(const Array& a, Scalar b) { return a OP scalar_array(b); } \
  inline Array operator OP(Scalar a, const Array& b) { return scalar_array(a) OP b; }
TESSERA_SCALAR_OPERATOR(+)
TESSERA_SCALAR_OPERATOR(-)
TESSERA_SCALAR_OPERATOR(*)
TESSERA_SCALAR_OPERATOR(/)
TESSERA_SCALAR_OPERATOR(%)
TESSERA_SCALAR_OPERATOR(==)
TESSERA_SCALAR_OPERATOR(!=)
TESSERA_SCALAR_OPERATOR(<)
TESSERA_SCALAR_OPERATOR(<=)
TESSERA_SCALAR_OPERATOR(>)
TESSERA_SCALAR_OPERATOR(>=)
#undef TESSERA_SCALAR_OPERATOR

#define TESSERA_UNARY(NAME) \
  inline Array NAME(const Array& x) { return elementwise(#NAME, {x}); }
TESSERA_UNARY(abs)
TESSERA_UNARY(exp)
TESSERA_UNARY(expm1)
TESSERA_UNARY(log)
TESSERA_UNARY(log1p)
TESSERA_UNARY(log2)
TESSERA_UNARY(log10)
TESSERA_UNARY(sqrt)
TESSERA_UNARY(square)
TESSERA_UNARY(sin)
TESSERA_UNARY(cos)
TESSERA_UNARY(tan)
TESSERA_UNARY(asin)
TESSERA_UNARY(acos)
TESSERA_UNARY(atan)
TESSERA_UNARY(sinh)
TESSERA_UNARY(cosh)
TESSERA_UNARY(tanh)
TESSERA_UNARY(asinh)
TESSERA_UNARY(acosh)
TESSERA_UNARY(atanh)
TESSERA_UNARY(ceil)
TESSERA_UNARY(floor)
TESSERA_UNARY(trunc)
TESSERA_UNARY(round)
TESSERA_UNARY(sign)
TESSERA_UNARY(isnan)
TESSERA_UNARY(isinf)
TESSERA_UNARY(isfinite)
TESSERA_UNARY(logical_not)
TESSERA_UNARY(real)
TESSERA_UNARY(imag)
TESSERA_UNARY(conj)
#undef TESSERA_UNARY
#define TESSERA_BINARY(NAME) \
  inline Array NAME(const Array& a, const Array& b) { return elementwise(#NAME, {a, b}); }
TESSERA_BINARY(pow)
TESSERA_BINARY(atan2)
TESSERA_BINARY(hypot)
TESSERA_BINARY(maximum)
TESSERA_BINARY(minimum)
TESSERA_BINARY(logaddexp)
TESSERA_BINARY(copysign)
TESSERA_BINARY(floor_divide)
TESSERA_BINARY(logical_and)
TESSERA_BINARY(logical_or)
TESSERA_BINARY(logical_xor)
#undef TESSERA_BINARY
inline Array pow(const Array& a, Scalar b) { return pow(a, scalar_array(b)); }
/// Elements of `a` where `condition` holds, else of `b`.
Array where(const Array& condition, const Array& a, const Array& b);
/// Limits values to [low, high]; either bound may be absent.
Array clip(const Array& x, std::optional<Scalar> low, std::optional<Scalar> high);

// ---- shape manipulation ----
Array permute_dims(const Array& x, std::vector<std::int64_t> axes);
Array matrix_transpose(const Array& x);
Array broadcast_to(const Array& x, const Shape& shape);
Array expand_dims(const Array& x, std::int64_t axis);
Array squeeze(const Array& x, std::vector<std::int64_t> axes);
/// Reverses the order of elements along the axes (all when empty).
Array flip(const Array& x, std::vector<std::int64_t> axes = {});
/// Joins arrays along an existing axis; their other extents must agree.
Array concat(const std::vector<Array>& arrays, std::int64_t axis = 0);
/// Joins arrays along a new axis.
Array stack(const std::vector<Array>& arrays, std::int64_t axis = 0);

// ---- custom code ----
/// Calls `fn` on every chunk (as a host Chunk) and assembles the returned chunks, which
/// must have the input chunk's shape and `out_dtype`.
Array map_blocks(const Array& x, std::function<Chunk(const Chunk&)> fn, DType out_dtype);

/// Evaluates several arrays in one graph, sharing their common work.
std::vector<HostArray> compute(const std::vector<Array>& arrays);
std::vector<HostArray> compute(Client& client, const std::vector<Array>& arrays);

/// The task graph compute() would run for the arrays (for inspection and drawing: each
/// TaskSpec's key, readable name and dependencies).
Graph task_graph(const std::vector<Array>& arrays);

/// The client used by compute() and persist() without one: a LocalCluster with one CPU
/// worker started on first use.
Client& default_client();

}  // namespace tessera
