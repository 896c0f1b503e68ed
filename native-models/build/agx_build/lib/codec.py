"""The audio codec: vector quantisation of log-mel patches, Griffin-Lim back to audio.

Each 40 ms codec frame is a patch of 5 log-mel frames x 64 bands. The patch is split into
`n_bands` frequency bands (contiguous mel bands), and each band is quantised by `stages` codebooks
of `card` entries fitted by residual k-means (stage s quantises what stages < s left over), so the
LM sees K = n_bands x stages codebooks; codebook k = band * stages + stage. The log scale keeps a
quiet event visible next to a loud one, which raw STFT magnitudes did not. Why bands beat more
residual stages for the same bits (broadband wind under a siren survives): docs/decisions.md.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from agx_build.lib.audio import CODE_HOP, MELS_PER_CODE, N_MELS, GriffinLim, LogMel

PATCH = N_MELS * MELS_PER_CODE


def to_patches(logmel: torch.Tensor, n_bands: int) -> torch.Tensor:
    """[B, N_MELS, F] -> [B, F // 5, n_bands, PATCH // n_bands], each band's patch ordered (frame, mel)."""
    b, m, f = logmel.shape
    t = f // MELS_PER_CODE
    x = logmel[:, :, : t * MELS_PER_CODE].reshape(b, n_bands, m // n_bands, t, MELS_PER_CODE)
    return x.permute(0, 3, 1, 4, 2).reshape(b, t, n_bands, MELS_PER_CODE * (m // n_bands))


def from_patches(patches: torch.Tensor) -> torch.Tensor:
    """[B, T, n_bands, D] -> [B, N_MELS, T * 5]."""
    b, t, n_bands, d = patches.shape
    x = patches.reshape(b, t, n_bands, MELS_PER_CODE, d // MELS_PER_CODE)
    return x.permute(0, 2, 4, 1, 3).reshape(b, N_MELS, t * MELS_PER_CODE)


def kmeans(x: torch.Tensor, k: int, iters: int, gen: torch.Generator) -> torch.Tensor:
    """Plain Lloyd k-means with k-means++ seeding on a subsample; returns [k, D] centroids."""
    sub = x[torch.randperm(len(x), generator=gen)[: min(len(x), 20000)]]
    cent = sub[torch.randint(len(sub), (1,), generator=gen)]
    d2 = torch.cdist(sub, cent).squeeze(1) ** 2
    for _ in range(1, k):
        nxt = sub[torch.multinomial(d2 / d2.sum(), 1, generator=gen)]
        cent = torch.cat([cent, nxt])
        d2 = torch.minimum(d2, (torch.cdist(sub, nxt).squeeze(1)) ** 2)
    x_sq = (x * x).sum(1, keepdim=True)
    for _ in range(iters):
        assign = torch.cat([
            torch.argmin(x_sq[i:i + 65536] - 2 * x[i:i + 65536] @ cent.T + (cent * cent).sum(1)[None], 1)
            for i in range(0, len(x), 65536)])
        sums = torch.zeros_like(cent).index_add_(0, assign, x)
        counts = torch.bincount(assign, minlength=k).float()
        empty = counts == 0
        cent = torch.where(empty[:, None], cent, sums / counts.clamp(min=1)[:, None])
        if empty.any():  # re-seed dead centroids on random points
            cent[empty] = x[torch.randint(len(x), (int(empty.sum()),), generator=gen)]
    return cent


class Codec(nn.Module):
    def __init__(self, n_bands: int, stages: int, card: int, gl_iterations: int = 24) -> None:
        super().__init__()
        self.n_bands, self.stages = n_bands, stages
        self.logmel = LogMel()
        self.gl = GriffinLim(gl_iterations)
        self.register_buffer("mean", torch.zeros(n_bands, PATCH // n_bands))
        self.register_buffer("codebooks", torch.zeros(n_bands * stages, card, PATCH // n_bands))

    @classmethod
    def from_state(cls, state: dict, gl_iterations: int = 24) -> "Codec":
        """The codec whose fitted mean and codebooks are `state`; its layout follows from their shapes."""
        k, card, d = state["codebooks"].shape
        codec = cls(PATCH // d, k // (PATCH // d), card, gl_iterations)
        codec.mean.copy_(state["mean"].reshape(codec.mean.shape))
        codec.codebooks.copy_(state["codebooks"])
        return codec

    def layout(self) -> tuple[int, int]:
        return self.n_bands, self.stages

    def learned_state(self) -> dict:
        return {"mean": self.mean.clone(), "codebooks": self.codebooks.clone()}

    def fit(self, logmels: torch.Tensor, seed: int, iters: int = 20) -> None:
        gen = torch.Generator().manual_seed(seed)
        patches = to_patches(logmels, self.n_bands)
        for b in range(self.n_bands):
            x = patches[:, :, b].reshape(-1, patches.shape[-1])
            self.mean[b].copy_(x.mean(0))
            resid = x - self.mean[b]
            for k in range(b * self.stages, (b + 1) * self.stages):
                cent = kmeans(resid, self.codebooks.shape[1], iters, gen)
                self.codebooks[k].copy_(cent)
                resid = resid - cent[self.nearest(resid, cent)]

    @staticmethod
    def nearest(x: torch.Tensor, cent: torch.Tensor) -> torch.Tensor:
        return torch.argmin((cent * cent).sum(-1) - 2 * x @ cent.T, -1)

    def encode_logmel(self, logmel: torch.Tensor) -> torch.Tensor:
        """log-mel [B, N_MELS, F] -> codes [B, K, F // 5] (int64)."""
        patches = to_patches(logmel, self.n_bands)
        codes = []
        for b in range(self.n_bands):
            resid = patches[:, :, b] - self.mean[b]
            for k in range(b * self.stages, (b + 1) * self.stages):
                idx = self.nearest(resid, self.codebooks[k])
                codes.append(idx)
                resid = resid - self.codebooks[k][idx]
        return torch.stack(codes, 1)

    def encode(self, wav: torch.Tensor) -> torch.Tensor:
        """waveform [B, samples] (16 kHz) -> codes [B, K, samples // 640]."""
        return self.encode_logmel(self.logmel(wav))

    def decode_logmel(self, codes: torch.Tensor) -> torch.Tensor:
        bands = [self.mean[b] + sum(self.codebooks[k][codes[:, k]] for k in range(b * self.stages, (b + 1) * self.stages))
                 for b in range(self.n_bands)]
        return from_patches(torch.stack(bands, 2))

    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        """codes [B, K, T] -> waveform [B, T * 640]."""
        return self.gl(self.decode_logmel(codes))


class CodecEncoder(nn.Module):
    def __init__(self, codec: Codec) -> None:
        super().__init__()
        self.codec = codec

    def forward(self, wav: torch.Tensor) -> torch.Tensor:
        return self.codec.encode(wav)


class CodecDecoder(nn.Module):
    def __init__(self, codec: Codec) -> None:
        super().__init__()
        self.codec = codec

    def forward(self, codes: torch.Tensor) -> torch.Tensor:
        return self.codec.decode(codes)


assert CODE_HOP == 640
