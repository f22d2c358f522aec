#include "engine/kernels.h"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NWAVE_X86 1
#endif

namespace nwave::engine {

constexpr int kPanel = 16;

PackedMatrix PackedMatrix::pack(int k, int n, const std::function<float(int, int)>& w, const std::vector<float>& bias) {
  PackedMatrix m;
  m.k = k;
  m.n = n;
  m.n_padded = (n + kPanel - 1) / kPanel * kPanel;
  m.panels.assign(static_cast<size_t>(m.n_padded) * k, 0.0f);
  m.bias.assign(static_cast<size_t>(m.n_padded), 0.0f);
  for (int p = 0; p < m.n_padded / kPanel; ++p)
    for (int kk = 0; kk < k; ++kk)
      for (int j = 0; j < kPanel; ++j) {
        const int col = p * kPanel + j;
        if (col < n) m.panels[(static_cast<size_t>(p) * k + kk) * kPanel + j] = w(kk, col);
      }
  for (int j = 0; j < n && j < static_cast<int>(bias.size()); ++j) m.bias[j] = bias[j];
  return m;
}

namespace {

// ------------------------------------------------------------------------------------------------ generic path

void gemm_generic(const float* x, int64_t rows, int64_t lda, const PackedMatrix& w, float* y, int64_t ldy) {
  const int panels = w.n_padded / kPanel;
  for (int64_t m = 0; m < rows; ++m) {
    const float* a = x + m * lda;
    for (int p = 0; p < panels; ++p) {
      float acc[kPanel] = {};
      const float* b = w.panels.data() + static_cast<size_t>(p) * w.k * kPanel;
      for (int k = 0; k < w.k; ++k) {
        const float av = a[k];
        for (int j = 0; j < kPanel; ++j) acc[j] = acc[j] + av * b[k * kPanel + j];
      }
      const int valid = std::min(kPanel, w.n - p * kPanel);
      for (int j = 0; j < valid; ++j) y[m * ldy + p * kPanel + j] = acc[j] + w.bias[p * kPanel + j];
    }
  }
}

int argmax_generic(const float* v, int n) {
  int best = 0;
  for (int k = 1; k < n; ++k)
    if (v[k] > v[best]) best = k;
  return best;
}

float gelu_exact(float v) { return 0.5f * v * (1.0f + std::erf(v * 0.70710678118654752f)); }

#ifdef NWAVE_X86
// ------------------------------------------------------------------------------------------------ AVX2 + FMA

// R rows x 16 columns; each element: acc = 0; acc = fma(a_k, b_k, acc) for k in order; y = acc + bias.
template <int R>
__attribute__((target("avx2,fma"), always_inline)) inline void kernel_rows(const float* a, int64_t lda,
                                                                          const float* b, int K, const float* bias,
                                                                          float* y, int64_t ldy, int valid) {
  __m256 acc0[R], acc1[R];
  for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm256_setzero_ps();
  for (int k = 0; k < K; ++k) {
    const __m256 b0 = _mm256_loadu_ps(b + k * kPanel), b1 = _mm256_loadu_ps(b + k * kPanel + 8);
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(a + r * lda + k);
      acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);
      acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);
    }
  }
  const __m256 bias0 = _mm256_loadu_ps(bias), bias1 = _mm256_loadu_ps(bias + 8);
  for (int r = 0; r < R; ++r) {
    const __m256 v0 = _mm256_add_ps(acc0[r], bias0), v1 = _mm256_add_ps(acc1[r], bias1);
    if (valid == kPanel) {
      _mm256_storeu_ps(y + r * ldy, v0);
      _mm256_storeu_ps(y + r * ldy + 8, v1);
    } else {
      alignas(32) float tmp[kPanel];
      _mm256_store_ps(tmp, v0);
      _mm256_store_ps(tmp + 8, v1);
      std::memcpy(y + r * ldy, tmp, sizeof(float) * valid);
    }
  }
}

