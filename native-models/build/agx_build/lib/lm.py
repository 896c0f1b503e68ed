"""The AudioGen-shaped language model: a text encoder and a decoder-only transformer over codec tokens.

Every decoder layer has causal self-attention, cross-attention to the text vectors U and an MLP
(pre-norm). The K codebooks are interleaved with the delay pattern: at LM step s, codebook k holds
frame s - k, so T frames take T + K - 1 steps. `weights` [B, S, L] multiply the cross-attention
probabilities after the softmax (no renormalisation): token weights for editing, masks for
explanations. `score_scale` [B, S, L] multiplies the pre-softmax scores (AtMan).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD_ID, UNK_ID, NULL_ID = 0, 1, 2
NEG = -1e9


@dataclass
class LMConfig:
    vocab_size: int
    d: int = 256
    heads: int = 4
    layers: int = 4
    text_layers: int = 2
    ffn: int = 1024
    n_codebooks: int = 4
    card: int = 256
    max_text: int = 32

    def to_dict(self) -> dict:
        return asdict(self)


def sinusoid(pos: torch.Tensor, d: int) -> torch.Tensor:
    """pos [...] float -> [..., d]."""
    i = torch.arange(d // 2, dtype=torch.float32)
    freq = torch.exp(-math.log(10000.0) * 2 * i / d)
    ang = pos[..., None] * freq
    return torch.cat([torch.sin(ang), torch.cos(ang)], -1)


class TextEncoder(nn.Module):
    def __init__(self, cfg: LMConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.emb = nn.Embedding(cfg.vocab_size, cfg.d)
        # nn.TransformerEncoderLayer only as a container of weights; forward() writes attention out
        self.layers = nn.ModuleList([
            nn.TransformerEncoderLayer(cfg.d, cfg.heads, cfg.ffn, dropout=0.0, activation="gelu",
                                       batch_first=True, norm_first=True)
            for _ in range(cfg.text_layers)])
        self.norm = nn.LayerNorm(cfg.d)

    def forward(self, ids: torch.Tensor, text_mask: torch.Tensor) -> torch.Tensor:
        """ids [B, L] int64, text_mask [B, L] float (1 = token) -> U [B, L, d]."""
        pos = torch.arange(ids.shape[1], dtype=torch.float32)
        x = self.emb(ids) + sinusoid(pos, self.cfg.d)[None]
        bias = ((1.0 - text_mask) * NEG)[:, None, None, :]
        for layer in self.layers:
            h = layer.norm1(x)
            x = x + _mha(h, h, layer.self_attn, bias, self.cfg.heads)
            x = x + layer.linear2(F.gelu(layer.linear1(layer.norm2(x))))
        return self.norm(x)


def _mha(q_in: torch.Tensor, kv_in: torch.Tensor, attn: nn.MultiheadAttention, bias: torch.Tensor,
         heads: int) -> torch.Tensor:
    """Multi-head attention with nn.MultiheadAttention's weights, written out so it exports plainly."""
    b, lq, d = q_in.shape
    dh = d // heads
    wq, wk, wv = attn.in_proj_weight.chunk(3)
    bq, bk, bv = attn.in_proj_bias.chunk(3)
    q = F.linear(q_in, wq, bq).reshape(b, lq, heads, dh).transpose(1, 2)
    k = F.linear(kv_in, wk, bk).reshape(b, -1, heads, dh).transpose(1, 2)
    v = F.linear(kv_in, wv, bv).reshape(b, -1, heads, dh).transpose(1, 2)
    p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh) + bias, -1)
    return attn.out_proj((p @ v).transpose(1, 2).reshape(b, lq, d))


