// Spilling inside a running cluster: workers with a 64 KiB memory limit hold far more
// results than fit, spill them to the folder given, read them back for dependents and
// for gather with every value exact, and leave nothing behind once futures are dropped.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include <tessera/tessera.hpp>

#include "core/runtime_helpers.hpp"
#include "test_support.hpp"

namespace {

using tessera::Client;
using tessera::Future;
using tessera::LocalCluster;
using tessera::testing::count_files;
using tessera::testing::stored_keys;
using tessera::testing::TempDir;

constexpr std::size_t kDoublesPerValue = 1024;  // 8 KiB each

std::vector<double> block(int i) {
  std::vector<double> v(kDoublesPerValue);
  for (std::size_t j = 0; j < v.size(); ++j) v[j] = i * 1e4 + static_cast<double>(j) + 0.5;
  return v;
}

double block_sum(int i) {
  const auto v = block(i);
  return std::accumulate(v.begin(), v.end(), 0.0);
}

class SpillRuntime : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SpillRuntime, ManyResultsOverTheLimitStayExact) {
  const std::size_t workers = GetParam();
  SCOPED_TRACE(std::to_string(workers) + " worker(s)");
  TempDir tmp("tessera-spill-runtime");
  const auto spill_root = tmp.path() / "spill";
  const int n = 160;
  {
    LocalCluster cluster({.n_workers = workers,
                          .threads_per_worker = 2,
                          .memory_limit = 64 * 1024,
                          .spill_directory = spill_root});
    Client client(cluster);
    {
      std::vector<int> indices(n);
      std::iota(indices.begin(), indices.end(), 0);
      auto blocks = client.map([](int i) { return block(i); }, indices);
      // Dependents read (possibly spilled) inputs back: a sum per block and per pair.
      auto sums = client.map([](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }, blocks);
      std::vector<Future<double>> pairs;
      for (int i = 0; i + 1 < n; i += 2) {
        pairs.push_back(client.submit([](const std::vector<double>& a, const std::vector<double>& b) {
          return a.front() + b.back();
        }, blocks[static_cast<std::size_t>(i)], blocks[static_cast<std::size_t>(i + 1)]));
      }
      const auto values = client.gather(blocks);
      for (int i = 0; i < n; ++i) ASSERT_EQ(values[static_cast<std::size_t>(i)], block(i)) << "block " << i;
      const auto sum_values = client.gather(sums);
      for (int i = 0; i < n; ++i) EXPECT_DOUBLE_EQ(sum_values[static_cast<std::size_t>(i)], block_sum(i)) << i;
      const auto pair_values = client.gather(pairs);
      for (int i = 0; i + 1 < n; i += 2) {
        EXPECT_DOUBLE_EQ(pair_values[static_cast<std::size_t>(i / 2)], block(i).front() + block(i + 1).back()) << i;
      }

      std::size_t spilled = 0, unspilled = 0, on_disk = 0, files = 0;
      for (std::size_t w = 0; w < workers; ++w) {
        const auto store = cluster.worker_stats(w).store;
        EXPECT_LE(store.bytes_in_memory, 64u * 1024) << "worker " << w;
        spilled += store.spilled_total;
        unspilled += store.unspilled_total;
        on_disk += store.keys_on_disk;
        files += count_files(spill_root / ("worker-" + std::to_string(w)));
      }
      EXPECT_GT(spilled, 0u);
      EXPECT_GT(unspilled, 0u);
      EXPECT_GE(on_disk, static_cast<std::size_t>(n) - workers * 8);  // at most ~7 blocks fit per worker
      EXPECT_EQ(files, on_disk);
      EXPECT_EQ(count_files(spill_root), on_disk);  // nothing written outside the workers' folders
    }
    // Futures dropped: stores and spill folders are empty.
    EXPECT_TRUE(tessera::testing::released_eventually(cluster)) << tessera::testing::leftovers(cluster);
    for (std::size_t w = 0; w < workers; ++w) {
      const auto store = cluster.worker_stats(w).store;
      EXPECT_EQ(store.bytes_in_memory + store.bytes_on_disk, 0u) << "worker " << w;
    }
    EXPECT_EQ(count_files(spill_root), 0u);
    EXPECT_TRUE(std::filesystem::exists(spill_root)) << "the spill folder given is the user's, not removed";
  }
  // The workers' own folders go with the cluster (possibly torn down on a runtime thread
  // just after the scope ends); the folder given stays.
  EXPECT_TRUE(tessera::testing::eventually([&] { return std::filesystem::is_empty(spill_root); }));
  EXPECT_TRUE(std::filesystem::exists(spill_root));
}

INSTANTIATE_TEST_SUITE_P(Workers, SpillRuntime, ::testing::Values(std::size_t{1}, std::size_t{2}),
                         [](const ::testing::TestParamInfo<std::size_t>& param_info) {
                           std::string name = std::to_string(param_info.param);
                           return name.insert(0, 1, 'w');  // not "w" + ...: GCC 12 warns wrongly (-Wrestrict)
                         });

TEST(SpillRuntime, DefaultSpillFolderIsRemovedWithTheCluster) {
  // The default folder lives under the temporary directory and is named after the process.
  const auto tmp = std::filesystem::temp_directory_path();
  const std::string prefix = "tessera-spill-" + std::to_string(::getpid()) + "-";
  auto ours = [&] {
    std::set<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(tmp)) {
      if (entry.path().filename().string().rfind(prefix, 0) == 0) found.insert(entry.path());
    }
    return found;
  };
  const auto before = ours();
  std::vector<std::filesystem::path> created;
  {
    LocalCluster cluster({.n_workers = 1, .threads_per_worker = 1, .memory_limit = 16 * 1024});
    Client client(cluster);
    std::vector<int> indices(20);
    std::iota(indices.begin(), indices.end(), 0);
    auto blocks = client.map([](int i) { return block(i); }, indices);
    const auto values = client.gather(blocks);
    for (int i = 0; i < 20; ++i) EXPECT_EQ(values[static_cast<std::size_t>(i)], block(i));
    EXPECT_GT(cluster.worker_stats(0).store.spilled_total, 0u);
    for (const auto& path : ours()) {
      if (!before.contains(path)) created.push_back(path);
    }
    ASSERT_EQ(created.size(), 1u) << "expected one new spill folder under " << tmp;
    EXPECT_GT(count_files(created.front()), 0u);
  }
  // The cluster may be torn down on a runtime thread just after the scope ends (when a
  // thread delivering a notification held the last reference), hence the bounded wait.
  EXPECT_TRUE(tessera::testing::eventually([&] { return !std::filesystem::exists(created.front()); }))
      << created.front() << " was left behind";
}

}  // namespace