__attribute__((target("avx2,fma"))) void gemm_avx2(const float* x, int64_t rows, int64_t lda, const PackedMatrix& w,
                                                   float* y, int64_t ldy) {
  const int panels = w.n_padded / kPanel;
  constexpr int64_t kRowBlock = 60;  // rows whose A slice stays in L2 while the panels stream past
  for (int64_t m0 = 0; m0 < rows; m0 += kRowBlock) {
    const int64_t m1 = std::min(rows, m0 + kRowBlock);
    for (int p = 0; p < panels; ++p) {
      const float* b = w.panels.data() + static_cast<size_t>(p) * w.k * kPanel;
      const float* bias = w.bias.data() + p * kPanel;
      const int valid = std::min(kPanel, w.n - p * kPanel);
      int64_t m = m0;
      for (; m + 6 <= m1; m += 6) kernel_rows<6>(x + m * lda, lda, b, w.k, bias, y + m * ldy + p * kPanel, ldy, valid);
      for (; m < m1; ++m) kernel_rows<1>(x + m * lda, lda, b, w.k, bias, y + m * ldy + p * kPanel, ldy, valid);
    }
  }
}

// ------------------------------------------------------------------------------------------------ AVX-512F

// R rows x P panels (16 columns each, one zmm register per panel row). Per element exactly the AVX2 sequence:
// acc = 0; acc = fma(a_k, b_k, acc) for k in order; y = acc + bias, so both paths give the same bits.
template <int R, int P>
__attribute__((target("avx512f"), always_inline)) inline void kernel512(const float* a, int64_t lda, const float* b,
                                                                       int64_t panel_stride, int K, const float* bias,
                                                                       float* y, int64_t ldy, const int* valid) {
  __m512 acc[R][P];
  for (int r = 0; r < R; ++r)
    for (int p = 0; p < P; ++p) acc[r][p] = _mm512_setzero_ps();
  for (int k = 0; k < K; ++k) {
    __m512 bv[P];
    for (int p = 0; p < P; ++p) bv[p] = _mm512_loadu_ps(b + p * panel_stride + k * kPanel);
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(a[r * lda + k]);
      for (int p = 0; p < P; ++p) acc[r][p] = _mm512_fmadd_ps(av, bv[p], acc[r][p]);
    }
  }
  for (int p = 0; p < P; ++p) {
    const __m512 bias_p = _mm512_loadu_ps(bias + p * kPanel);
    const __mmask16 mask = static_cast<__mmask16>((1u << valid[p]) - 1u);
    for (int r = 0; r < R; ++r)
      _mm512_mask_storeu_ps(y + r * ldy + p * kPanel, mask, _mm512_add_ps(acc[r][p], bias_p));
  }
}

template <int P>
__attribute__((target("avx512f"))) void rows512(const float* x, int64_t m0, int64_t m1, int64_t lda,
                                                const PackedMatrix& w, int p, float* y, int64_t ldy) {
  const int64_t stride = static_cast<int64_t>(w.k) * kPanel;
  const float* b = w.panels.data() + p * stride;
  const float* bias = w.bias.data() + p * kPanel;
  int valid[P];
  for (int q = 0; q < P; ++q) valid[q] = std::max(0, std::min(kPanel, w.n - (p + q) * kPanel));
  y += p * kPanel;
  int64_t m = m0;
  for (; m + 12 <= m1; m += 12) kernel512<12, P>(x + m * lda, lda, b, stride, w.k, bias, y + m * ldy, ldy, valid);
  for (; m + 4 <= m1; m += 4) kernel512<4, P>(x + m * lda, lda, b, stride, w.k, bias, y + m * ldy, ldy, valid);
  for (; m < m1; ++m) kernel512<1, P>(x + m * lda, lda, b, stride, w.k, bias, y + m * ldy, ldy, valid);
}

__attribute__((target("avx512f"))) void gemm_avx512(const float* x, int64_t rows, int64_t lda, const PackedMatrix& w,
                                                    float* y, int64_t ldy) {
  const int panels = w.n_padded / kPanel;
  constexpr int64_t kRowBlock = 48;  // rows whose A slice stays in L2 while the panels stream past
  for (int64_t m0 = 0; m0 < rows; m0 += kRowBlock) {
    const int64_t m1 = std::min(rows, m0 + kRowBlock);
    int p = 0;
    for (; p + 2 <= panels; p += 2) rows512<2>(x, m0, m1, lda, w, p, y, ldy);
    if (p < panels) rows512<1>(x, m0, m1, lda, w, p, y, ldy);
  }
}

