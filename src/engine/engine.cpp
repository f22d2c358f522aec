#include "engine/engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "engine/kernels.h"
#include "io/safetensors_reader.h"
#include "model/model_file.h"
#include "nwave/error.h"

namespace nwave::engine {

namespace {

using Vec = std::vector<float>;

struct LayerNormW {
  Vec weight, bias;
};

struct ConvNeXtW {
  int channels = 0, kernel = 0;
  Vec dw_weight;  // [kernel][channels]
  Vec dw_bias;
  LayerNormW norm;
  PackedMatrix expand, project;
  Vec gamma;
};

// A causal convolution over rows (time) of `cin` channels: output t reads input rows t * stride + j * dilation of
// [history | input] for j < kernel, history = the last (kernel - 1) * dilation + 1 - stride input rows.
struct ConvW {
  int cin = 0, cout = 0, kernel = 1, stride = 1, dilation = 1;
  PackedMatrix m;  // K = kernel * cin (row j * cin + i), N = cout
  int history() const { return (kernel - 1) * dilation + 1 - stride; }
};

// Causal transposed convolution, kernel 2 * stride: output rows t * s + r from input rows t - 1 and t.
struct TConvW {
  int cin = 0, cout = 0, stride = 1;
  PackedMatrix m;  // K = 2 * cin ([x(t-1), x(t)]), N = stride * cout
};

struct SeanetOp {
  enum Kind { kConv, kElu, kTConv, kResidual } kind = kConv;
  ConvW conv, pointwise;  // kResidual: conv = dilated, pointwise = 1x1
  TConvW tconv;
};

}  // namespace

struct Weights {
  ModelConfig config;
  // Spectral encoder.
  PackedMatrix analysis;  // windowed DFT: [n_fft] -> [Re(bins), Im(bins)]
  PackedMatrix enc_input, enc_output;
  std::vector<ConvNeXtW> enc_blocks;
  LayerNormW enc_norm;
  // Spectral decoder.
  ConvW dec_embed;
  std::vector<ConvNeXtW> dec_blocks;
  LayerNormW dec_norm;
  PackedMatrix dec_head;
  PackedMatrix synthesis;  // windowed inverse DFT: [Re(bins), Im(bins)] -> [synthesis_fft]
  // SEANet.
  std::vector<SeanetOp> seanet_enc, seanet_dec;
  // Quantizer.
  bool factorized = false;
  std::vector<PackedMatrix> vq_score;  // 2 * codebook^T with bias -|c|^2: score = 2 z.c - |c|^2
  std::vector<PackedMatrix> vq_in;     // factorized: in_proj
  std::vector<Vec> vq_table;           // [K][latent_dim]: what each code adds to the latent
  int latent_dim = 0, codebook_size = 0;
  double enc_macs = 0, dec_macs = 0, vq_macs = 0;  // per frame
};

namespace {

// The model file's tensors, read one at a time and checked against the shape the engine's arithmetic assumes, so
// a damaged or foreign file can never make a kernel read past a buffer.
class TensorSource {
 public:
  explicit TensorSource(SafetensorsReader& file) : file_(file) {}
  Vec get(const std::string& name, const std::vector<int64_t>& shape) {
    if (file_.entry(name).shape != shape)
      throw Error(ErrorCode::kBadModel, file_.path() + ": tensor '" + name + "' has the wrong shape");
    used_.insert(name);
    return file_.read_floats(name);
  }
  Vec vec(const std::string& name, int64_t size) { return get(name, {size}); }
  // Every tensor must have been used (training statistics aside): anything else means a foreign model.
  void check_all_used() const {
    for (const auto& [name, entry] : file_.entries())
      if (!used_.count(name) && !is_training_statistic(name))
        throw Error(ErrorCode::kBadModel, file_.path() + ": unexpected tensor '" + name + "'");
  }

