"""Log-mel front end and Griffin-Lim, written with conv1d so that torch.onnx exports them as-is.

One codec frame (25/s) = 5 mel frames (hop 128 samples = 8 ms) = 640 samples.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SR = 16000
N_FFT = 512
HOP = 128
N_MELS = 64
MELS_PER_CODE = 5
CODE_HOP = HOP * MELS_PER_CODE  # 640 samples -> 25 frames/s
N_BINS = N_FFT // 2 + 1
BLOCKS = N_FFT // HOP  # HOP-sample blocks per analysis window
MAG_FLOOR = 1e-2


def mel_filterbank() -> np.ndarray:
    """[N_MELS, N_BINS] triangular filters on the HTK mel scale, 0..8 kHz, area-normalised."""
    def hz_to_mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def mel_to_hz(m):
        return 700.0 * (10 ** (m / 2595.0) - 1.0)

    freqs = np.linspace(0, SR / 2, N_BINS)
    pts = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(SR / 2), N_MELS + 2))
    fb = np.zeros((N_MELS, N_BINS))
    for m in range(N_MELS):
        lo, c, hi = pts[m], pts[m + 1], pts[m + 2]
        fb[m] = np.clip(np.minimum((freqs - lo) / (c - lo), (hi - freqs) / (hi - c)), 0, None)
        # narrow low filters can fall between bins; give each at least its nearest bin
        if fb[m].sum() == 0:
            fb[m, int(np.argmin(np.abs(freqs - c)))] = 1.0
        fb[m] /= fb[m].sum()
    return fb.astype(np.float32)


def _dft_kernels() -> tuple[torch.Tensor, torch.Tensor]:
    n = np.arange(N_FFT)
    k = np.arange(N_BINS)
    win = 0.5 - 0.5 * np.cos(2 * np.pi * n / N_FFT)  # periodic Hann
    ang = 2 * np.pi * np.outer(k, n) / N_FFT
    fwd = np.concatenate([np.cos(ang) * win, -np.sin(ang) * win])[:, None, :]  # [2*bins, 1, n_fft]
    # inverse real DFT of a one-sided spectrum, times the synthesis window
    scale = np.full(N_BINS, 2.0)
    scale[0] = scale[-1] = 1.0
    inv = np.concatenate([np.cos(ang) * scale[:, None], -np.sin(ang) * scale[:, None]]) * win / N_FFT
    return torch.tensor(fwd, dtype=torch.float32), torch.tensor(inv[:, None, :], dtype=torch.float32)


class Stft(nn.Module):
    """Centred STFT (reflect padding) -> (real, imag), each [B, N_BINS, frames]."""

    def __init__(self) -> None:
        super().__init__()
        fwd, inv = _dft_kernels()
        self.register_buffer("fwd", fwd, persistent=False)
        self.register_buffer("inv", inv, persistent=False)
        win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)
        self.register_buffer("win_sq", torch.tensor((win ** 2)[None, None, :], dtype=torch.float32), persistent=False)

    def forward(self, wav: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = F.pad(wav[:, None, :], (N_FFT // 2, N_FFT // 2), mode="reflect")
        spec = F.conv1d(x, self.fwd, stride=HOP)
        return spec[:, :N_BINS], spec[:, N_BINS:]

    def inverse(self, re: torch.Tensor, im: torch.Tensor) -> torch.Tensor:
        """Overlap-add inverse of forward(); output length (frames - 1) * HOP."""
        y = F.conv_transpose1d(torch.cat([re, im], 1), self.inv, stride=HOP)
        ones = torch.ones_like(re[:, :1])
        env = F.conv_transpose1d(ones, self.win_sq, stride=HOP)
        y = y / torch.clamp(env, min=1e-3)
        return y[:, 0, N_FFT // 2: y.shape[-1] - N_FFT // 2]


class LogMel(nn.Module):
    """waveform [B, samples] -> log-mel [B, N_MELS, samples // HOP] (the last centred frame dropped)."""

    def __init__(self) -> None:
        super().__init__()
        self.stft = Stft()
        self.register_buffer("fb", torch.tensor(mel_filterbank()), persistent=False)

    def forward(self, wav: torch.Tensor) -> torch.Tensor:
        re, im = self.stft(wav)
        mag = torch.sqrt(re * re + im * im + 1e-10)
        mel = torch.matmul(self.fb, mag)
        return torch.log(mel + MAG_FLOOR)[:, :, :-1]


class GriffinLim(nn.Module):
    """log-mel [B, N_MELS, F] -> waveform [B, F * HOP], fast Griffin-Lim (momentum 0.99).

    The phase starts from a fixed pseudo-random table so decoding is deterministic. The transforms are
    Stft's DFT kernels as plain matrix products over frames [B, frames, 2 * bins], with the framing and
    the overlap-add done by reshapes of HOP-sample blocks: ONNX Runtime runs them 1.7x cheaper than
    Conv / ConvTranspose (whose col2im dominated decoding), and the window envelope is computed once
    instead of every iteration. Same values as Stft.inverse / Stft.forward up to float rounding.
    """

    def __init__(self, iterations: int = 24, max_frames: int = 700) -> None:
        super().__init__()
        self.iterations = iterations
        fb = mel_filterbank()
        # mel -> linear magnitude: the transposed filterbank, normalised per linear bin
        back = fb.T / np.maximum(fb.T.sum(1, keepdims=True), 1e-6)
        self.register_buffer("back", torch.tensor(back * fb.sum(1)[None, :] / fb.sum(1).mean(), dtype=torch.float32), persistent=False)
        g = np.random.default_rng(1234).uniform(0, 2 * math.pi, (N_BINS, max_frames))
        # [frames, 2 * bins]: cos then sin of each frame's phases
        self.register_buffer("phase", torch.tensor(np.concatenate([np.cos(g), np.sin(g)]).T, dtype=torch.float32), persistent=False)
        # The DFT of a real frame under a symmetric window, folded: sample n and N_FFT - n share a
        # cosine and negate a sine (the periodic Hann window is 0 at n = 0), so the forward transform is
        # [even half] @ cos rows and [odd half] @ sin rows, and the inverse computes samples 0 .. N_FFT / 2
        # and mirrors the rest: half the multiply-adds of the full [frames, 512] x [512, 514] products.
        fwd, inv = _dft_kernels()
        half = N_FFT // 2
        fwd, inv = fwd[:, 0, :], inv[:, 0, :]  # [2 * bins, N_FFT] each
        self.register_buffer("fwd_cos", fwd[:N_BINS, 1:half + 1].T.contiguous(), persistent=False)  # [half, bins]
        self.register_buffer("fwd_sin", fwd[N_BINS:, 1:half].T.contiguous(), persistent=False)  # [half - 1, bins]
        self.register_buffer("inv_cos", inv[:N_BINS, :half + 1].contiguous(), persistent=False)  # [bins, half + 1]
        self.register_buffer("inv_sin", inv[N_BINS:, 1:half].contiguous(), persistent=False)  # [bins, half - 1]
        win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)
        self.register_buffer("win_sq", torch.tensor(win ** 2, dtype=torch.float32), persistent=False)

    @staticmethod
    def _overlap_add(frames: torch.Tensor) -> torch.Tensor:
        """[B, F, N_FFT] -> [B, (F - 1) * HOP + N_FFT]: frame f's block q lands in output block f + q."""
        b, f, _ = frames.shape
        blocks = frames.reshape(b, f, BLOCKS, HOP)
        y = sum(F.pad(blocks[:, :, q], (0, 0, q, BLOCKS - 1 - q)) for q in range(BLOCKS))
        return y.reshape(b, -1)

    def _inverse(self, spec: torch.Tensor, env: torch.Tensor) -> torch.Tensor:
        """[B, F, 2 * bins] -> [B, (F - 1) * HOP], Stft.inverse's values."""
        half = N_FFT // 2
        c = spec[:, :, :N_BINS] @ self.inv_cos  # samples 0 .. half
        s = spec[:, :, N_BINS:] @ self.inv_sin  # samples 1 .. half - 1 (the sine is 0 at 0 and half)
        mid = c[:, :, 1:half]
        frames = torch.cat([c[:, :, :1], mid + s, c[:, :, half:], (mid - s).flip(-1)], 2)
        y = self._overlap_add(frames) / env
        return y[:, N_FFT // 2: y.shape[-1] - N_FFT // 2]

    def _stft(self, wav: torch.Tensor) -> torch.Tensor:
        """[B, samples] -> [B, samples // HOP + 1, 2 * bins], Stft.forward's values."""
        x = F.pad(wav[:, None, :], (N_FFT // 2, N_FFT // 2), mode="reflect")[:, 0]
        blocks = x.reshape(x.shape[0], -1, HOP)
        frames = blocks.shape[1] - BLOCKS + 1
        x = torch.cat([blocks[:, q: q + frames] for q in range(BLOCKS)], 2)
        half = N_FFT // 2
        a, b = x[:, :, 1:half], x[:, :, half + 1:].flip(-1)  # samples n and N_FFT - n, n = 1 .. half - 1
        even = torch.cat([a + b, x[:, :, half:half + 1]], 2)
        return torch.cat([even @ self.fwd_cos, (a - b) @ self.fwd_sin], 2)

    def forward(self, logmel: torch.Tensor) -> torch.Tensor:
        mel = torch.clamp(torch.exp(logmel) - MAG_FLOOR, min=0.0)
        mel = torch.cat([mel, mel[:, :, -1:]], 2)  # restore the dropped last frame
        mag = torch.matmul(self.back, mel).transpose(1, 2)  # [B, F, bins]
        frames = mag.shape[1]
        mag2 = torch.cat([mag, mag], 2)
        c = mag2 * self.phase[:frames]
        env = torch.clamp(self._overlap_add(self.win_sq.expand(1, frames, N_FFT)), min=1e-3)
        prev = c
        for _ in range(self.iterations):
            t = self._stft(self._inverse(c, env))
            a = t + 0.99 * (t - prev)
            prev = t
            a_re, a_im = a[:, :, :N_BINS], a[:, :, N_BINS:]
            norm = torch.rsqrt(a_re * a_re + a_im * a_im + 1e-12)
            c = mag2 * a * torch.cat([norm, norm], 2)
        return self._inverse(c, env)