// The vector argmax: each lane keeps its own maximum and that maximum's first index; then the lanes are combined,
// ties going to the lower index, and the tail v[k..n) is scanned. Same index as argmax_generic.
int combine_lanes(const float* lane_best, const int* lane_index, int lanes, const float* v, int k, int n) {
  int b = 0;
  for (int l = 1; l < lanes; ++l)
    if (lane_best[l] > lane_best[b] || (lane_best[l] == lane_best[b] && lane_index[l] < lane_index[b])) b = l;
  int result = lane_index[b];
  for (; k < n; ++k)  // the tail's indices are above every lane's
    if (v[k] > v[result]) result = k;
  return result;
}

__attribute__((target("avx2"))) int argmax_avx2(const float* v, int n) {
  if (n < 8) return argmax_generic(v, n);
  __m256 best = _mm256_loadu_ps(v);
  __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), at = index;
  const __m256i step = _mm256_set1_epi32(8);
  int k = 8;
  for (; k + 8 <= n; k += 8) {
    at = _mm256_add_epi32(at, step);
    const __m256 x = _mm256_loadu_ps(v + k);
    const __m256 greater = _mm256_cmp_ps(x, best, _CMP_GT_OQ);
    best = _mm256_blendv_ps(best, x, greater);
    index = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(index), _mm256_castsi256_ps(at), greater));
  }
  alignas(32) float lane_best[8];
  alignas(32) int lane_index[8];
  _mm256_store_ps(lane_best, best);
  _mm256_store_si256(reinterpret_cast<__m256i*>(lane_index), index);
  return combine_lanes(lane_best, lane_index, 8, v, k, n);
}

__attribute__((target("avx512f"))) int argmax_avx512(const float* v, int n) {
  if (n < 16) return argmax_avx2(v, n);
  __m512 best = _mm512_loadu_ps(v);
  __m512i index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), at = index;
  const __m512i step = _mm512_set1_epi32(16);
  int k = 16;
  for (; k + 16 <= n; k += 16) {
    at = _mm512_add_epi32(at, step);
    const __m512 x = _mm512_loadu_ps(v + k);
    const __mmask16 greater = _mm512_cmp_ps_mask(x, best, _CMP_GT_OQ);
    best = _mm512_mask_mov_ps(best, greater, x);
    index = _mm512_mask_mov_epi32(index, greater, at);
  }
  alignas(64) float lane_best[16];
  alignas(64) int lane_index[16];
  _mm512_store_ps(lane_best, best);
  _mm512_store_si512(lane_index, index);
  return combine_lanes(lane_best, lane_index, 16, v, k, n);
}

