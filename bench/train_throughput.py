#!/usr/bin/env python3
"""The training step of nwave's spectral preset, written in PyTorch (Python), to compare training throughput with
the C++ trainer (bench/train_throughput.cpp) on the same machine, threads, batch and segment.
Same architecture (causal STFT front-end, causal ConvNeXt blocks, EMA residual VQ with quantizer dropout, iSTFT
head with causal overlap-add), same losses (4-scale log-mel L1 + 5-scale STFT magnitude and log-magnitude L1,
commitment), same optimizer (AdamW, gradient clipping). Random audio, as in the C++ benchmark.
Usage: train_throughput.py [--threads 1] [--steps 20] [--batch 8] [--segment 16000]"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HOP, LATENT, CHANNELS, BLOCKS, MLP, KERNEL = 128, 128, 192, 6, 3, 7
CODEBOOKS, CODEBOOK_SIZE, ANALYSIS_FFT, SYNTHESIS_FFT = 8, 1024, 512, 256


class CausalConv(nn.Conv1d):
    def forward(self, x):
        return super().forward(F.pad(x, ((self.kernel_size[0] - 1) * self.dilation[0], 0)))


class ConvNeXt(nn.Module):
    def __init__(self, c, count):
        super().__init__()
        self.depthwise = CausalConv(c, c, KERNEL, groups=c)
        self.norm = nn.LayerNorm(c, eps=1e-6)
        self.expand, self.project = nn.Linear(c, c * MLP), nn.Linear(c * MLP, c)
        self.gamma = nn.Parameter(torch.full((c,), 1.0 / count))

    def forward(self, x):
        h = self.depthwise(x).transpose(1, 2)
        return x + (self.project(F.gelu(self.expand(self.norm(h)))) * self.gamma).transpose(1, 2)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        bins = ANALYSIS_FFT // 2 + 1
        self.inp = nn.Linear(3 * bins, CHANNELS)
        self.blocks = nn.Sequential(*[ConvNeXt(CHANNELS, BLOCKS) for _ in range(BLOCKS)])
        self.norm, self.out = nn.LayerNorm(CHANNELS, eps=1e-6), nn.Linear(CHANNELS, LATENT)

    def forward(self, wave):
        frames = F.pad(wave, (ANALYSIS_FFT - HOP, 0)).unfold(1, ANALYSIS_FFT, HOP)
        spec = torch.fft.rfft(frames * torch.hann_window(ANALYSIS_FFT))
        mag = spec.abs()
        comp = spec * (mag + 1e-7).pow(-0.7)
        feats = torch.cat([torch.log(mag + 1e-5), comp.real, comp.imag], -1)
        h = self.blocks(self.inp(feats).transpose(1, 2))
        return self.out(self.norm(h.transpose(1, 2))).transpose(1, 2)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = CausalConv(LATENT, CHANNELS, KERNEL)
        self.blocks = nn.Sequential(*[ConvNeXt(CHANNELS, BLOCKS) for _ in range(BLOCKS)])
        self.norm, self.head = nn.LayerNorm(CHANNELS, eps=1e-6), nn.Linear(CHANNELS, 2 * (SYNTHESIS_FFT // 2 + 1))

    def forward(self, latent):
        h = self.norm(self.blocks(self.embed(latent)).transpose(1, 2))
        logmag, phase = self.head(h).chunk(2, -1)
        mag = torch.exp(logmag).clamp(max=1e2)
        frames = torch.fft.irfft(torch.complex(mag * torch.cos(phase), mag * torch.sin(phase)), SYNTHESIS_FFT)
        frames = frames * torch.hann_window(SYNTHESIS_FFT)
        b, n, _ = frames.shape
        parts = frames.reshape(b, n, SYNTHESIS_FFT // HOP, HOP)
        out = parts[:, :, -1].clone()
        out[:, :-1] += parts[:, 1:, 0]
        return out.reshape(b, n * HOP)


class EmaRvq(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("codebooks", torch.randn(CODEBOOKS, CODEBOOK_SIZE, LATENT))
        self.register_buffer("sizes", torch.ones(CODEBOOKS, CODEBOOK_SIZE))
        self.register_buffer("sums", self.codebooks.clone())

    def forward(self, latent, active):
        b, d, f = latent.shape
        x = latent.transpose(1, 2).reshape(-1, d)
        rows_active = active.repeat_interleave(f)
        residual, total, commit = x, torch.zeros_like(x), 0.0
        for i in range(CODEBOOKS):
            book = self.codebooks[i]
            mask = (rows_active > i).float().unsqueeze(1)
            codes = torch.addmm(-book.pow(2).sum(1)[None], residual.detach(), book.t(), alpha=2.0).argmax(1)
            q = book[codes]
            commit = commit + ((residual - q) ** 2 * mask).sum() / (mask.sum() * d).clamp(min=1)
            with torch.no_grad():
                used = rows_active > i
                counts = torch.bincount(codes[used], minlength=CODEBOOK_SIZE).float()
                sums = torch.zeros_like(book).index_add_(0, codes[used], residual[used].detach())
                self.sizes[i].mul_(0.99).add_(counts, alpha=0.01)
                self.sums[i].mul_(0.99).add_(sums, alpha=0.01)
                total_size = self.sizes[i].sum()
                smoothed = (self.sizes[i] + 1e-5) / (total_size + CODEBOOK_SIZE * 1e-5) * total_size
                self.codebooks[i].copy_(self.sums[i] / smoothed[:, None])
            residual = residual - q.detach() * mask
            total = total + q.detach() * mask
        quantized = x + (total - x).detach()
        return quantized.reshape(b, f, d).transpose(1, 2), commit


def mel_filterbank(n_fft, n_mels, sr=16000):
    def hz_to_mel(hz):
        return hz / (200 / 3) if hz < 1000 else 15 + math.log(hz / 1000) / (math.log(6.4) / 27)

    def mel_to_hz(m):
        return m * (200 / 3) if m < 15 else 1000 * math.exp((math.log(6.4) / 27) * (m - 15))

    edges = [mel_to_hz(hz_to_mel(0) + (hz_to_mel(sr / 2) - hz_to_mel(0)) * i / (n_mels + 1)) for i in range(n_mels + 2)]
    freqs = torch.arange(n_fft // 2 + 1) * sr / n_fft
    fb = torch.zeros(n_mels, n_fft // 2 + 1)
    for m in range(n_mels):
        lo, c, hi = edges[m], edges[m + 1], edges[m + 2]
        fb[m] = torch.clamp(torch.minimum((freqs - lo) / (c - lo), (hi - freqs) / (hi - c)), min=0) * 2 / (hi - lo)
    return fb


MEL_SCALES = [(256, 20), (512, 40), (1024, 80), (2048, 128)]
FILTERBANKS = {n: mel_filterbank(n, m) for n, m in MEL_SCALES}
STFT_SCALES = [128, 256, 512, 1024, 2048]


def magnitude(x, n_fft):
    return torch.stft(x, n_fft, n_fft // 4, window=torch.hann_window(n_fft), center=True, pad_mode="reflect",
                      return_complex=True).abs()


def loss_fn(y, x):
    mel = sum((torch.log10((FILTERBANKS[n] @ magnitude(y, n)).clamp(min=1e-5))
               - torch.log10((FILTERBANKS[n] @ magnitude(x, n)).clamp(min=1e-5))).abs().mean() for n, _ in MEL_SCALES)
    stft = 0.0
    for n in STFT_SCALES:
        a, b = magnitude(y, n), magnitude(x, n)
        stft = stft + (a - b).abs().mean() + (torch.log(a.clamp(min=1e-5)) - torch.log(b.clamp(min=1e-5))).abs().mean()
    return mel / len(MEL_SCALES) + stft / len(STFT_SCALES)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--segment", type=int, default=16000)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    encoder, rvq, decoder = Encoder(), EmaRvq(), Decoder()
    params = list(encoder.parameters()) + list(decoder.parameters())
    optimizer = torch.optim.AdamW(params, 3e-4, betas=(0.8, 0.99), weight_decay=0.01)

    def step():
        wave = 0.1 * torch.randn(args.batch, args.segment)
        active = torch.where(torch.rand(args.batch) < 0.5, torch.randint(1, CODEBOOKS + 1, (args.batch,)),
                             torch.full((args.batch,), CODEBOOKS))
        quantized, commit = rvq(encoder(wave), active)
        loss = loss_fn(decoder(quantized), wave) + 0.1 * commit
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 10.0)
        optimizer.step()

    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = time.perf_counter() - start
    print(json.dumps({"impl": f"PyTorch {torch.__version__} (Python)", "preset": "default",
                      "parameters": sum(p.numel() for p in params), "threads": args.threads, "batch": args.batch,
                      "segment": args.segment, "s_per_step": round(seconds / args.steps, 4),
                      "audio_s_per_s": round(args.steps * args.batch * args.segment / 16000 / seconds, 2)}))


if __name__ == "__main__":
    main()