 private:
  SafetensorsReader& file_;
  std::set<std::string> used_;
};

// torch::nn::Linear(in, out): weight [out, in], bias [out].
PackedMatrix pack_linear(TensorSource& src, const std::string& prefix, int in, int out, double& macs) {
  auto w = src.get(prefix + ".weight", {out, in});
  const float* p = w.data();
  macs += static_cast<double>(in) * out;
  return PackedMatrix::pack(in, out, [&](int k, int n) { return p[static_cast<int64_t>(n) * in + k]; },
                            src.vec(prefix + ".bias", out));
}

// CausalConv1d(cin, cout, kernel): conv.weight [cout, cin, kernel], conv.bias [cout].
ConvW pack_conv(TensorSource& src, const std::string& prefix, int cin, int cout, int kernel, int stride, int dilation,
                double& macs) {
  auto w = src.get(prefix + ".conv.weight", {cout, cin, kernel});
  ConvW c;
  c.cout = cout;
  c.cin = cin;
  c.kernel = kernel;
  c.stride = stride;
  c.dilation = dilation;
  const float* p = w.data();
  macs += static_cast<double>(cin) * kernel * cout / stride;  // per input row
  c.m = PackedMatrix::pack(kernel * cin, cout,
                           [&](int kk, int o) { return p[(static_cast<int64_t>(o) * cin + kk % cin) * kernel + kk / cin]; },
                           src.vec(prefix + ".conv.bias", cout));
  return c;
}

// CausalConvTranspose1d(cin, cout, stride): conv.weight [cin, cout, 2 * stride], conv.bias [cout].
TConvW pack_tconv(TensorSource& src, const std::string& prefix, int cin, int cout, int stride, double& macs) {
  const int k = 2 * stride;
  auto w = src.get(prefix + ".conv.weight", {cin, cout, k});
  TConvW c;
  c.cin = cin;
  c.cout = cout;
  c.stride = stride;
  const float* p = w.data();
  const Vec b = src.vec(prefix + ".conv.bias", cout);
  Vec bias(static_cast<size_t>(stride) * cout);
  for (int r = 0; r < stride; ++r)
    for (int o = 0; o < cout; ++o) bias[r * cout + o] = b[o];
  macs += 2.0 * cin * stride * cout;  // per input row
  c.m = PackedMatrix::pack(2 * cin, stride * cout,
                           [&](int kk, int col) {
                             const int r = col / cout, o = col % cout;
                             const int i = kk % cin, tap = kk < cin ? r + stride : r;
                             return p[(static_cast<int64_t>(i) * cout + o) * k + tap];
                           },
                           bias);
  return c;
}

LayerNormW pack_norm(TensorSource& src, const std::string& prefix, int channels) {
  return {src.vec(prefix + ".weight", channels), src.vec(prefix + ".bias", channels)};
}

ConvNeXtW pack_block(TensorSource& src, const std::string& prefix, const ModelConfig& c, double& macs) {
  ConvNeXtW b;
  b.channels = c.channels;
  b.kernel = c.kernel_size;
  const int hidden = c.channels * c.mlp_ratio;
  auto dw = src.get(prefix + ".depthwise.conv.weight", {b.channels, 1, b.kernel});
  const float* p = dw.data();
  b.dw_weight.resize(static_cast<size_t>(b.channels) * b.kernel);
  for (int ch = 0; ch < b.channels; ++ch)
    for (int j = 0; j < b.kernel; ++j) b.dw_weight[j * b.channels + ch] = p[ch * b.kernel + j];
  b.dw_bias = src.vec(prefix + ".depthwise.conv.bias", b.channels);
  b.norm = pack_norm(src, prefix + ".norm", b.channels);
  b.expand = pack_linear(src, prefix + ".expand", b.channels, hidden, macs);
  b.project = pack_linear(src, prefix + ".project", hidden, b.channels, macs);
  b.gamma = src.vec(prefix + ".gamma", b.channels);
  macs += static_cast<double>(b.channels) * b.kernel;
  return b;
}

std::vector<float> periodic_hann(int n) {
  std::vector<float> w(n);
  for (int t = 0; t < n; ++t) w[t] = static_cast<float>(0.5 - 0.5 * std::cos(2.0 * M_PI * t / n));
  return w;
}

// ------------------------------------------------------------------------------------------------ row ops

// Sums below run in kLanes interleaved partial results combined in a fixed order: the compiler
// vectorises them without reassociating anything, and a row's result still depends on that row alone.
constexpr int kLanes = 16;

float lane_sum(float (&lane)[kLanes]) {
  for (int width = kLanes / 2; width > 0; width /= 2)
    for (int l = 0; l < width; ++l) lane[l] += lane[l + width];
  return lane[0];
}

float sum(const float* x, int n) {
  float lane[kLanes] = {};
  int c = 0;
  for (; c + kLanes <= n; c += kLanes)
    for (int l = 0; l < kLanes; ++l) lane[l] += x[c + l];
  for (int l = 0; c + l < n; ++l) lane[l] += x[c + l];
  return lane_sum(lane);
}

float squared_deviation(const float* x, int n, float mean) {
  float lane[kLanes] = {};
  int c = 0;
  for (; c + kLanes <= n; c += kLanes)
    for (int l = 0; l < kLanes; ++l) lane[l] += (x[c + l] - mean) * (x[c + l] - mean);
  for (int l = 0; c + l < n; ++l) lane[l] += (x[c + l] - mean) * (x[c + l] - mean);
  return lane_sum(lane);
}

void layer_norm_rows(float* x, int64_t rows, int channels, const LayerNormW& w, float* out) {
  for (int64_t m = 0; m < rows; ++m) {
    const float* r = x + m * channels;
    float* o = out + m * channels;
    const float mean = sum(r, channels) / static_cast<float>(channels);
    const float inv = 1.0f / std::sqrt(squared_deviation(r, channels, mean) / static_cast<float>(channels) + 1e-6f);
    for (int c = 0; c < channels; ++c) o[c] = (r[c] - mean) * inv * w.weight[c] + w.bias[c];
  }
}

void elu_inplace(float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] = x[i] > 0.0f ? x[i] : std::expm1(x[i]);
}

// Prepends `history` (rows of `width`) to rows of x; afterwards history holds the last history-size rows.
void with_history(Vec& history, int64_t history_rows, const float* x, int64_t rows, int width, Vec& buf) {
  const size_t h = static_cast<size_t>(history_rows) * width, n = static_cast<size_t>(rows) * width;
  buf.resize(h + n);
  if (h) std::memcpy(buf.data(), history.data(), h * sizeof(float));
  if (n) std::memcpy(buf.data() + h, x, n * sizeof(float));
  if (h) std::memcpy(history.data(), buf.data() + n, h * sizeof(float));
}

// ------------------------------------------------------------------------------------------------ stateful layers

struct Scratch {
  Vec a, b, c, d;
};

struct ConvNeXtState {
  const ConvNeXtW* w;
  Vec history;
  explicit ConvNeXtState(const ConvNeXtW& weights) : w(&weights) { reset(); }
  void reset() { history.assign(static_cast<size_t>(w->kernel - 1) * w->channels, 0.0f); }
  // o[c] = bias[c] + sum over taps j in order of weight[j][c] * in[j * C + c]; kLanes channels at a time, so the
  // sums stay in registers across the taps.
  void depthwise_row(const float* in, float* o) const {
    const int C = w->channels, K = w->kernel;
    int c = 0;
    for (; c + kLanes <= C; c += kLanes) {
      float acc[kLanes];
      for (int l = 0; l < kLanes; ++l) acc[l] = w->dw_bias[c + l];
      for (int j = 0; j < K; ++j) {
        const float* x = in + static_cast<int64_t>(j) * C + c;
        const float* wj = w->dw_weight.data() + static_cast<size_t>(j) * C + c;
        for (int l = 0; l < kLanes; ++l) acc[l] += wj[l] * x[l];
      }
      for (int l = 0; l < kLanes; ++l) o[c + l] = acc[l];
    }
    for (; c < C; ++c) {
      float acc = w->dw_bias[c];
      for (int j = 0; j < K; ++j) acc += w->dw_weight[static_cast<size_t>(j) * C + c] * in[static_cast<int64_t>(j) * C + c];
      o[c] = acc;
    }
  }
  // x [rows, C] in place.
  void run(float* x, int64_t rows, Scratch& s) {
    const int C = w->channels, K = w->kernel;
    with_history(history, K - 1, x, rows, C, s.a);
    s.b.resize(static_cast<size_t>(rows) * C);
    for (int64_t t = 0; t < rows; ++t) depthwise_row(s.a.data() + t * C, s.b.data() + t * C);
    layer_norm_rows(s.b.data(), rows, C, w->norm, s.b.data());
    const int H = w->expand.n;
    s.c.resize(static_cast<size_t>(rows) * H);
    gemm(s.b.data(), rows, C, w->expand, s.c.data(), H);
    gelu_rows(s.c.data(), rows, H, H);
    gemm(s.c.data(), rows, H, w->project, s.b.data(), C);
    for (int64_t t = 0; t < rows; ++t)
      for (int c = 0; c < C; ++c) x[t * C + c] += s.b[t * C + c] * w->gamma[c];
  }
};

struct ConvState {
  const ConvW* w;
  Vec history, buf, cols;
  explicit ConvState(const ConvW& weights) : w(&weights) { reset(); }
  void reset() { history.assign(static_cast<size_t>(w->history()) * w->cin, 0.0f); }
  // x [rows, cin] -> out [rows / stride, cout].
  void run(const float* x, int64_t rows, Vec& out) {
    const int cin = w->cin;
    with_history(history, w->history(), x, rows, cin, buf);
    const int64_t out_rows = rows / w->stride;
    out.resize(static_cast<size_t>(out_rows) * w->cout);
    if (w->dilation == 1) {
      gemm(buf.data(), out_rows, static_cast<int64_t>(w->stride) * cin, w->m, out.data(), w->cout);
      return;
    }
    const int64_t k = static_cast<int64_t>(w->kernel) * cin;
    cols.resize(static_cast<size_t>(out_rows * k));
    for (int64_t t = 0; t < out_rows; ++t)
      for (int j = 0; j < w->kernel; ++j)
        std::memcpy(cols.data() + t * k + j * cin, buf.data() + (t * w->stride + j * w->dilation) * cin,
                    sizeof(float) * cin);
    gemm(cols.data(), out_rows, k, w->m, out.data(), w->cout);
  }
};

struct TConvState {
  const TConvW* w;
  Vec history, buf;
  explicit TConvState(const TConvW& weights) : w(&weights) { reset(); }
  void reset() { history.assign(static_cast<size_t>(w->cin), 0.0f); }
  void run(const float* x, int64_t rows, Vec& out) {
    with_history(history, 1, x, rows, w->cin, buf);
    out.resize(static_cast<size_t>(rows) * w->stride * w->cout);
    gemm(buf.data(), rows, w->cin, w->m, out.data(), static_cast<int64_t>(w->stride) * w->cout);
  }
};

struct SeanetOpState {
  const SeanetOp* op;
  std::unique_ptr<ConvState> conv, pointwise;
  std::unique_ptr<TConvState> tconv;
  explicit SeanetOpState(const SeanetOp& o) : op(&o) {
    if (o.kind == SeanetOp::kConv || o.kind == SeanetOp::kResidual) conv = std::make_unique<ConvState>(o.conv);
    if (o.kind == SeanetOp::kResidual) pointwise = std::make_unique<ConvState>(o.pointwise);
    if (o.kind == SeanetOp::kTConv) tconv = std::make_unique<TConvState>(o.tconv);
  }
  void reset() {
    if (conv) conv->reset();
    if (pointwise) pointwise->reset();
    if (tconv) tconv->reset();
  }
  // x [rows, width] -> x (replaced).
  void run(Vec& x, int64_t& rows, int& width, Scratch& s) {
    switch (op->kind) {
      case SeanetOp::kElu:
        elu_inplace(x.data(), rows * width);
        return;
      case SeanetOp::kConv:
        conv->run(x.data(), rows, s.a);
        rows /= op->conv.stride;
        width = op->conv.cout;
        x.swap(s.a);
        return;
      case SeanetOp::kTConv:
        tconv->run(x.data(), rows, s.a);
        rows *= op->tconv.stride;
        width = op->tconv.cout;
        x.swap(s.a);
        return;
      case SeanetOp::kResidual: {
        s.b.assign(x.begin(), x.begin() + rows * width);
        elu_inplace(s.b.data(), rows * width);
        conv->run(s.b.data(), rows, s.c);
        elu_inplace(s.c.data(), static_cast<int64_t>(s.c.size()));
        pointwise->run(s.c.data(), rows, s.d);
        for (int64_t i = 0; i < rows * width; ++i) x[i] += s.d[i];
        return;
      }
    }
  }
};

// Mirrors SeanetEncoder/SeanetDecoder (seanet_coder.cpp): layer indices, channel widths and kernels.
void build_seanet(TensorSource& src, const ModelConfig& c, Weights& w) {
  double& em = w.enc_macs;
  double& dm = w.dec_macs;
  int idx = 0;
  // Per-frame MACs: the conv helpers count per input row; scale by the rows per frame at that layer's rate.
  auto add_conv = [&](std::vector<SeanetOp>& ops, const std::string& prefix, int cin, int cout, int kernel, int stride,
                      int rows_per_frame, double& macs) {
    double m = 0;
    SeanetOp op;
    op.kind = SeanetOp::kConv;
    op.conv = pack_conv(src, prefix, cin, cout, kernel, stride, 1, m);
    macs += m * rows_per_frame;
    ops.push_back(std::move(op));
  };
  auto add_res = [&](std::vector<SeanetOp>& ops, const std::string& prefix, int channels, int dilation,
                     int rows_per_frame, double& macs) {
    double m = 0;
    SeanetOp op;
    op.kind = SeanetOp::kResidual;
    op.conv = pack_conv(src, prefix + ".dilated", channels, channels / 2, 3, 1, dilation, m);
    op.pointwise = pack_conv(src, prefix + ".pointwise", channels / 2, channels, 1, 1, 1, m);
    macs += m * rows_per_frame;
    ops.push_back(std::move(op));
  };
  auto add_elu = [](std::vector<SeanetOp>& ops) {
    SeanetOp op;
    op.kind = SeanetOp::kElu;
    ops.push_back(std::move(op));
  };
  auto layer = [&](const char* coder) { return std::string(coder) + ".layers." + std::to_string(idx++); };
  int rate = c.hop;  // rows per frame at the current layer
  int channels = c.seanet_channels;
  add_conv(w.seanet_enc, layer("encoder"), 1, channels, 7, 1, rate, em);
  for (int stride : c.strides) {
    for (int d : c.dilations) add_res(w.seanet_enc, layer("encoder"), channels, d, rate, em);
    add_elu(w.seanet_enc), ++idx;
    add_conv(w.seanet_enc, layer("encoder"), channels, 2 * channels, 2 * stride, stride, rate, em);
    channels *= 2;
    rate /= stride;
  }
  add_elu(w.seanet_enc), ++idx;
  add_conv(w.seanet_enc, layer("encoder"), channels, c.latent_dim, 3, 1, rate, em);

  idx = 0;
  rate = 1;
  add_conv(w.seanet_dec, layer("decoder"), c.latent_dim, channels, 7, 1, rate, dm);
  for (auto it = c.strides.rbegin(); it != c.strides.rend(); ++it) {
    add_elu(w.seanet_dec), ++idx;
    double m = 0;
    SeanetOp op;
    op.kind = SeanetOp::kTConv;
    op.tconv = pack_tconv(src, layer("decoder"), channels, channels / 2, *it, m);
    dm += m * rate;
    w.seanet_dec.push_back(std::move(op));
    channels /= 2;
    rate *= *it;
    for (int d : c.dilations) add_res(w.seanet_dec, layer("decoder"), channels, d, rate, dm);
  }
  add_elu(w.seanet_dec), ++idx;
  add_conv(w.seanet_dec, layer("decoder"), channels, 1, 7, 1, rate, dm);
}

// Mirrors SpectralEncoder/SpectralDecoder (spectral_coder.cpp); the STFT and inverse STFT become matrix products.
void build_spectral(TensorSource& src, const ModelConfig& c, Weights& w) {
  const int na = c.analysis_fft, ba = na / 2 + 1, C = c.channels;
  const auto wa = periodic_hann(na);
  w.analysis = PackedMatrix::pack(na, 2 * ba, [&](int t, int col) {
    const int bin = col % ba;
    const double angle = 2.0 * M_PI * static_cast<double>((static_cast<int64_t>(bin) * t) % na) / na;
    return static_cast<float>(wa[t] * (col < ba ? std::cos(angle) : -std::sin(angle)));
  }, {});
  w.enc_macs += static_cast<double>(na) * 2 * ba;
  w.enc_input = pack_linear(src, "encoder.input", 3 * ba, C, w.enc_macs);
  for (int i = 0; i < c.encoder_blocks; ++i)
    w.enc_blocks.push_back(pack_block(src, "encoder.blocks." + std::to_string(i), c, w.enc_macs));
  w.enc_norm = pack_norm(src, "encoder.norm", C);
  w.enc_output = pack_linear(src, "encoder.output", C, c.latent_dim, w.enc_macs);

  const int ns = c.synthesis_fft, bs = ns / 2 + 1;
  w.dec_embed = pack_conv(src, "decoder.embed", c.latent_dim, C, c.kernel_size, 1, 1, w.dec_macs);
  for (int i = 0; i < c.decoder_blocks; ++i)
    w.dec_blocks.push_back(pack_block(src, "decoder.blocks." + std::to_string(i), c, w.dec_macs));
  w.dec_norm = pack_norm(src, "decoder.norm", C);
  w.dec_head = pack_linear(src, "decoder.head", C, 2 * bs, w.dec_macs);
  const auto ws = periodic_hann(ns);
  // irfft(n = ns): x[t] = (1/ns) sum_k c_k (Re X_k cos - Im X_k sin), c_k = 1 at DC and Nyquist, else 2; the
  // imaginary parts of DC and Nyquist are ignored, as a C2R transform does.
  w.synthesis = PackedMatrix::pack(2 * bs, ns, [&](int row, int t) {
    const int bin = row % bs;
    const bool edge = bin == 0 || 2 * bin == ns;
    const double scale = (edge ? 1.0 : 2.0) / ns;
    const double angle = 2.0 * M_PI * static_cast<double>((static_cast<int64_t>(bin) * t) % ns) / ns;
    if (row < bs) return static_cast<float>(ws[t] * scale * std::cos(angle));
    return edge ? 0.0f : static_cast<float>(-ws[t] * scale * std::sin(angle));
  }, {});
  w.dec_macs += 2.0 * bs * ns;
}

// Each row of a [rows][dim] matrix divided by its L2 norm (at least 1e-12), as torch's F.normalize(dim=1).
void normalize_rows(Vec& m, int dim) {
  for (size_t row = 0; row < m.size(); row += static_cast<size_t>(dim)) {
    double sum = 0;
    for (int d = 0; d < dim; ++d) sum += static_cast<double>(m[row + d]) * m[row + d];
    const float norm = std::max(static_cast<float>(std::sqrt(sum)), 1e-12f);
    for (int d = 0; d < dim; ++d) m[row + d] /= norm;
  }
}

// Mirrors VectorQuantizer (vector_quantizer.cpp); "initialized" is a training flag the engine reads and ignores.
void build_quantizer(TensorSource& src, const ModelConfig& c, Weights& w) {
  w.factorized = c.codebook_dim > 0;
  w.latent_dim = c.latent_dim;
  w.codebook_size = c.codebook_size;
  const int K = c.codebook_size, dim = w.factorized ? c.codebook_dim : c.latent_dim;
  for (int i = 0; i < c.num_codebooks; ++i) {
    const std::string prefix = "quantizer.layers." + std::to_string(i);
    src.get(prefix + ".initialized", {1});
    Vec book = src.get(prefix + ".codebook", {K, dim});
    if (w.factorized) normalize_rows(book, dim);  // as VectorQuantizer does: codes live on the unit sphere
    const float* b = book.data();
    Vec bias(K);
    for (int k = 0; k < K; ++k) {
      float s = 0.0f;
      for (int d = 0; d < dim; ++d) s += b[k * dim + d] * b[k * dim + d];
      bias[k] = -s;
    }
    w.vq_score.push_back(PackedMatrix::pack(dim, K, [&](int d, int k) { return 2.0f * b[k * dim + d]; }, bias));
    Vec table;
    if (w.factorized) {
      double unused = 0;
      w.vq_in.push_back(pack_linear(src, prefix + ".in_proj", c.latent_dim, dim, unused));
      const PackedMatrix out = pack_linear(src, prefix + ".out_proj", dim, c.latent_dim, unused);
      table.resize(static_cast<size_t>(K) * c.latent_dim);
      gemm(b, K, dim, out, table.data(), c.latent_dim);
      w.vq_macs += static_cast<double>(c.latent_dim) * dim;
    } else {
      table.assign(b, b + static_cast<size_t>(K) * dim);
    }
    w.vq_macs += static_cast<double>(dim) * K;
    w.vq_table.push_back(std::move(table));
  }
  w.vq_macs /= c.num_codebooks;  // per codebook
}

}  // namespace

