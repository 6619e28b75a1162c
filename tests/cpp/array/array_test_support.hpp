// Shared helpers of the array suites: a cluster per test binary, host references, and
// element comparison.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "tessera/tessera.hpp"

namespace tessera::testing {

/// One cluster for the binary, with two workers so that data moves between them.
inline Client& test_client() {
  static Client* client = new Client(LocalCluster({.n_workers = 2, .threads_per_worker = 1}));
  return *client;
}

/// Seeded uniform doubles in [-1, 1).
inline std::vector<double> random_values(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

inline std::vector<double> to_doubles(const HostArray& h) {
  std::vector<double> out;
  for (std::int64_t i = 0; i < h.size(); ++i) out.push_back(h.item_at_flat(i));
  return out;
}

inline void expect_near_all(const std::vector<double>& actual, const std::vector<double>& expected, double tol) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(actual[i])) << "at " << i;
    } else {
      EXPECT_NEAR(actual[i], expected[i], tol * std::max(1.0, std::abs(expected[i]))) << "at flat index " << i;
    }
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace tessera::testing
