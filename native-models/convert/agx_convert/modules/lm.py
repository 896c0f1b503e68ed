"""audiocraft's LMModel (AudioGen / MusicGen) as two modules: the checkpoint's shape and the exported graph.

AudiocraftLM holds the parameters under audiocraft's exact names and shapes; built on torch's meta
device (no memory) it is what LMGraph checks a state dict against, and agx_convert.meta's full-size
check. LMGraph is what the bundle's graphs trace: the same numbers, with every
matrix stored in the layout its ONNX node consumes (x @ W^T is MatMul(x, W_t): no Transpose of an
initializer, which would make onnxruntime copy each weight at load instead of memory-mapping it) and
the attention written out (torch 1.13 cannot export nn.MultiheadAttention).

What the released models compute (audiocraft/models/lm.py, modules/transformer.py, conditioners.py):
- input = sum_k emb[k](codes_k) + create_sin_embedding(position) (cos half first, then sin; the
  period of channel i is max_period^(i / (half - 1)));
- pre-norm layers: x += self_attn(norm1(x)) (causal); x += cross_attention(norm_cross(x), U);
  x += linear2(gelu(linear1(norm2(x)))); LayerNorm eps 1e-5, exact GELU, no biases;
- logits_k = linears[k](out_norm(x));
- U = output_proj(T5(prompt)) * mask: padded and absent prompts are zero vectors, and audiocraft's
  cross-attention has no padding mask (a zero key scores 0 and takes softmax mass, a zero value adds
  nothing). Here padded tokens are masked out of the softmax instead. For an unpadded prompt, which is
  what audiocraft generates from for one prompt and all the engine ever generates from, the numbers
  are the same; and a prompt padded to an explanation bucket then computes what generation computed.
  The null prompt (all zero vectors) gives a zero cross-attention output either way.
`token_weights` / explanation masks multiply the cross-attention probabilities after the softmax, as
in tiny-foley (native-models/build/agx_build/lib/lm.py); with weights 1 the numbers are audiocraft's.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

NEG = -1e9  # masked attention score: finite, so no inf - inf in the gradient graphs


@dataclass
class LMConfig:
    dim: int
    num_heads: int
    num_layers: int
    ffn_dim: int
    n_q: int
    card: int
    text_dim: int
    max_period: float = 10000.0
    positional_scale: float = 1.0
    norm_eps: float = 1e-5

    @classmethod
    def from_dict(cls, cfg: dict) -> "LMConfig":
        """From config.lm_config / hf_lm_config's dict; the delay pattern must be the engine's (k steps for codebook k)."""
        delays = list(cfg.get("delays", range(cfg["n_q"])))
        if delays != list(range(cfg["n_q"])):
            raise ValueError(f"delay pattern {delays}: the studio's engine runs only delays 0..K-1")
        if cfg.get("text_dim") is None:
            raise ValueError("the LM config does not say the T5 width (text_dim)")
        return cls(**{k: cfg[k] for k in ("dim", "num_heads", "num_layers", "ffn_dim", "n_q", "card", "text_dim")},
                   max_period=float(cfg.get("max_period", 10000.0)),
                   positional_scale=float(cfg.get("positional_scale", 1.0)),
                   norm_eps=float(cfg.get("norm_eps", 1e-5)))


# ------------------------------------------------------------------ the checkpoint's shape

class _Attention(nn.Module):
    def __init__(self, d: int, device=None) -> None:
        super().__init__()
        self.in_proj_weight = nn.Parameter(torch.empty(3 * d, d, device=device))
        self.out_proj = nn.Linear(d, d, bias=False, device=device)


class _Layer(nn.Module):
    def __init__(self, cfg: LMConfig, device=None) -> None:
        super().__init__()
        d = cfg.dim
        self.self_attn = _Attention(d, device)
        self.cross_attention = _Attention(d, device)
        self.linear1 = nn.Linear(d, cfg.ffn_dim, bias=False, device=device)
        self.linear2 = nn.Linear(cfg.ffn_dim, d, bias=False, device=device)
        self.norm1 = nn.LayerNorm(d, eps=cfg.norm_eps, device=device)
        self.norm2 = nn.LayerNorm(d, eps=cfg.norm_eps, device=device)
        self.norm_cross = nn.LayerNorm(d, eps=cfg.norm_eps, device=device)


class _Transformer(nn.Module):
    def __init__(self, cfg: LMConfig, device=None) -> None:
        super().__init__()
        self.layers = nn.ModuleList([_Layer(cfg, device) for _ in range(cfg.num_layers)])


class _Conditioner(nn.Module):
    def __init__(self, cfg: LMConfig, device=None) -> None:
        super().__init__()
        self.output_proj = nn.Linear(cfg.text_dim, cfg.dim, device=device)


class _Provider(nn.Module):
    def __init__(self, cfg: LMConfig, device=None) -> None:
        super().__init__()
        self.conditioners = nn.ModuleDict({"description": _Conditioner(cfg, device)})


class AudiocraftLM(nn.Module):
    """Parameters only, named as in audiocraft's state_dict.bin: the names and shapes LMGraph takes
    (built on the meta device for that check and for agx_convert.meta's full-size check)."""

    def __init__(self, cfg: LMConfig, device=None) -> None:
        super().__init__()
        self.cfg = cfg
        self.condition_provider = _Provider(cfg, device)
        self.emb = nn.ModuleList([nn.Embedding(cfg.card + 1, cfg.dim, device=device) for _ in range(cfg.n_q)])
        self.transformer = _Transformer(cfg, device)
        self.out_norm = nn.LayerNorm(cfg.dim, eps=cfg.norm_eps, device=device)
        self.linears = nn.ModuleList([nn.Linear(cfg.dim, cfg.card, bias=False, device=device) for _ in range(cfg.n_q)])

# ------------------------------------------------------------------ the exported graph

class TLinear(nn.Module):
    """y = x @ w_t (+ b) with w_t = W^T stored [in, out]: the layout MatMul / Gemm read without a copy."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor | None = None) -> None:
        super().__init__()
        self.w_t = nn.Parameter(weight.detach().float().t().contiguous(), requires_grad=False)
        self.b = None if bias is None else nn.Parameter(bias.detach().float().clone(), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x @ self.w_t
        return y if self.b is None else y + self.b


def sin_embedding(pos: torch.Tensor, dim: int, max_period: float) -> torch.Tensor:
    """audiocraft's create_sin_embedding: pos [...] float -> [..., dim]."""
    half = dim // 2
    adim = torch.arange(half, dtype=torch.float32)
    phase = pos[..., None] / (max_period ** (adim / (half - 1)))
    return torch.cat([torch.cos(phase), torch.sin(phase)], -1)


def _layer_norm(state: dict, name: str, eps: float) -> nn.LayerNorm:
    w = state.pop(f"{name}.weight")
    norm = nn.LayerNorm(w.shape[0], eps=eps)
    norm.weight.data, norm.bias.data = w.float(), state.pop(f"{name}.bias").float()
    return norm.requires_grad_(False)


def split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    """[B, N, d] -> [B, H, N, d / H]."""
    b, n, d = x.shape
    return x.reshape(b, n, heads, d // heads).transpose(1, 2)


class CrossKV(nn.Module):
    """One layer's cross-attention key and value projections of U -> [B, H, L, dh] each."""

    def __init__(self, k: TLinear, v: TLinear, heads: int) -> None:
        super().__init__()
        self.k, self.v, self.heads = k, v, heads

    def forward(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return split_heads(self.k(u), self.heads), split_heads(self.v(u), self.heads)


class TextSide(nn.Module):
    """What the LM does with the prompt alone: output_proj, and every layer's cross keys/values.
    Its own module so text_encoder.onnx can be exported from these weights only (torch 1.13's export
    holds a copy of every parameter of the module it is given: the whole LM is 7.4 GB at full size)."""

    def __init__(self, output_proj: TLinear, cross: list[CrossKV]) -> None:
        super().__init__()
        self.output_proj, self.cross = output_proj, nn.ModuleList(cross)

    def condition(self, t5_hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """T5's last hidden state [B, L, text_dim], mask [B, L] -> U [B, L, dim] (zero where masked)."""
        return self.output_proj(t5_hidden) * mask.unsqueeze(-1)

    def cross_kv(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """U [B, L, d] -> every layer's cross-attention keys and values [layers, B, H, L, dh]."""
        ks, vs = zip(*(c(u) for c in self.cross))
        return torch.stack(ks), torch.stack(vs)


class _GraphLayer(nn.Module):
    def __init__(self, state: dict, p: str, cfg: LMConfig) -> None:
        super().__init__()
        self.heads = cfg.num_heads
        wq, wk, wv = state.pop(f"{p}.self_attn.in_proj_weight").split(cfg.dim)
        cq, ck, cv = state.pop(f"{p}.cross_attention.in_proj_weight").split(cfg.dim)
        self.norm_self, self.norm_cross, self.norm_ff = (_layer_norm(state, f"{p}.{n}", cfg.norm_eps)
                                                         for n in ("norm1", "norm_cross", "norm2"))
        self.self_q, self.self_k, self.self_v = TLinear(wq), TLinear(wk), TLinear(wv)
        self.self_out = TLinear(state.pop(f"{p}.self_attn.out_proj.weight"))
        self.cross_q = TLinear(cq)
        self.cross_kv = CrossKV(TLinear(ck), TLinear(cv), cfg.num_heads)
        self.cross_out = TLinear(state.pop(f"{p}.cross_attention.out_proj.weight"))
        self.ff_in, self.ff_out = TLinear(state.pop(f"{p}.linear1.weight")), TLinear(state.pop(f"{p}.linear2.weight"))

    def split(self, x: torch.Tensor) -> torch.Tensor:
        return split_heads(x, self.heads)

    def merge(self, x: torch.Tensor) -> torch.Tensor:
        b, h, n, dh = x.shape
        return x.transpose(1, 2).reshape(b, n, h * dh)

    def forward(self, x, self_bias, past_k, past_v, ck, cv, text_bias, weights, score_scale):
        """x [B, S, d]; past_k/v [B, H, P, dh] or None; ck/cv [B, H, L, dh]; text_bias [B, L] (NEG where
        padded); weights / score_scale [B, S, L] or None. Returns x and the self-attention keys and
        values including the past."""
        dh = x.shape[-1] // self.heads
        h = self.norm_self(x)
        q, k, v = self.split(self.self_q(h)), self.split(self.self_k(h)), self.split(self.self_v(h))
        if past_k is not None:
            k = torch.cat([past_k, k], 2)
            v = torch.cat([past_v, v], 2)
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh)
        if self_bias is not None:
            scores = scores + self_bias
        x = x + self.self_out(self.merge(torch.softmax(scores, -1) @ v))
        cq = self.split(self.cross_q(self.norm_cross(x)))
        cs = cq @ ck.transpose(-1, -2) / math.sqrt(dh)
        if score_scale is not None:
            cs = cs * score_scale.unsqueeze(1)
        p = torch.softmax(cs + text_bias[:, None, None, :], -1)
        self.last_cross_attention = p  # [B, H, S, L], read by LMGraph.probe
        if weights is not None:
            p = p * weights.unsqueeze(1)  # not weights[:, None]: its backward (slice_backward) has no ONNX export
        x = x + self.cross_out(self.merge(p @ cv))
        return x + self.ff_out(F.gelu(self.ff_in(self.norm_ff(x)))), k, v

    def forward_one(self, x, cache_k, cache_v, self_bias, ck, cv, text_bias, weights):
        """forward() for one new position against lm_step's fixed-capacity cache: x [B, 1, d]; cache_k/v
        [B, H, C, dh] whose positions from the current one on are masked by self_bias [C] (0 or NEG).
        The new key and value are attended to beside the cache, not concatenated into it, so no step
        copies the cache. Returns x and this position's key and value [B, H, 1, dh]."""
        dh = x.shape[-1] // self.heads
        h = self.norm_self(x)
        q, k, v = self.split(self.self_q(h)), self.split(self.self_k(h)), self.split(self.self_v(h))
        scores = torch.cat([q @ cache_k.transpose(-1, -2) / math.sqrt(dh) + self_bias,
                            q @ k.transpose(-1, -2) / math.sqrt(dh)], -1)
        attn = torch.softmax(scores, -1)
        x = x + self.self_out(self.merge(attn[..., :-1] @ cache_v + attn[..., -1:] * v))
        cq = self.split(self.cross_q(self.norm_cross(x)))
        p = torch.softmax(cq @ ck.transpose(-1, -2) / math.sqrt(dh) + text_bias[:, None, None, :], -1)
        p = p * weights.unsqueeze(1)
        x = x + self.cross_out(self.merge(p @ cv))
        return x + self.ff_out(F.gelu(self.ff_in(self.norm_ff(x)))), k, v


class LMGraph(nn.Module):
    """The LM as the bundle's graphs compute it (frozen weights, export layout)."""

    def __init__(self, cfg: LMConfig, state: dict[str, torch.Tensor]) -> None:
        """Takes the release's tensors out of `state` as it goes (a full-size LM is 7 GB in fp32:
        holding it once in each layout would double the converter's peak memory)."""
        super().__init__()
        expected = {n: tuple(t.shape) for n, t in AudiocraftLM(cfg, device="meta").state_dict().items()}
        got = {n: tuple(t.shape) for n, t in state.items()}
        if got != expected:
            bad = sorted(set(expected) ^ set(got)) or [n for n in expected if expected[n] != got[n]]
            raise ValueError(f"the LM tensors do not match the config: {len(bad)} differ, first {bad[0]}")
        self.cfg = cfg
        proj = "condition_provider.conditioners.description.output_proj"
        output_proj = TLinear(state.pop(f"{proj}.weight"), state.pop(f"{proj}.bias"))
        self.emb = nn.ModuleList([nn.Embedding.from_pretrained(state.pop(f"emb.{k}.weight").float(), freeze=True)
                                  for k in range(cfg.n_q)])
        self.layers = nn.ModuleList([_GraphLayer(state, f"transformer.layers.{i}", cfg) for i in range(cfg.num_layers)])
        self.text_side = TextSide(output_proj, [layer.cross_kv for layer in self.layers])
        self.out_norm = _layer_norm(state, "out_norm", cfg.norm_eps)
        self.heads = nn.ModuleList([TLinear(state.pop(f"linears.{k}.weight")) for k in range(cfg.n_q)])

    def embed(self, tokens: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        """tokens [B, K, S] (card = the pattern's empty code), pos [S] float -> [B, S, d]."""
        x = sum(self.emb[k](tokens[:, k]) for k in range(self.cfg.n_q))
        return x + self.cfg.positional_scale * sin_embedding(pos, self.cfg.dim, self.cfg.max_period)[None]

    def cross_kv(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.text_side.cross_kv(u)

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """[B, S, d] -> [B, K, S, card]."""
        return torch.stack([h(hidden) for h in self.heads], 1)

    def forward_seq(self, inp, u, text_mask, weights=None, score_scale=None):
        """inp [B, K, S] (step s holds the pattern at s - 1), U [B, L, d], text_mask [B, L] ->
        e [B, S, d], the final hidden state after out_norm."""
        s = inp.shape[2]
        x = self.embed(inp, torch.arange(s, dtype=torch.float32))
        causal = torch.triu(torch.full((s, s), NEG), 1)
        ck, cv = self.cross_kv(u)
        text_bias = (1.0 - text_mask) * NEG
        for i, layer in enumerate(self.layers):
            x, _, _ = layer(x, causal, None, None, ck[i], cv[i], text_bias, weights, score_scale)
        return self.out_norm(x)

    def step(self, tokens, pos, cache_k, cache_v, ck, cv, text_mask, token_weights):
        """lm_step's contract. tokens [B, K]; pos [] float, the step (= the cache positions filled);
        cache_k/v [layers, B, H, C, dh], a fixed-capacity cache whose positions >= pos are ignored (they
        must be finite); ck/cv [layers, B, H, L, dh]; text_mask / token_weights [B, L] -> logits
        [B, K, card] and this step's keys/values [layers, B, H, 1, dh], which the caller writes into the
        cache at position pos."""
        x = self.embed(tokens[:, :, None], pos.reshape(1))
        text_bias = (1.0 - text_mask) * NEG
        self_bias = (torch.arange(cache_k.shape[3], dtype=torch.float32) >= pos).float() * NEG
        w = token_weights[:, None, :]
        new_k, new_v = [], []
        for i, layer in enumerate(self.layers):
            x, k, v = layer.forward_one(x, cache_k[i], cache_v[i], self_bias, ck[i], cv[i], text_bias, w)
            new_k.append(k)
            new_v.append(v)
        return self.logits(self.out_norm(x))[:, :, 0], torch.stack(new_k), torch.stack(new_v)

    def probe(self, inp, u, text_mask, score_scale, targets):
        """Per-step cross-entropy of `targets` summed over codebooks [B, S] (card = not scored) and the
        cross-attention averaged over layers and heads [B, S, L]: the forward-only baselines' pass."""
        hidden = self.forward_seq(inp, u, text_mask, None, score_scale)
        logp = torch.log_softmax(self.logits(hidden), -1)
        valid = (targets != self.cfg.card).float()
        picked = torch.gather(logp, 3, torch.clamp(targets, max=self.cfg.card - 1).unsqueeze(3)).squeeze(3)
        attention = torch.stack([layer.last_cross_attention.mean(1) for layer in self.layers]).mean(0)
        return -(picked * valid).sum(1), attention