// ---------------------------------------------------------------------------------------------------- model

EngineModel::EngineModel(const ModelConfig& config, SafetensorsReader& file) {
  auto w = std::make_shared<Weights>();
  w->config = config;
  TensorSource src(file);
  if (config.family == "seanet") {
    build_seanet(src, config, *w);
  } else {
    build_spectral(src, config, *w);
  }
  build_quantizer(src, config, *w);
  src.check_all_used();
  weights_ = std::move(w);
}

EngineModel::~EngineModel() = default;
const ModelConfig& EngineModel::config() const { return weights_->config; }
double EngineModel::encoder_macs_per_frame(int n) const { return weights_->enc_macs + n * weights_->vq_macs; }
double EngineModel::decoder_macs_per_frame() const { return weights_->dec_macs; }

// ---------------------------------------------------------------------------------------------------- encoder

struct EncoderState::Impl {
  const Weights* w;
  Vec samples_history;  // spectral: the analysis window's look-back
  std::vector<ConvNeXtState> blocks;
  std::vector<SeanetOpState> seanet;
  Scratch s;
  Vec frames, features, hidden, latent, residual, projected, scores;

  explicit Impl(const Weights& weights) : w(&weights) {
    for (const auto& b : w->enc_blocks) blocks.emplace_back(b);
    for (const auto& op : w->seanet_enc) seanet.emplace_back(op);
    reset();
  }
  void reset() {
    samples_history.assign(static_cast<size_t>(w->config.analysis_fft - w->config.hop), 0.0f);
    for (auto& b : blocks) b.reset();
    for (auto& op : seanet) op.reset();
  }

