// The engine's kernels (src/engine/kernels.h): a row's result never depends on the block it is computed in, the
// AVX-512 and AVX2 sets give identical bits, and the generic set agrees with them up to float rounding.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "engine/kernels.h"

namespace nwave::engine {
namespace {

constexpr float kSentinel = 12345.0f;

std::vector<float> random_values(size_t n, unsigned seed, float scale) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(gen);
  return v;
}

PackedMatrix random_matrix(int k, int n, unsigned seed) {
  const auto w = random_values(static_cast<size_t>(k) * n, seed, 1.0f / std::sqrt(static_cast<float>(k)));
  return PackedMatrix::pack(k, n, [&](int kk, int col) { return w[static_cast<size_t>(kk) * n + col]; },
                            random_values(n, seed + 1, 0.1f));
}

// Restores the CPU's best kernel set when a test ends, whatever it selected.
class Kernels : public ::testing::Test {
 protected:
  void TearDown() override {
    for (auto set : {KernelSet::kAvx512, KernelSet::kAvx2, KernelSet::kGeneric})
      if (cpu_supports(set)) return use_kernels(set);
  }
  static std::vector<KernelSet> supported() {
    std::vector<KernelSet> sets;
    for (auto set : {KernelSet::kGeneric, KernelSet::kAvx2, KernelSet::kAvx512})
      if (cpu_supports(set)) sets.push_back(set);
    return sets;
  }
  // y = x w with ldy = n + 3 (the 3 extra columns must keep the sentinel: no write past column n).
  static std::vector<float> product(KernelSet set, const std::vector<float>& x, int64_t rows, const PackedMatrix& w) {
    use_kernels(set);
    const int64_t ldy = w.n + 3;
    std::vector<float> y(static_cast<size_t>(rows * ldy), kSentinel);
    gemm(x.data(), rows, w.k, w, y.data(), ldy);
    return y;
  }
};

// Shapes of the shipped model's layers with odd panel counts and ragged edges: N = 514 (analysis DFT, 33 panels),
// 258 (decoder head), 576, 192, 1024; row counts that leave every remainder of the 12-, 6- and 4-row blocks.
TEST_F(Kernels, EveryRowIsTheSameWhateverTheBlockItIsComputedIn) {
  const int shapes[][2] = {{512, 514}, {192, 576}, {576, 192}, {192, 258}, {128, 1024}, {7, 5}};
  for (KernelSet set : supported()) {
    for (const auto& shape : shapes) {
      const int k = shape[0], n = shape[1];
      const PackedMatrix w = random_matrix(k, n, 11);
      const int64_t rows = 77;
      const auto x = random_values(static_cast<size_t>(rows) * k, 5, 1.0f);
      const auto full = product(set, x, rows, w);
      const int64_t ldy = n + 3;
      for (int64_t row = 0; row < rows; ++row)
        for (int c = n; c < ldy; ++c) ASSERT_EQ(full[row * ldy + c], kSentinel) << "wrote past column n";
      for (int64_t block : {1, 2, 3, 5, 11, 13, 25, 49, 60}) {
        for (int64_t m0 = 0; m0 < rows; m0 += block) {
          const int64_t m = std::min(block, rows - m0);
          const std::vector<float> part_x(x.begin() + m0 * k, x.begin() + (m0 + m) * k);
          const auto part = product(set, part_x, m, w);
          ASSERT_EQ(0, std::memcmp(part.data(), full.data() + m0 * ldy, sizeof(float) * m * ldy))
              << kernel_set_name(set) << " K=" << k << " N=" << n << " block " << block << " at row " << m0;
        }
      }
    }
  }
}

TEST_F(Kernels, Avx512AndAvx2GiveIdenticalBitsAndGenericAgreesUpToRounding) {
  const PackedMatrix w = random_matrix(576, 192, 3);
  const int64_t rows = 31;
  const auto x = random_values(static_cast<size_t>(rows) * 576, 4, 1.0f);
  const auto reference = product(KernelSet::kGeneric, x, rows, w);
  std::vector<float> gelu_in = random_values(4108, 9, 3.0f);  // with the 4 below: 257 x 16, no scalar tail
  gelu_in.push_back(0.0f);
  gelu_in.push_back(-0.0f);
  gelu_in.push_back(40.0f);
  gelu_in.push_back(-40.0f);
  const int64_t count = static_cast<int64_t>(gelu_in.size());
  use_kernels(KernelSet::kGeneric);
  std::vector<float> gelu_reference = gelu_in;
  gelu_rows(gelu_reference.data(), 1, count, count);
  std::vector<std::vector<float>> products, gelus;
  for (KernelSet set : supported()) {
    if (set == KernelSet::kGeneric) continue;
    products.push_back(product(set, x, rows, w));
    std::vector<float> g = gelu_in;
    gelu_rows(g.data(), 1, count, count);
    gelus.push_back(g);
    for (size_t i = 0; i < reference.size(); ++i)
      ASSERT_NEAR(products.back()[i], reference[i], 1e-4f * (1.0f + std::fabs(reference[i]))) << kernel_set_name(set);
    for (size_t i = 0; i < g.size(); ++i)
      ASSERT_NEAR(g[i], gelu_reference[i], 1e-6f * (1.0f + std::fabs(gelu_reference[i]))) << kernel_set_name(set);
  }
  if (products.size() < 2) GTEST_SKIP() << "this CPU lacks AVX-512F: only one vector kernel set to compare";
  EXPECT_EQ(0, std::memcmp(products[0].data(), products[1].data(), sizeof(float) * products[0].size()));
  EXPECT_EQ(0, std::memcmp(gelus[0].data(), gelus[1].data(), sizeof(float) * gelus[0].size()));
}

// Coarse values make many ties: the lowest index of the maximum must win, as in a sequential scan.
TEST_F(Kernels, ArgmaxIsTheFirstIndexOfTheMaximumForEveryLength) {
  std::mt19937 gen(2);
  std::uniform_int_distribution<int> level(-4, 4);
  for (KernelSet set : supported()) {
    use_kernels(set);
    for (int n : {1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1024}) {
      for (int trial = 0; trial < 50; ++trial) {
        std::vector<float> v(n);
        for (auto& x : v) x = static_cast<float>(level(gen));
        const int expected = static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
        ASSERT_EQ(argmax(v.data(), n), expected) << kernel_set_name(set) << " n=" << n;
      }
    }
  }
}

}  // namespace
}  // namespace nwave::engine