// Vectors pass only between these inline helpers, all inlined into one function of the right target (no ABI
// crossing); GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on _mm512_undefined_ps (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// The vector operations GELU needs, on 8 (AVX2) or 16 (AVX-512F) lanes. One GELU body (gelu_vector) serves both,
// so every lane runs the same instruction sequence whichever set is active: identical bits. The entry points are
// flattened: the body and these operations are inlined into a function compiled for the right target.
struct Avx2Ops {
  using V = __m256;
  using I = __m256i;
  static constexpr int kWidth = 8;
#define NWAVE_OPS __attribute__((target("avx2,fma"))) static inline
  NWAVE_OPS V set1(float v) { return _mm256_set1_ps(v); }
  NWAVE_OPS V load(const float* p) { return _mm256_loadu_ps(p); }
  NWAVE_OPS void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  NWAVE_OPS V add(V a, V b) { return _mm256_add_ps(a, b); }
  NWAVE_OPS V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  NWAVE_OPS V div(V a, V b) { return _mm256_div_ps(a, b); }
  NWAVE_OPS V max(V a, V b) { return _mm256_max_ps(a, b); }
  NWAVE_OPS V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  NWAVE_OPS V fnmadd(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }
  NWAVE_OPS V round(V a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  NWAVE_OPS I bits(V a) { return _mm256_castps_si256(a); }
  NWAVE_OPS V floats(I a) { return _mm256_castsi256_ps(a); }
  NWAVE_OPS I bit_and(I a, I b) { return _mm256_and_si256(a, b); }
  NWAVE_OPS V abs(V a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  NWAVE_OPS I bit_or(I a, I b) { return _mm256_or_si256(a, b); }
  NWAVE_OPS I bit_xor(I a, I b) { return _mm256_xor_si256(a, b); }
  NWAVE_OPS I set1i(int v) { return _mm256_set1_epi32(v); }
  NWAVE_OPS I to_int(V a) { return _mm256_cvtps_epi32(a); }
  NWAVE_OPS I addi(I a, I b) { return _mm256_add_epi32(a, b); }
  NWAVE_OPS I exponent_bits(I a) { return _mm256_slli_epi32(a, 23); }
#undef NWAVE_OPS
};

struct Avx512Ops {
  using V = __m512;
  using I = __m512i;
  static constexpr int kWidth = 16;
#define NWAVE_OPS __attribute__((target("avx512f"))) static inline
  NWAVE_OPS V set1(float v) { return _mm512_set1_ps(v); }
  NWAVE_OPS V load(const float* p) { return _mm512_loadu_ps(p); }
  NWAVE_OPS void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  NWAVE_OPS V add(V a, V b) { return _mm512_add_ps(a, b); }
  NWAVE_OPS V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  NWAVE_OPS V div(V a, V b) { return _mm512_div_ps(a, b); }
  NWAVE_OPS V max(V a, V b) { return _mm512_max_ps(a, b); }
  NWAVE_OPS V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  NWAVE_OPS V fnmadd(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }
  NWAVE_OPS V round(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  NWAVE_OPS I bits(V a) { return _mm512_castps_si512(a); }
  NWAVE_OPS V floats(I a) { return _mm512_castsi512_ps(a); }
  NWAVE_OPS I bit_and(I a, I b) { return _mm512_and_si512(a, b); }
  NWAVE_OPS V abs(V a) { return _mm512_abs_ps(a); }
  NWAVE_OPS I bit_or(I a, I b) { return _mm512_or_si512(a, b); }
  NWAVE_OPS I bit_xor(I a, I b) { return _mm512_xor_si512(a, b); }
  NWAVE_OPS I set1i(int v) { return _mm512_set1_epi32(v); }
  NWAVE_OPS I to_int(V a) { return _mm512_cvtps_epi32(a); }
  NWAVE_OPS I addi(I a, I b) { return _mm512_add_epi32(a, b); }
  NWAVE_OPS I exponent_bits(I a) { return _mm512_slli_epi32(a, 23); }
#undef NWAVE_OPS
};

// GELU with erf from Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7) and exp(-z^2) by Cephes-style range
// reduction and polynomial. (One function, so that no vector crosses a call between functions of other targets.)
template <class O>
inline void gelu_vector(float* x, int64_t rows, int64_t count, int64_t ld) {
  constexpr int W = O::kWidth;
  const int64_t vec = count / W * W;
  const auto sign = O::bits(O::set1(-0.0f));
  const auto one = O::set1(1.0f), half = O::set1(0.5f);
  for (int64_t m = 0; m < rows; ++m) {
    float* row = x + m * ld;
    for (int64_t c = 0; c < vec; c += W) {
      const auto v = O::load(row + c);
      const auto z = O::mul(v, O::set1(0.70710678118654752f));
      const auto az = O::abs(z);
      const auto t = O::div(one, O::fmadd(O::set1(0.3275911f), az, one));
      auto poly = O::set1(1.061405429f);
      poly = O::fmadd(poly, t, O::set1(-1.453152027f));
      poly = O::fmadd(poly, t, O::set1(1.421413741f));
      poly = O::fmadd(poly, t, O::set1(-0.284496736f));
      poly = O::fmadd(poly, t, O::set1(0.254829592f));
      poly = O::mul(poly, t);
      // e = exp(-z^2), the argument clamped at -87.
      const auto arg = O::max(O::mul(O::floats(O::bit_xor(O::bits(az), sign)), az), O::set1(-87.0f));
      const auto n = O::round(O::mul(arg, O::set1(1.44269504088896341f)));
      auto r = O::fnmadd(n, O::set1(0.693359375f), arg);
      r = O::fnmadd(n, O::set1(-2.12194440e-4f), r);
      auto p = O::set1(1.9875691500E-4f);
      p = O::fmadd(p, r, O::set1(1.3981999507E-3f));
      p = O::fmadd(p, r, O::set1(8.3334519073E-3f));
      p = O::fmadd(p, r, O::set1(4.1665795894E-2f));
      p = O::fmadd(p, r, O::set1(1.6666665459E-1f));
      p = O::fmadd(p, r, O::set1(5.0000001201E-1f));
      p = O::fmadd(p, O::mul(r, r), O::add(r, O::set1(1.0f)));
      const auto e = O::mul(p, O::floats(O::exponent_bits(O::addi(O::to_int(n), O::set1i(127)))));
      const auto erf_abs = O::fnmadd(poly, e, one);
      const auto erf = O::floats(O::bit_or(O::bits(erf_abs), O::bit_and(O::bits(z), sign)));
      O::store(row + c, O::mul(O::mul(half, v), O::add(one, erf)));
    }
    for (int64_t c = vec; c < count; ++c) row[c] = gelu_exact(row[c]);
  }
}

__attribute__((target("avx2,fma"), flatten)) void gelu_avx2(float* x, int64_t rows, int64_t count, int64_t ld) {
  gelu_vector<Avx2Ops>(x, rows, count, ld);
}

// Only for rows of a multiple of 16 channels: there both bodies leave no scalar tail, so they agree bit for bit.
__attribute__((target("avx512f"), flatten)) void gelu_avx512(float* x, int64_t rows, int64_t count, int64_t ld) {
  gelu_vector<Avx512Ops>(x, rows, count, ld);
}
#pragma GCC diagnostic pop
#endif

KernelSet detect_kernels() {
#ifdef NWAVE_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return KernelSet::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return KernelSet::kAvx2;
#endif
  return KernelSet::kGeneric;
}

const KernelSet kBest = detect_kernels();
KernelSet g_active = kBest;

}  // namespace

const char* kernel_set_name(KernelSet set) {
  switch (set) {
    case KernelSet::kAvx512: return "avx512f";
    case KernelSet::kAvx2: return "avx2+fma";
    case KernelSet::kGeneric: break;
  }
  return "generic";
}

bool cpu_supports(KernelSet set) { return static_cast<int>(set) <= static_cast<int>(kBest); }
KernelSet active_kernels() { return g_active; }

void use_kernels(KernelSet set) {
  if (!cpu_supports(set)) throw std::invalid_argument(std::string("this CPU cannot run the ") + kernel_set_name(set) + " kernels");
  g_active = set;
}

void gemm(const float* x, int64_t rows, int64_t lda, const PackedMatrix& w, float* y, int64_t ldy) {
  if (rows <= 0) return;
  switch (g_active) {
#ifdef NWAVE_X86
    case KernelSet::kAvx512: return gemm_avx512(x, rows, lda, w, y, ldy);
    case KernelSet::kAvx2: return gemm_avx2(x, rows, lda, w, y, ldy);
#endif
    default: return gemm_generic(x, rows, lda, w, y, ldy);
  }
}

int argmax(const float* v, int n) {
#ifdef NWAVE_X86
  if (g_active == KernelSet::kAvx512) return argmax_avx512(v, n);
  if (g_active != KernelSet::kGeneric) return argmax_avx2(v, n);
#endif
  return argmax_generic(v, n);
}

void gelu_rows(float* x, int64_t rows, int64_t count, int64_t ld) {
#ifdef NWAVE_X86
  if (g_active == KernelSet::kAvx512 && count % 16 == 0) return gelu_avx512(x, rows, count, ld);
  if (g_active != KernelSet::kGeneric) return gelu_avx2(x, rows, count, ld);
#endif
  for (int64_t m = 0; m < rows; ++m)
    for (int64_t c = 0; c < count; ++c) x[m * ld + c] = gelu_exact(x[m * ld + c]);
}

}  // namespace nwave::engine
