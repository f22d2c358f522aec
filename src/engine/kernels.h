// Float32 kernels for the inference engine whose result for one row never depends on how many rows are processed
// together or where the row sits in the block: every output element is computed by the same instruction sequence
// (accumulation over K in order, starting from zero, bias added last). That is what makes streaming output, for
// any chunk size, bit-identical to offline output. No -ffast-math anywhere: the compiler may not reassociate.
//
// The widest kernel set the CPU runs is chosen once per process (CPU feature check): AVX-512F, else AVX2/FMA, else a
// generic path. AVX-512 and AVX2 compute every element with the same fused multiply-adds in the same order, so they
// give identical bits; the generic path (no FMA) may differ from them in the last bits.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace nwave::engine {

// A weight matrix packed for gemm(): y[m][n] = sum_k x[m][k] * w(k, n) + bias[n], k in order.
struct PackedMatrix {
  int k = 0, n = 0, n_padded = 0;  // n_padded: a multiple of the 16-column panel width
  std::vector<float> panels;       // [n_padded / 16][k][16]
  std::vector<float> bias;         // [n_padded], zero beyond n

  // w(k, n) gives the weight; bias may be empty (zero bias).
  static PackedMatrix pack(int k, int n, const std::function<float(int, int)>& w, const std::vector<float>& bias);
};

enum class KernelSet { kGeneric, kAvx2, kAvx512 };

const char* kernel_set_name(KernelSet set);
bool cpu_supports(KernelSet set);
// The set gemm() and gelu_rows() use: the widest the CPU supports unless use_kernels() chose another.
KernelSet active_kernels();
// For benchmarks and tests: run a narrower set (throws std::invalid_argument if the CPU lacks it).
void use_kernels(KernelSet set);

// y[m * ldy + n] for m < rows, n < w.n; x rows start lda floats apart (rows may overlap: framing and causal
// convolutions read sliding windows of one buffer without copying).
void gemm(const float* x, int64_t rows, int64_t lda, const PackedMatrix& w, float* y, int64_t ldy);

// Index of the largest of v[0..n), the lowest among equal maxima (what a sequential scan with `>` returns).
int argmax(const float* v, int n);

// In-place GELU (exact erf form) over `count` channels of each of `rows` rows (row stride ld).
void gelu_rows(float* x, int64_t rows, int64_t count, int64_t ld);

}  // namespace nwave::engine