class DecoderLayer(nn.Module):
    def __init__(self, cfg: LMConfig) -> None:
        super().__init__()
        d = cfg.d
        self.heads = cfg.heads
        self.trace_attention = False
        self.norm_self = nn.LayerNorm(d)
        # separate q/k/v (no chunk): the backward of a split traces to slice_backward, which has no ONNX export
        self.self_q = nn.Linear(d, d)
        self.self_k = nn.Linear(d, d)
        self.self_v = nn.Linear(d, d)
        self.self_out = nn.Linear(d, d)
        self.norm_cross = nn.LayerNorm(d)
        self.cross_q = nn.Linear(d, d)
        self.cross_kv = nn.Linear(d, 2 * d)
        self.cross_out = nn.Linear(d, d)
        self.norm_mlp = nn.LayerNorm(d)
        self.mlp_in = nn.Linear(d, cfg.ffn)
        self.mlp_out = nn.Linear(cfg.ffn, d)

    def split(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        return x.reshape(b, n, self.heads, d // self.heads).transpose(1, 2)

    def merge(self, x: torch.Tensor) -> torch.Tensor:
        b, h, n, dh = x.shape
        return x.transpose(1, 2).reshape(b, n, h * dh)

    def cross_kv_of(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        k, v = self.cross_kv(u).chunk(2, -1)
        return self.split(k), self.split(v)

    def forward(self, x, self_bias, past_k, past_v, ck, cv, text_bias, weights, score_scale, own_step_grads=False):
        """x [B, S, d]; past_k/v [B, H, P, dh] or None; ck/cv [B, H, L, dh]; text_bias [B, L];
        weights / score_scale [B, S, L] or None. Returns x, (k, v) of self-attention incl. past.

        own_step_grads: same forward values, but gradients cannot flow from one position to a later
        one (keys and values of other positions are detached; a position's own key and value are
        not). Then the gradient of sum_t target_t w.r.t. anything at step t is d target_t / d it:
        per-step gradients for every step from one backward pass."""
        dh = x.shape[-1] // self.heads
        h = self.norm_self(x)
        q, k, v = self.split(self.self_q(h)), self.split(self.self_k(h)), self.split(self.self_v(h))
        if past_k is not None:
            k = torch.cat([past_k, k], 2)
            v = torch.cat([past_v, v], 2)
        if own_step_grads:
            kd, vd = k.detach(), v.detach()
            own = (q * k).sum(-1) - (q * kd).sum(-1)  # zero, but carries the diagonal's gradient
            eye = torch.eye(k.shape[2])
            scores = (q @ kd.transpose(-1, -2) + eye * own.unsqueeze(-1)) / math.sqrt(dh)
        else:
            scores = q @ k.transpose(-1, -2) / math.sqrt(dh)
        if self_bias is not None:
            scores = scores + self_bias
        attn = torch.softmax(scores, -1)
        if self.trace_attention:  # x 1 through a leaf: the map enters the autograd graph even where no input does
            attn = attn * torch.ones((), requires_grad=True)
        self.last_self_attention = attn  # read by AudioLM.chefer; [B, H, S, S]
        if own_step_grads:
            diag = (attn * torch.eye(k.shape[2])).sum(-1, keepdim=True)
            out = attn @ vd + diag * (v - vd)
        else:
            out = attn @ v
        x = x + self.self_out(self.merge(out))
        cq = self.split(self.cross_q(self.norm_cross(x)))
        cs = cq @ ck.transpose(-1, -2) / math.sqrt(dh)
        if score_scale is not None:
            cs = cs * score_scale.unsqueeze(1)
        p = torch.softmax(cs + text_bias[:, None, None, :], -1)
        self.last_cross_attention = p  # read by AudioLM.probe / gradcam (baselines); [B, H, S, L]
        if weights is not None:
            p = p * weights.unsqueeze(1)  # not weights[:, None]: its backward (slice_backward) has no ONNX export
        self.last_cross_output = self.merge(p @ cv)  # [B, S, d], before the output projection
        x = x + self.cross_out(self.last_cross_output)
        x = x + self.mlp_out(F.gelu(self.mlp_in(self.norm_mlp(x))))
        return x, k, v

    def forward_one(self, x, cache_k, cache_v, self_bias, ck, cv, text_bias, weights):
        """forward() for one new position, as generation's lm_step runs it: x [B, d]; cache_k/v
        [B, H, C, dh], a fixed-capacity cache whose positions from the current one on are masked by
        self_bias [C] (0 or NEG); ck/cv [B, H, L, dh]; text_bias / weights [B, 1, 1, L]. Returns x and
        this position's key and value [B, H, 1, dh] only. Same values as forward(); written apart
        because with one query position the head split is a plain reshape (no transpose) and every
        shape is a constant, which takes the exported step from 878 to 276 nodes. The new key and value
        are attended to beside the cache, not concatenated into it, so no step copies the cache."""
        b_d = x.shape[-1]
        dh = b_d // self.heads
        scale = 1.0 / math.sqrt(dh)
        h = self.norm_self(x)
        q = self.self_q(h).reshape(-1, self.heads, 1, dh)
        k = self.self_k(h).reshape(-1, self.heads, 1, dh)
        v = self.self_v(h).reshape(-1, self.heads, 1, dh)
        scores = torch.cat([q @ cache_k.transpose(-1, -2) * scale + self_bias, q @ k.transpose(-1, -2) * scale], -1)
        attn = torch.softmax(scores, -1)
        x = x + self.self_out((attn[..., :-1] @ cache_v + attn[..., -1:] * v).reshape(-1, b_d))
        cq = self.cross_q(self.norm_cross(x)).reshape(-1, self.heads, 1, dh)
        p = torch.softmax(cq @ ck.transpose(-1, -2) * scale + text_bias, -1) * weights
        x = x + self.cross_out((p @ cv).reshape(-1, b_d))
        x = x + self.mlp_out(F.gelu(self.mlp_in(self.norm_mlp(x))))
        return x, k, v


class AudioLM(nn.Module):
    def __init__(self, cfg: LMConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.text = TextEncoder(cfg)
        self.code_emb = nn.ModuleList([nn.Embedding(cfg.card + 1, cfg.d) for _ in range(cfg.n_codebooks)])
        self.layers = nn.ModuleList([DecoderLayer(cfg) for _ in range(cfg.layers)])
        self.norm = nn.LayerNorm(cfg.d)
        self.heads = nn.ModuleList([nn.Linear(cfg.d, cfg.card) for _ in range(cfg.n_codebooks)])

    # -- shared pieces
    def embed(self, tokens: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        """tokens [B, K, S] (card = special), pos [S] float -> [B, S, d]."""
        x = sum(self.code_emb[k](tokens[:, k]) for k in range(self.cfg.n_codebooks))
        return x + sinusoid(pos, self.cfg.d)[None]

    def cross_kv(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """U [B, L, d] -> per-layer cross keys and values, each [layers, B, H, L, dh]."""
        ks, vs = zip(*(layer.cross_kv_of(u) for layer in self.layers))
        return torch.stack(ks), torch.stack(vs)

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """[B, S, d] -> [B, K, S, card]."""
        return torch.stack([h(hidden) for h in self.heads], 1)

    # -- full sequence (training, teacher forcing, explanation)
    def forward_seq(self, inp: torch.Tensor, u: torch.Tensor, text_mask: torch.Tensor,
                    weights: torch.Tensor | None = None, score_scale: torch.Tensor | None = None,
                    own_step_grads: bool = False) -> torch.Tensor:
        """inp [B, K, S] input tokens (step s holds the pattern at s - 1) -> final hidden e [B, S, d]."""
        s = inp.shape[2]
        x = self.embed(inp, torch.arange(s, dtype=torch.float32))
        causal = torch.triu(torch.full((s, s), NEG), 1)
        ck, cv = self.cross_kv(u)
        text_bias = (1.0 - text_mask) * NEG
        for i, layer in enumerate(self.layers):
            x, _, _ = layer(x, causal, None, None, ck[i], cv[i], text_bias, weights, score_scale, own_step_grads)
        return self.norm(x)

    def probe(self, inp, u, text_mask, score_scale, targets):
        """Forward pass for the forward-only baselines: per-step cross-entropy of `targets` (the delay
        pattern, card = not scored) summed over codebooks [B, S], and the cross-attention averaged over
        layers and heads [B, S, L]."""
        hidden = self.forward_seq(inp, u, text_mask, None, score_scale)
        logits = self.logits(hidden)  # [B, K, S, card]
        valid = (targets != self.cfg.card).float()
        logp = torch.log_softmax(logits, -1)
        picked = torch.gather(logp, 3, torch.clamp(targets, max=self.cfg.card - 1).unsqueeze(3)).squeeze(3)
        ce = -(picked * valid).sum(1)
        attention = torch.stack([layer.last_cross_attention.mean(1) for layer in self.layers]).mean(0)
        return ce, attention

    def gradcam(self, inp, u, text_mask, targets):
        """Grad-CAM baselines with per-step targets: y_t = sum over codebooks of log p(target) at step t.
        Returns (gradcam_a [B, S, L], gradcam_e [B, S, L]), both on the last layer (Grad-CAM's last
        convolutional layer; O = its cross-attention output before the projection, P its attention map):
        - a: Grad-CAM (Selvaraju et al., 2017) with the text tokens as the positions: gradcam_map below;
        - e: mean over heads of ReLU(d y_t / d P[t, i] x P[t, i])."""
        u = u.detach().requires_grad_(True)  # weights are frozen: this puts the attention in the autograd graph
        hidden = self.forward_seq(inp, u, text_mask, None, None, own_step_grads=True)
        logp = torch.log_softmax(self.logits(hidden), -1)
        # one-hot by comparison, not gather: gather's backward (scatter) is avoided in the traced graph
        onehot = torch.where(targets.unsqueeze(-1) == torch.arange(self.cfg.card), torch.ones(()), torch.zeros(()))
        y = (logp * onehot).sum()
        last = self.layers[-1]
        grad_out, grad_map = torch.autograd.grad(y, [last.last_cross_output, last.last_cross_attention])
        _, cv = last.cross_kv_of(u)
        a = gradcam_map(grad_out, last.last_cross_attention, cv)
        e = torch.relu(grad_map * last.last_cross_attention).mean(1)
        return a, e

    def chefer(self, inp, u, text_mask, targets, first=None, chunk=None):
        """Chefer et al. (2021) relevance for encoder-decoder attention, one target per step.

        inp / targets [1, K, S]. The batch is one copy of the sequence per explained step; copy b scores
        only its step's own codes, so its gradients are exactly those of that target. Per copy, through
        the decoder layers:
          self-attention:  R_qq += A R_qq;  R_qt += A R_qt     with A = mean_h (grad * attn)^+
          cross-attention: R_qt += normalised(R_qq)^T A_cross  (the text side starts at U: R_tt = I)
        Returns the relevance of each step's row [1, S, L]; with `first` ([1] int64, a tensor so the
        exported graph takes it as an input) and `chunk`, only steps first .. first + chunk - 1 [1, chunk, L]
        (steps past S give zeros): the copies are independent, so a caller looping over chunks gets the
        same rows with a working set chunk / S the size (all S copies at once peaked at 1.7 GB)."""
        _, k, s = inp.shape
        eye = torch.eye(s)
        if first is None:
            rows = eye  # rows[b, t]: copy b explains step t
        else:
            wanted = first.reshape(1, 1) + torch.arange(chunk).unsqueeze(1)  # [chunk, 1]
            rows = torch.where(torch.arange(s).unsqueeze(0) == wanted, torch.ones(()), torch.zeros(()))
        copies = rows.shape[0]
        u = u.detach().requires_grad_(True)  # frozen weights: this puts the attention in the autograd graph
        inp_b = inp.expand(copies, -1, -1)
        for layer in self.layers:
            layer.trace_attention = True
        try:
            hidden = self.forward_seq(inp_b, u.expand(copies, -1, -1), text_mask.expand(copies, -1))
        finally:
            for layer in self.layers:
                layer.trace_attention = False
        logp = torch.log_softmax(self.logits(hidden), -1)  # [S, K, S, card]
        onehot = torch.where(targets.unsqueeze(-1) == torch.arange(self.cfg.card), torch.ones(()), torch.zeros(()))
        own = rows.unsqueeze(1).unsqueeze(-1)  # copy b scores its own step only: [copies, 1, S, 1]
        y = (logp * onehot * own).sum()
        self_maps = [layer.last_self_attention for layer in self.layers]
        cross_maps = [layer.last_cross_attention for layer in self.layers]
        grads = torch.autograd.grad(y, self_maps + cross_maps)
        n = len(self.layers)
        # R_qq starts as I and R_qt as 0; both are built up without materialising [S, S, S] constants
        r_qq = None
        r_qt = None
        for i in range(n):
            a_self = torch.relu(grads[i] * self_maps[i]).mean(1)  # [copies, S, S]
            r_qq = eye + a_self if r_qq is None else r_qq + a_self @ r_qq
            if r_qt is not None:
                r_qt = r_qt + a_self @ r_qt
            a_cross = torch.relu(grads[n + i] * cross_maps[i]).mean(1)  # [copies, S, L]
            off = r_qq - eye
            r_bar = off / torch.clamp(off.sum(-1, keepdim=True), min=1e-9) + eye
            step = r_bar.transpose(1, 2) @ a_cross
            r_qt = step if r_qt is None else r_qt + step
        return (r_qt * rows.unsqueeze(-1)).sum(1).unsqueeze(0)  # copy b's own step's row

    # -- one step with a KV cache (generation)
    def step_cached(self, tokens, pos, cache_k, cache_v, ck, cv, text_mask, weights):
        """lm_step's contract. tokens [B, K]; pos [] float, the step (= the cache positions filled);
        cache_k/v [layers, B, H, C, dh], a fixed-capacity cache whose positions >= pos are ignored (they
        must be finite; the engine keeps them zero); ck/cv [layers, B, H, L, dh]; text_mask / weights
        [B, L] -> logits [B, K, card] and this step's keys/values [layers, B, H, 1, dh], which the
        caller writes into the cache at position pos."""
        x = self.code_emb[0](tokens[:, 0])
        for k in range(1, self.cfg.n_codebooks):
            x = x + self.code_emb[k](tokens[:, k])
        x = x + sinusoid(pos.reshape(1), self.cfg.d)  # [B, d]
        text_bias = ((1.0 - text_mask) * NEG)[:, None, None, :]
        self_bias = (torch.arange(cache_k.shape[3], dtype=torch.float32) >= pos).float() * NEG
        w = weights[:, None, None, :]
        new_k, new_v = [], []
        for i, layer in enumerate(self.layers):
            x, k, v = layer.forward_one(x, cache_k[i], cache_v[i], self_bias, ck[i], cv[i], text_bias, w)
            new_k.append(k)
            new_v.append(v)
        # the K heads as one matrix product (ONNX Runtime folds the concatenation at load)
        head_w = torch.cat([h.weight for h in self.heads], 0)
        head_b = torch.cat([h.bias for h in self.heads], 0)
        logits = F.linear(self.norm(x), head_w, head_b).reshape(-1, self.cfg.n_codebooks, self.cfg.card)
        return logits, torch.stack(new_k), torch.stack(new_v)

    def step(self, tokens, pos, past_k, past_v, ck, cv, text_mask, weights):
        """step_cached with a cache that grows, for Python loops (fixtures, evaluate): past_k/v
        [layers, B, H, pos, dh] -> logits, present k/v [layers, B, H, pos + 1, dh]."""
        logits, k, v = self.step_cached(tokens, pos, past_k, past_v, ck, cv, text_mask, weights)
        return logits, torch.cat([past_k, k], 3), torch.cat([past_v, v], 3)


def gradcam_map(grad, attn, values):
    """Grad-CAM on a cross-attention output, the text tokens as its positions.

    grad [B, S, d] = d y_t / d O_t; attn [B, H, S, L]; values [B, H, L, dh]; channel c of O belongs to head
    c // dh. Token i's activation in channel c is A_i^c = P[h(c), t, i] V[h(c), i, c mod dh] (O^c = sum_i A_i^c).
    Grad-CAM's channel weight is the gradient averaged over positions, (1/L) sum_i dy/dA_i^c = dy/dO^c, and
    the map is ReLU(sum_c weight_c A_i^c) -> [B, S, L]."""
    b, s, d = grad.shape
    heads, dh = attn.shape[1], values.shape[-1]
    g = grad.reshape(b, s, heads, dh).transpose(1, 2)  # [B, H, S, dh]
    return torch.relu(torch.einsum("bhsc,bhsl,bhlc->bsl", g, attn, values))


# -------------------------------------------------------------- delay pattern

def build_pattern(codes: torch.Tensor, card: int) -> torch.Tensor:
    """codes [B, K, T] -> pattern [B, K, T + K - 1], codebook k shifted right by k (card = empty)."""
    b, k, t = codes.shape
    out = torch.full((b, k, t + k - 1), card, dtype=codes.dtype)
    for i in range(k):
        out[:, i, i:i + t] = codes[:, i]
    return out


def lm_input(pattern: torch.Tensor, card: int) -> torch.Tensor:
    """The LM input at step s is the pattern at s - 1; step 0 sees the special token."""
    start = torch.full_like(pattern[:, :, :1], card)
    return torch.cat([start, pattern[:, :, :-1]], 2)


def unpattern(pattern: torch.Tensor, t: int) -> torch.Tensor:
    k = pattern.shape[1]
    return torch.stack([pattern[:, i, i:i + t] for i in range(k)], 1)
