"""The audio codec: residual vector quantisation of log-mel patches, Griffin-Lim back to audio.

Each 40 ms codec frame is a patch of 5 log-mel frames x 64 bands (320 values). K codebooks of
`card` entries are fitted by residual k-means: stage k quantises what stages < k left over. The
log scale keeps a quiet event visible next to a loud one, which raw STFT magnitudes did not.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from audio import CODE_HOP, MELS_PER_CODE, N_MELS, GriffinLim, LogMel

PATCH = N_MELS * MELS_PER_CODE


def to_patches(logmel: torch.Tensor) -> torch.Tensor:
    """[B, N_MELS, F] -> [B, F // 5, PATCH]."""
    b, m, f = logmel.shape
    t = f // MELS_PER_CODE
    x = logmel[:, :, : t * MELS_PER_CODE].reshape(b, m, t, MELS_PER_CODE)
    return x.permute(0, 2, 3, 1).reshape(b, t, MELS_PER_CODE * m)


def from_patches(patches: torch.Tensor) -> torch.Tensor:
    """[B, T, PATCH] -> [B, N_MELS, T * 5]."""
    b, t, _ = patches.shape
    x = patches.reshape(b, t, MELS_PER_CODE, N_MELS)
    return x.permute(0, 3, 1, 2).reshape(b, N_MELS, t * MELS_PER_CODE)


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
    def __init__(self, n_codebooks: int, card: int, gl_iterations: int = 24) -> None:
        super().__init__()
        self.logmel = LogMel()
        self.gl = GriffinLim(gl_iterations)
        self.register_buffer("mean", torch.zeros(PATCH))
        self.register_buffer("codebooks", torch.zeros(n_codebooks, card, PATCH))

    def load_learned(self, state: dict) -> None:
        """Load the fitted mean and codebooks; everything else is derived from constants."""
        self.mean.copy_(state["mean"])
        self.codebooks.copy_(state["codebooks"])

    def fit(self, patches: torch.Tensor, seed: int, iters: int = 20) -> None:
        gen = torch.Generator().manual_seed(seed)
        self.mean.copy_(patches.mean(0))
        resid = patches - self.mean
        for k in range(self.codebooks.shape[0]):
            cent = kmeans(resid, self.codebooks.shape[1], iters, gen)
            self.codebooks[k].copy_(cent)
            resid = resid - cent[self.nearest(resid, cent)]

    @staticmethod
    def nearest(x: torch.Tensor, cent: torch.Tensor) -> torch.Tensor:
        return torch.argmin((cent * cent).sum(-1) - 2 * x @ cent.T, -1)

    def encode_patches(self, patches: torch.Tensor) -> torch.Tensor:
        """[B, T, PATCH] -> codes [B, K, T] (int64)."""
        resid = patches - self.mean
        codes = []
        for k in range(self.codebooks.shape[0]):
            idx = self.nearest(resid, self.codebooks[k])
            codes.append(idx)
            resid = resid - self.codebooks[k][idx]
        return torch.stack(codes, 1)

    def encode(self, wav: torch.Tensor) -> torch.Tensor:
        """waveform [B, samples] (16 kHz) -> codes [B, K, samples // 640]."""
        return self.encode_patches(to_patches(self.logmel(wav)))

    def decode_logmel(self, codes: torch.Tensor) -> torch.Tensor:
        patches = self.mean + sum(self.codebooks[k][codes[:, k]] for k in range(self.codebooks.shape[0]))
        return from_patches(patches)

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