  // frames * hop samples -> latent [frames, latent_dim].
  void spectral(const float* x, int64_t count) {
    const ModelConfig& c = w->config;
    const int hop = c.hop, bins = c.analysis_fft / 2 + 1, C = c.channels;
    with_history(samples_history, (c.analysis_fft - hop), x, count * hop, 1, frames);
    s.d.resize(static_cast<size_t>(count) * 2 * bins);
    gemm(frames.data(), count, hop, w->analysis, s.d.data(), 2 * bins);  // overlapping rows: frame f at f * hop
    features.resize(static_cast<size_t>(count) * 3 * bins);
    for (int64_t f = 0; f < count; ++f) {
      const float* spec = s.d.data() + f * 2 * bins;
      float* o = features.data() + f * 3 * bins;
      for (int b = 0; b < bins; ++b) {
        const float re = spec[b], im = spec[bins + b];
        const float mag = std::sqrt(re * re + im * im);
        const float scale = std::pow(mag + 1e-7f, -0.7f);
        o[b] = std::log(mag + 1e-5f);
        o[bins + b] = re * scale;
        o[2 * bins + b] = im * scale;
      }
    }
    hidden.resize(static_cast<size_t>(count) * C);
    gemm(features.data(), count, 3 * bins, w->enc_input, hidden.data(), C);
    for (auto& b : blocks) b.run(hidden.data(), count, s);
    layer_norm_rows(hidden.data(), count, C, w->enc_norm, hidden.data());
    latent.resize(static_cast<size_t>(count) * c.latent_dim);
    gemm(hidden.data(), count, C, w->enc_output, latent.data(), c.latent_dim);
  }

