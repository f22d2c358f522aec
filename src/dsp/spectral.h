// Spectral helpers shared by the training losses and the quality metrics.
#pragma once
#include <torch/torch.h>

namespace nwave::dsp {

// Complex STFT of a batch of waveforms [B, T] -> [B, n_fft/2+1, frames]; periodic Hann window of n_fft, centered
// frames with reflect padding (the usual analysis convention for losses and metrics).
torch::Tensor stft_complex(const torch::Tensor& wave, int n_fft, int hop);

// Its magnitude: abs(stft_complex(wave, n_fft, hop)).
torch::Tensor stft_magnitude(const torch::Tensor& wave, int n_fft, int hop);

// Triangular mel filterbank [n_mels, n_fft/2+1] (Slaney mel scale, area-normalised), as librosa's default.
torch::Tensor mel_filterbank(int n_fft, int n_mels, int sample_rate, double fmin, double fmax);

// Log-mel spectrogram [B, n_mels, frames] of a magnitude STFT [B, bins, frames]: log10(max(filterbank x, 1e-5)).
torch::Tensor log_mel_from_magnitude(const torch::Tensor& filterbank, const torch::Tensor& magnitude);

// Log-mel spectrogram [B, n_mels, frames] of waveforms: log_mel_from_magnitude of stft_magnitude(wave, n_fft, hop).
torch::Tensor log_mel(const torch::Tensor& wave, int n_fft, int hop, int n_mels, int sample_rate);

}  // namespace nwave::dsp
