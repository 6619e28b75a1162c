// The CUDA backend's sort (kernels/cuda/sort.hpp): lanes of records sorted on the device
// in the order of the array layer's blocked sort (NaNs last both ways, -0.0 equal to 0.0,
// ties by index), compared with std::stable_sort of the same records on the host. Needs a
// GPU: skips, saying why, elsewhere (the sources compile in every CUDA build).
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <tessera/kernels/cuda/smoke.hpp>
#include <tessera/kernels/cuda/sort.hpp>

#include "cuda_test_support.hpp"
#include "tessera/core/error.hpp"

namespace {

namespace cuda = tessera::kernels::cuda;
using tessera::DType;
using tessera::test::DeviceBytes;

template <class T>
struct HostRecord {
  T value;
  std::int64_t index;
};

/// The array layer's order (sort_order.hpp) for real values, written out independently.
template <class T>
bool before(const HostRecord<T>& a, const HostRecord<T>& b, bool descending) {
  if constexpr (std::is_floating_point_v<T>) {
    const bool na = std::isnan(a.value), nb = std::isnan(b.value);
    if (na != nb) return nb;
    if (na) return a.index < b.index;
  }
  if (a.value != b.value) return descending ? b.value < a.value : a.value < b.value;
  return a.index < b.index;
}

template <class T>
std::vector<T> test_values(std::size_t n, std::mt19937& rng) {
  std::vector<T> values(n);
  std::uniform_int_distribution<int> pick(-6, 6);
  for (std::size_t e = 0; e < n; ++e) {
    const int v = pick(rng);
    if constexpr (std::is_floating_point_v<T>) {
      // Duplicates, both zeros, NaNs and infinities among ordinary values.
      values[e] = v == 6    ? std::numeric_limits<T>::quiet_NaN()
                  : v == -6 ? -std::numeric_limits<T>::infinity()
                  : v == 5  ? -T(0)
                            : static_cast<T>(v) / 4;
    } else {
      values[e] = static_cast<T>(v * 37);  // wraps for unsigned: large values too
    }
  }
  return values;
}

/// Sorts a block of outer × length × inner values along its middle axis on the device
/// (records, then the lanes' sort, then the values and indices of ranks [lo, hi)) and
/// compares with the host.
template <class T>
void check_sort(DType dtype, std::int64_t outer, std::int64_t length, std::int64_t inner, bool descending) {
  const std::size_t n = static_cast<std::size_t>(outer * length * inner);
  std::mt19937 rng(static_cast<unsigned>(n));
  const std::vector<T> values = test_values<T>(n, rng);
  std::vector<std::int64_t> indices(static_cast<std::size_t>(length));
  for (std::int64_t p = 0; p < length; ++p) indices[static_cast<std::size_t>(p)] = 100 + p;

  const std::int64_t lanes = outer * inner;
  std::vector<HostRecord<T>> expected;
  for (std::int64_t lane = 0; lane < lanes; ++lane) {
    std::vector<HostRecord<T>> run;
    for (std::int64_t p = 0; p < length; ++p) {
      const auto at = static_cast<std::size_t>(((lane / inner) * length + p) * inner + lane % inner);
      run.push_back({values[at], indices[static_cast<std::size_t>(p)]});
    }
    std::sort(run.begin(), run.end(), [&](const auto& a, const auto& b) { return before(a, b, descending); });
    expected.insert(expected.end(), run.begin(), run.end());
  }

  DeviceBytes d_values(n * sizeof(T), values.data());
  const std::int64_t index_table[] = {length, 1};  // positions 100 + p along the lane
  DeviceBytes d_index_table(sizeof(index_table), index_table);
  DeviceBytes records(n * cuda::kSortRecordBytes), sorted(n * cuda::kSortRecordBytes);
  const std::size_t workspace_bytes = cuda::sort_workspace_bytes(static_cast<std::int64_t>(n));
  DeviceBytes workspace(workspace_bytes);
  cuda::make_sort_records_on_device(dtype, d_values.ptr, outer, length, inner,
                                    {static_cast<const std::int64_t*>(d_index_table.ptr), 1, 100}, records.ptr,
                                    nullptr);
  cuda::sort_records_on_device({.dtype = dtype, .descending = descending, .lanes = lanes, .length = length},
                               records.ptr, sorted.ptr, workspace.ptr, workspace_bytes, nullptr);
  const std::int64_t lo = length / 3, hi = length - length / 4;
  const std::size_t window = static_cast<std::size_t>(lanes * (hi - lo));
  DeviceBytes out_values(window * sizeof(T)), out_indices(window * sizeof(std::int64_t));
  cuda::write_sorted_window_on_device(dtype, cuda::SortedPart::values, sorted.ptr, lanes, length, lo, hi, inner,
                                      out_values.ptr, nullptr);
  cuda::write_sorted_window_on_device(dtype, cuda::SortedPart::indices, sorted.ptr, lanes, length, lo, hi, inner,
                                      out_indices.ptr, nullptr);
  std::vector<T> got_values(window);
  std::vector<std::int64_t> got_indices(window);
  ASSERT_EQ(cudaMemcpy(got_values.data(), out_values.ptr, window * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
  ASSERT_EQ(cudaMemcpy(got_indices.data(), out_indices.ptr, window * sizeof(std::int64_t), cudaMemcpyDeviceToHost),
            cudaSuccess);
  const std::int64_t width = hi - lo;
  for (std::int64_t lane = 0; lane < lanes; ++lane) {
    for (std::int64_t q = 0; q < width; ++q) {
      const HostRecord<T>& want = expected[static_cast<std::size_t>(lane * length + lo + q)];
      const auto at = static_cast<std::size_t>(((lane / inner) * width + q) * inner + lane % inner);
      const std::string where = std::string(tessera::name(dtype)) + (descending ? " descending" : "") + " lane " +
                                std::to_string(lane) + " rank " + std::to_string(lo + q);
      ASSERT_EQ(got_indices[at], want.index) << where;
      ASSERT_EQ(std::memcmp(&got_values[at], &want.value, sizeof(T)), 0) << where;  // -0.0 stays -0.0
    }
  }
}

TEST(CudaSort, RealDtypesHaveDeviceCodeComplexOnesDoNot) {
  EXPECT_TRUE(cuda::has_device_sort(DType::float64));
  EXPECT_TRUE(cuda::has_device_sort(DType::bool_));
  EXPECT_FALSE(cuda::has_device_sort(DType::complex64));
}

TEST(CudaSortOnGpu, LanesSortLikeTheHost) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no usable GPU: " << cuda::device_unavailable_reason();
  for (bool descending : {false, true}) {
    check_sort<double>(DType::float64, 3, 500, 4, descending);
    check_sort<float>(DType::float32, 1, 5000, 1, descending);
    check_sort<std::int64_t>(DType::int64, 7, 60, 1, descending);
    check_sort<std::int8_t>(DType::int8, 2, 300, 3, descending);
    check_sort<std::uint32_t>(DType::uint32, 1, 1000, 5, descending);
    check_sort<std::uint8_t>(DType::uint8, 2, 100, 2, descending);
  }
}

TEST(CudaSortOnGpu, RecordsOfABlockSortedWholeGetTheirFlatIndexInTheArray) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no usable GPU: " << cuda::device_unavailable_reason();
  // The block [2:5, 1:5, 1:6] of a (10, 8, 6) array, as one lane of 60 records.
  const std::int64_t lo[] = {2, 1, 1}, extent[] = {3, 4, 5}, strides[] = {48, 6, 1};
  const std::int64_t table[] = {extent[0], extent[1], extent[2], strides[0], strides[1], strides[2]};
  const std::int64_t base = lo[0] * strides[0] + lo[1] * strides[1] + lo[2] * strides[2];
  std::vector<std::int32_t> values(60);
  for (std::size_t p = 0; p < values.size(); ++p) values[p] = static_cast<std::int32_t>(1000 - 3 * p);
  DeviceBytes d_values(values.size() * sizeof(std::int32_t), values.data()), d_table(sizeof(table), table);
  DeviceBytes records(values.size() * cuda::kSortRecordBytes);
  cuda::make_sort_records_on_device(DType::int32, d_values.ptr, 1, 60, 1,
                                    {static_cast<const std::int64_t*>(d_table.ptr), 3, base}, records.ptr, nullptr);
  std::vector<HostRecord<std::int64_t>> got(values.size());  // the value zero-extended to 8 bytes
  static_assert(sizeof(HostRecord<std::int64_t>) == cuda::kSortRecordBytes);
  ASSERT_EQ(cudaMemcpy(got.data(), records.ptr, got.size() * cuda::kSortRecordBytes, cudaMemcpyDeviceToHost),
            cudaSuccess);
  std::size_t p = 0;
  for (std::int64_t i = 0; i < extent[0]; ++i) {
    for (std::int64_t j = 0; j < extent[1]; ++j) {
      for (std::int64_t k = 0; k < extent[2]; ++k, ++p) {
        const std::int64_t flat = (lo[0] + i) * strides[0] + (lo[1] + j) * strides[1] + (lo[2] + k) * strides[2];
        ASSERT_EQ(got[p].index, flat) << "record " << p;
        std::int32_t value = 0;
        std::memcpy(&value, &got[p].value, sizeof(value));
        ASSERT_EQ(value, values[p]) << "record " << p;
      }
    }
  }
  // No extents (a 0-d array's one element): the index is the base alone.
  const std::int32_t one = 7;
  DeviceBytes d_one(sizeof(one), &one), one_record(cuda::kSortRecordBytes);
  cuda::make_sort_records_on_device(DType::int32, d_one.ptr, 1, 1, 1, {nullptr, 0, 42}, one_record.ptr, nullptr);
  HostRecord<std::int64_t> got_one{};
  ASSERT_EQ(cudaMemcpy(&got_one, one_record.ptr, sizeof(got_one), cudaMemcpyDeviceToHost), cudaSuccess);
  EXPECT_EQ(got_one.index, 42);
  std::int32_t one_value = 0;
  std::memcpy(&one_value, &got_one.value, sizeof(one_value));
  EXPECT_EQ(one_value, 7);
}

TEST(CudaSortOnGpu, AnIndexBoundOrdersTiesByIndex) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no usable GPU: " << cuda::device_unavailable_reason();
  // One lane whose equal values come in decreasing index order.
  std::vector<HostRecord<double>> records;
  for (std::int64_t i = 0; i < 1000; ++i) records.push_back({static_cast<double>(i % 7), 999 - i});
  const std::size_t bytes = records.size() * cuda::kSortRecordBytes;
  static_assert(sizeof(HostRecord<double>) == cuda::kSortRecordBytes);
  DeviceBytes in(bytes, records.data()), sorted(bytes);
  const std::size_t workspace_bytes = cuda::sort_workspace_bytes(1000);
  DeviceBytes workspace(workspace_bytes);
  cuda::sort_records_on_device({.dtype = DType::float64, .lanes = 1, .length = 1000, .index_bound = 1000}, in.ptr,
                               sorted.ptr, workspace.ptr, workspace_bytes, nullptr);
  std::vector<HostRecord<double>> got(records.size());
  ASSERT_EQ(cudaMemcpy(got.data(), sorted.ptr, bytes, cudaMemcpyDeviceToHost), cudaSuccess);
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) { return before(a, b, false); });
  for (std::size_t r = 0; r < records.size(); ++r) {
    ASSERT_EQ(got[r].value, records[r].value) << r;
    ASSERT_EQ(got[r].index, records[r].index) << r;
  }
}

TEST(CudaSortOnGpu, BadWindowsAreRefused) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no usable GPU: " << cuda::device_unavailable_reason();
  DeviceBytes sorted(cuda::kSortRecordBytes * 10), out(80);
  EXPECT_THROW(cuda::write_sorted_window_on_device(DType::float64, cuda::SortedPart::values, sorted.ptr, 1, 10, 5, 11,
                                                   1, out.ptr, nullptr),
               tessera::ValueError);
  EXPECT_THROW(cuda::write_sorted_window_on_device(DType::complex64, cuda::SortedPart::values, sorted.ptr, 1, 10, 0, 1,
                                                   1, out.ptr, nullptr),
               tessera::TypeError);
}

}  // namespace