  void seanet_forward(const float* x, int64_t count) {
    int64_t rows = count * w->config.hop;
    int width = 1;
    latent.assign(x, x + rows);
    for (auto& op : seanet) op.run(latent, rows, width, s);
  }

  void quantize(int64_t count, int n, std::vector<uint16_t>& codes) {
    const int D = w->latent_dim, K = w->codebook_size;
    residual.assign(latent.begin(), latent.begin() + count * D);
    const size_t base = codes.size();
    codes.resize(base + static_cast<size_t>(count) * n);
    scores.resize(static_cast<size_t>(count) * K);
    for (int i = 0; i < n; ++i) {
      const float* query = residual.data();
      int64_t ld = D;
      if (w->factorized) {
        const PackedMatrix& in = w->vq_in[i];
        projected.resize(static_cast<size_t>(count) * in.n);
        gemm(residual.data(), count, D, in, projected.data(), in.n);
        for (int64_t f = 0; f < count; ++f) {  // F.normalize: x / max(|x|, 1e-12)
          float* r = projected.data() + f * in.n;
          float sq = 0.0f;
          for (int d = 0; d < in.n; ++d) sq += r[d] * r[d];
          const float norm = std::max(std::sqrt(sq), 1e-12f);
          for (int d = 0; d < in.n; ++d) r[d] /= norm;
        }
        query = projected.data();
        ld = in.n;
      }
      gemm(query, count, ld, w->vq_score[i], scores.data(), K);
      const Vec& table = w->vq_table[i];
      for (int64_t f = 0; f < count; ++f) {
        const int best = argmax(scores.data() + f * K, K);
        codes[base + f * n + i] = static_cast<uint16_t>(best);
        float* r = residual.data() + f * D;
        const float* e = table.data() + static_cast<size_t>(best) * D;
        for (int d = 0; d < D; ++d) r[d] -= e[d];
      }
    }
  }
};

