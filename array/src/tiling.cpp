// Rearranging and repeating elements: moveaxis, roll, tile and repeat, all built from
// views (transposes, slices, concatenation, broadcasts, reshapes), so that they fuse into
// whatever consumes them.
#include <algorithm>
#include <numeric>

#include "tessera/array/reshaping.hpp"
#include "tessera/core/error.hpp"

namespace tessera {

namespace {

// Normalized axes, each once; ValueError naming `what` on a repeat.
std::vector<int> distinct_axes(const std::vector<std::int64_t>& axes, int ndim, const std::string& what) {
  std::vector<int> out;
  for (std::int64_t a : axes) out.push_back(normalize_axis(a, ndim));
  std::vector<int> sorted = out;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw ValueError("repeated axis in " + what + " " + shape_to_string(axes));
  }
  return out;
}

void check_non_negative(const std::vector<std::int64_t>& counts, const std::string& what) {
  for (std::int64_t c : counts) {
    if (c < 0) throw ValueError(what + " must be non-negative, got " + shape_to_string(counts));
  }
}

}  // namespace

Array moveaxis(const Array& x, std::vector<std::int64_t> source, std::vector<std::int64_t> destination) {
  if (source.size() != destination.size()) {
    throw ValueError("moveaxis: source " + shape_to_string(source) + " and destination " +
                     shape_to_string(destination) + " must have the same number of elements");
  }
  const std::vector<int> from = distinct_axes(source, x.ndim(), "source");
  const std::vector<int> to = distinct_axes(destination, x.ndim(), "destination");
  std::vector<std::int64_t> order;
  for (int d = 0; d < x.ndim(); ++d) {
    if (std::find(from.begin(), from.end(), d) == from.end()) order.push_back(d);
  }
  // Inserting by increasing destination puts every moved axis where it belongs.
  std::vector<std::size_t> by_destination(from.size());
  std::iota(by_destination.begin(), by_destination.end(), 0);
  std::sort(by_destination.begin(), by_destination.end(), [&](std::size_t a, std::size_t b) { return to[a] < to[b]; });
  for (std::size_t i : by_destination) order.insert(order.begin() + to[i], from[i]);
  return permute_dims(x, std::move(order));
}

Array roll(const Array& x, std::vector<std::int64_t> shift, std::vector<std::int64_t> axes) {
  if (shift.empty()) throw ValueError("roll: shift must not be empty");
  if (axes.empty()) {
    const std::int64_t total = std::accumulate(shift.begin(), shift.end(), std::int64_t{0});
    return reshape(roll(reshape(x, {-1}), {total}, {0}), x.shape());
  }
  if (shift.size() != axes.size() && shift.size() != 1 && axes.size() != 1) {
    throw ValueError("roll: shift " + shape_to_string(shift) + " and axes " + shape_to_string(axes) +
                     " do not broadcast against each other");
  }
  // Shifts of the same axis add up (NumPy broadcasts shift against axes).
  std::vector<std::int64_t> total(static_cast<std::size_t>(x.ndim()), 0);
  for (std::size_t i = 0; i < std::max(shift.size(), axes.size()); ++i) {
    const int a = normalize_axis(axes[axes.size() == 1 ? 0 : i], x.ndim());
    total[static_cast<std::size_t>(a)] += shift[shift.size() == 1 ? 0 : i];
  }
  Array y = x;
  for (int d = 0; d < x.ndim(); ++d) {
    const std::int64_t n = x.shape()[static_cast<std::size_t>(d)];
    if (n == 0) continue;
    const std::int64_t s = ((total[static_cast<std::size_t>(d)] % n) + n) % n;
    if (s == 0) continue;
    std::vector<IndexItem> tail(static_cast<std::size_t>(x.ndim()), Slice{});
    std::vector<IndexItem> head = tail;
    tail[static_cast<std::size_t>(d)] = Slice{n - s, std::nullopt};
    head[static_cast<std::size_t>(d)] = Slice{std::nullopt, n - s};
    y = concat({y[tail], y[head]}, d);
  }
  return y;
}

Array tile(const Array& x, std::vector<std::int64_t> repetitions) {
  check_non_negative(repetitions, "tile: repetitions");
  const std::size_t nd = std::max(repetitions.size(), static_cast<std::size_t>(x.ndim()));
  repetitions.insert(repetitions.begin(), nd - repetitions.size(), 1);
  Array y = x;
  while (static_cast<std::size_t>(y.ndim()) < nd) y = expand_dims(y, 0);
  // Broadcast to (r0, n0, r1, n1, ...) with the repetition axes cut into single copies,
  // then merge each pair: every output block is one block of x, read where it lies.
  Shape wide, tiled;
  ChunkSizes wide_chunks;
  for (std::size_t d = 0; d < nd; ++d) {
    const std::int64_t r = repetitions[d];
    y = expand_dims(y, static_cast<std::int64_t>(2 * d));
    wide.push_back(r);
    wide.push_back(y.shape()[2 * d + 1]);
    tiled.push_back(r * wide.back());
    wide_chunks.push_back(r == 0 ? std::vector<std::int64_t>{0} : std::vector<std::int64_t>(static_cast<std::size_t>(r), 1));
    wide_chunks.push_back(y.chunks()[2 * d + 1]);
  }
  return reshape(broadcast_to(y, wide).rechunk(ChunkSpec(wide_chunks)), tiled);
}

Array repeat(const Array& x, std::int64_t repeats, std::optional<std::int64_t> axis) {
  check_non_negative({repeats}, "repeat: repeats");
  if (!axis) return repeat(reshape(x, {-1}), repeats, 0);
  const int a = normalize_axis(*axis, x.ndim());
  // Each element broadcast along a new axis right after it, then the pair merged.
  Shape wide = x.shape();
  wide.insert(wide.begin() + a + 1, repeats);
  Shape out = x.shape();
  out[static_cast<std::size_t>(a)] *= repeats;
  return reshape(broadcast_to(expand_dims(x, a + 1), wide), out);
}

}  // namespace tessera
