"""The T5 encoder (transformers' T5EncoderModel) from a Hugging Face folder's config.json and weights.

Debian has no python3-transformers, so this is our own, written against transformers' modeling_t5:
- token embedding `shared`, no positional embedding; instead every layer adds one learned bias per
  head and relative-position bucket, computed by the first block and shared by all blocks;
- buckets (bidirectional): half the buckets for keys after the query; within a half, distances
  below num_buckets/4 are exact and the rest are log-spaced up to max_distance, then clipped;
- RMS layer norm without mean or bias (weight * x / sqrt(mean(x^2) + eps)), pre-norm;
- attention scores are q . k with no 1 / sqrt(d) (T5 folds it into the initialisation);
- feed-forward wo(act(wi x)), or gated wo(act(wi_0 x) * wi_1 x) when feed_forward_proj says
  "gated-..." ("gated-gelu" is the tanh GELU, gelu_new);
- padded tokens are masked out of every attention with a large negative score.
Every matrix is kept transposed (TLinear) so the exported graph memory-maps it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from agx_convert.modules.lm import NEG, TLinear


@dataclass
class T5Config:
    vocab_size: int
    d_model: int
    d_kv: int
    num_heads: int
    num_layers: int
    d_ff: int
    num_buckets: int = 32
    max_distance: int = 128
    eps: float = 1e-6
    act: str = "relu"
    gated: bool = False
    pad_id: int = 0
    eos_id: int = 1

    @classmethod
    def from_json(cls, cfg: dict) -> "T5Config":
        """From the folder's config.json (transformers' T5Config keys and defaults)."""
        proj = str(cfg.get("feed_forward_proj", "relu"))
        parts = proj.split("-")
        if len(parts) > 2 or (len(parts) == 2 and parts[0] != "gated"):
            raise ValueError(f"T5 feed_forward_proj {proj!r} is not 'ACT' or 'gated-ACT'")
        act = "gelu_new" if proj == "gated-gelu" else parts[-1]
        if act not in ACTIVATIONS:
            raise ValueError(f"T5 activation {act!r} is not one of {sorted(ACTIVATIONS)}")
        return cls(vocab_size=int(cfg["vocab_size"]), d_model=int(cfg["d_model"]), d_kv=int(cfg["d_kv"]),
                   num_heads=int(cfg["num_heads"]), num_layers=int(cfg["num_layers"]), d_ff=int(cfg["d_ff"]),
                   num_buckets=int(cfg.get("relative_attention_num_buckets", 32)),
                   max_distance=int(cfg.get("relative_attention_max_distance", 128)),
                   eps=float(cfg.get("layer_norm_epsilon", 1e-6)), act=act, gated=parts[0] == "gated",
                   pad_id=int(cfg.get("pad_token_id", 0)), eos_id=int(cfg.get("eos_token_id", 1)))


def _gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))


ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu, "gelu_new": _gelu_tanh, "silu": F.silu}


def relative_buckets(rel: torch.Tensor, num_buckets: int, max_distance: int) -> torch.Tensor:
    """rel = key position - query position (int64) -> bucket index, bidirectional."""
    half = num_buckets // 2
    out = (rel > 0).long() * half
    dist = rel.abs()
    max_exact = half // 2
    # clamp(min=1) only keeps log() finite where the exact branch is taken anyway
    far = max_exact + (torch.log(dist.clamp(min=1).float() / max_exact) / math.log(max_distance / max_exact)
                       * (half - max_exact)).long()
    far = torch.clamp(far, max=half - 1)
    return out + torch.where(dist < max_exact, dist, far)


class RMSNorm(nn.Module):
    def __init__(self, weight: torch.Tensor, eps: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(weight.detach().clone(), requires_grad=False)
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.weight * (x * torch.rsqrt((x * x).mean(-1, keepdim=True) + self.eps))


class _Block(nn.Module):
    def __init__(self, cfg: T5Config, w: dict[str, torch.Tensor], i: int) -> None:
        super().__init__()
        b = f"encoder.block.{i}.layer"
        self.norm_attn = RMSNorm(w.pop(f"{b}.0.layer_norm.weight"), cfg.eps)
        self.q, self.k, self.v, self.o = (TLinear(w.pop(f"{b}.0.SelfAttention.{n}.weight")) for n in "qkvo")
        self.norm_ff = RMSNorm(w.pop(f"{b}.1.layer_norm.weight"), cfg.eps)
        if cfg.gated:
            self.wi_0, self.wi_1 = TLinear(w.pop(f"{b}.1.DenseReluDense.wi_0.weight")), TLinear(w.pop(f"{b}.1.DenseReluDense.wi_1.weight"))
        else:
            self.wi = TLinear(w.pop(f"{b}.1.DenseReluDense.wi.weight"))
        self.wo = TLinear(w.pop(f"{b}.1.DenseReluDense.wo.weight"))
        self.cfg = cfg

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, n, _ = x.shape
        heads, dk = self.cfg.num_heads, self.cfg.d_kv
        h = self.norm_attn(x)
        q, k, v = (f(h).reshape(b, n, heads, dk).transpose(1, 2) for f in (self.q, self.k, self.v))
        p = torch.softmax(q @ k.transpose(-1, -2) + bias, -1)
        x = x + self.o((p @ v).transpose(1, 2).reshape(b, n, heads * dk))
        h = self.norm_ff(x)
        act = ACTIVATIONS[self.cfg.act]
        hidden = act(self.wi_0(h)) * self.wi_1(h) if self.cfg.gated else act(self.wi(h))
        return x + self.wo(hidden)


class T5Encoder(nn.Module):
    """ids [B, L] int64, mask [B, L] float -> last hidden state [B, L, d_model]."""

    def __init__(self, cfg: T5Config, state: dict[str, torch.Tensor]) -> None:
        """Takes its tensors out of `state` (names and shapes were checked against config.json by
        formats.t5.check_t5_folder, with spec.t5_encoder_spec)."""
        super().__init__()
        w = state
        self.cfg = cfg
        self.shared = nn.Embedding.from_pretrained(w.pop("shared.weight").float(), freeze=True)
        self.rel_bias = nn.Embedding.from_pretrained(w.pop("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"),
                                                     freeze=True)
        self.blocks = nn.ModuleList([_Block(cfg, w, i) for i in range(cfg.num_layers)])
        self.final_norm = RMSNorm(w.pop("encoder.final_layer_norm.weight"), cfg.eps)

    def position_bias(self, n: int) -> torch.Tensor:
        pos = torch.arange(n)
        buckets = relative_buckets(pos[None, :] - pos[:, None], self.cfg.num_buckets, self.cfg.max_distance)
        return self.rel_bias(buckets).permute(2, 0, 1).unsqueeze(0)  # [1, H, L, L]

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.shared(ids)
        bias = self.position_bias(ids.shape[1]) + ((1.0 - mask) * NEG)[:, None, None, :]
        for block in self.blocks:
            x = block(x, bias)
        return self.final_norm(x)