EncoderState::EncoderState(const EngineModel& model) : impl_(std::make_unique<Impl>(model.weights())) {}
EncoderState::~EncoderState() = default;
void EncoderState::reset() { impl_->reset(); }

void EncoderState::push(const float* samples, int64_t frames, int num_codebooks, std::vector<uint16_t>& codes) {
  const int hop = impl_->w->config.hop;
  for (int64_t done = 0; done < frames;) {
    const int64_t count = std::min(kMaxBlockFrames, frames - done);
    if (impl_->w->config.family == "seanet") {
      impl_->seanet_forward(samples + done * hop, count);
    } else {
      impl_->spectral(samples + done * hop, count);
    }
    impl_->quantize(count, num_codebooks, codes);
    done += count;
  }
}

// ---------------------------------------------------------------------------------------------------- decoder

namespace {

// Synthesis frames that overlap-add into one output block: the decoder's delay is one less.
int synthesis_overlap(const Weights& w) {
  return w.config.family == "seanet" ? 1 : w.config.synthesis_fft / w.config.hop;
}

}  // namespace

struct DecoderState::Impl {
  const Weights* w;
  bool seanet_family;
  ConvState embed;
  std::vector<ConvNeXtState> blocks;
  std::vector<SeanetOpState> seanet;
  Scratch s;
  Vec latent, hidden, params, spec, frames, held;  // held: synthesis frames whose output blocks are not final
  int64_t held_frames = 0;

  explicit Impl(const Weights& weights)
      : w(&weights), seanet_family(weights.config.family == "seanet"), embed(weights.dec_embed) {
    for (const auto& b : w->dec_blocks) blocks.emplace_back(b);
    for (const auto& op : w->seanet_dec) seanet.emplace_back(op);
    reset();
  }
  int overlap() const { return synthesis_overlap(*w); }
  void reset() {
    if (!seanet_family) embed.reset();
    for (auto& b : blocks) b.reset();
    for (auto& op : seanet) op.reset();
    held.clear();
    held_frames = 0;
  }

  void dequantize(const uint16_t* codes, int64_t count, int n) {
    const int D = w->latent_dim;
    latent.resize(static_cast<size_t>(count) * D);
    for (int64_t f = 0; f < count; ++f) {
      float* z = latent.data() + f * D;
      const uint16_t* c = codes + f * n;
      std::memcpy(z, w->vq_table[0].data() + static_cast<size_t>(c[0]) * D, sizeof(float) * D);
      for (int i = 1; i < n; ++i) {
        const float* e = w->vq_table[i].data() + static_cast<size_t>(c[i]) * D;
        for (int d = 0; d < D; ++d) z[d] += e[d];
      }
    }
  }

  // Output block j (local row j of rows [held | new]): sub-block L-1 of frame j plus sub-block s of frame
  // j + L - 1 - s for s = 0..L-2, where those frames exist.
  void overlap_add(int64_t first, int64_t last, int64_t total, std::vector<float>& out) {
    const int hop = w->config.hop, L = overlap(), width = w->config.synthesis_fft;
    for (int64_t j = first; j < last; ++j) {
      const size_t at = out.size();
      const float* base = held.data() + j * width + static_cast<int64_t>(L - 1) * hop;
      out.insert(out.end(), base, base + hop);
      for (int sb = 0; sb < L - 1; ++sb) {
        const int64_t k = j + L - 1 - sb;
        if (k >= total) continue;
        const float* part = held.data() + k * width + static_cast<int64_t>(sb) * hop;
        for (int i = 0; i < hop; ++i) out[at + i] += part[i];
      }
    }
  }

  void spectral(int64_t count, std::vector<float>& out) {
    const ModelConfig& c = w->config;
    const int C = c.channels, bins = c.synthesis_fft / 2 + 1, width = c.synthesis_fft, L = overlap();
    embed.run(latent.data(), count, hidden);
    for (auto& b : blocks) b.run(hidden.data(), count, s);
    layer_norm_rows(hidden.data(), count, C, w->dec_norm, hidden.data());
    params.resize(static_cast<size_t>(count) * 2 * bins);
    gemm(hidden.data(), count, C, w->dec_head, params.data(), 2 * bins);
    spec.resize(params.size());
    for (int64_t f = 0; f < count; ++f) {
      const float* p = params.data() + f * 2 * bins;
      float* o = spec.data() + f * 2 * bins;
      for (int b = 0; b < bins; ++b) {
        const float mag = std::min(std::exp(p[b]), 100.0f);
        o[b] = mag * std::cos(p[bins + b]);
        o[bins + b] = mag * std::sin(p[bins + b]);
      }
    }
    // Synthesis frames go after the held ones; blocks that are final leave, the rest stay held.
    const int64_t total = held_frames + count;
    held.resize(static_cast<size_t>(total) * width);
    gemm(spec.data(), count, 2 * bins, w->synthesis, held.data() + held_frames * width, width);
    const int64_t ready = std::max<int64_t>(0, total - (L - 1));
    overlap_add(0, ready, total, out);
    held.erase(held.begin(), held.begin() + ready * width);
    held_frames = total - ready;
  }

  void flush(std::vector<float>& out) {
    if (!seanet_family) overlap_add(0, held_frames, held_frames, out);
    reset();
  }
};

DecoderState::DecoderState(const EngineModel& model) : impl_(std::make_unique<Impl>(model.weights())) {}
DecoderState::~DecoderState() = default;
void DecoderState::reset() { impl_->reset(); }
int DecoderState::delay_frames() const { return impl_->overlap() - 1; }
void DecoderState::flush(std::vector<float>& out) { impl_->flush(out); }

void DecoderState::push(const uint16_t* codes, int64_t frames, int num_codebooks, std::vector<float>& out) {
  for (int64_t done = 0; done < frames;) {
    const int64_t count = std::min(kMaxBlockFrames, frames - done);
    impl_->dequantize(codes + done * num_codebooks, count, num_codebooks);
    if (impl_->seanet_family) {
      int64_t rows = count;
      int width = impl_->w->latent_dim;
      for (auto& op : impl_->seanet) op.run(impl_->latent, rows, width, impl_->s);
      out.insert(out.end(), impl_->latent.begin(), impl_->latent.begin() + rows);
    } else {
      impl_->spectral(count, out);
    }
    done += count;
  }
}

// ---------------------------------------------------------------------------------------------------- receptive field

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Where a fresh state's output may still differ from a long-running state's: before `samples` samples from its
// first input. Each layer carries the difference as far as it reads back, rounded outwards to whole rows.
struct DifferenceFrontier {
  int64_t samples = 0;
  // A causal layer over input rows `rate` samples apart that reads `history` rows back and turns `stride` input
  // rows into one output row.
  void causal(int64_t rate, int64_t history, int64_t stride = 1) {
    samples = ceil_div(ceil_div(samples, rate) + history, stride) * rate * stride;
  }
  // A causal transposed convolution: the output rows of input row t also read input row t - 1.
  void transposed(int64_t rate) { samples = (ceil_div(samples, rate) + 1) * rate; }
  // `rate`: samples per row of the first op's input.
  void seanet(const std::vector<SeanetOp>& ops, int64_t rate) {
    for (const SeanetOp& op : ops) {
      switch (op.kind) {
        case SeanetOp::kElu:
          break;
        case SeanetOp::kConv:
          causal(rate, op.conv.history(), op.conv.stride);
          rate *= op.conv.stride;
          break;
        case SeanetOp::kResidual:  // x + pointwise(dilated(x)): the pointwise convolution keeps no history
          causal(rate, op.conv.history());
          break;
        case SeanetOp::kTConv:
          transposed(rate);
          rate /= op.tconv.stride;
          break;
      }
    }
  }
};

}  // namespace

ReceptiveField EngineModel::receptive_field() const {
  const Weights& w = *weights_;
  const int hop = w.config.hop;
  DifferenceFrontier enc, dec;
  if (w.config.family == "seanet") {
    enc.seanet(w.seanet_enc, 1);
    dec.seanet(w.seanet_dec, hop);
  } else {
    enc.causal(1, w.config.analysis_fft - hop, hop);  // the analysis window's look-back
    for (const auto& b : w.enc_blocks) enc.causal(hop, b.kernel - 1);
    dec.causal(hop, w.dec_embed.history());
    for (const auto& b : w.dec_blocks) dec.causal(hop, b.kernel - 1);
    // The overlap-add reads ahead, not back: output block j sums synthesis frames j .. j + overlap - 1.
  }
  ReceptiveField r;
  r.encoder_history = ceil_div(enc.samples, hop);
  r.decoder_history = ceil_div(dec.samples, hop);
  r.decoder_delay = synthesis_overlap(w) - 1;
  return r;
}

}  // namespace nwave::engine
