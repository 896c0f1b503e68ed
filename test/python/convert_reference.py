"""An independent float64 NumPy reference of what audiocraft and transformers compute, for the tests.

Written for test/node/convert-modules.test.ts from the upstream sources' behaviour, not from
native-models/convert/agx_convert/modules/: it reads the checkpoints' own tensors (audiocraft and
transformers names and layouts, weight norm unfolded) and spells every step out with loops and
plain matrix products, so a wrong transpose, bucket, padding or gate order in the converter shows
up as a mismatch against the exported ONNX graphs.
"""
from __future__ import annotations

import math

import numpy as np

erf = np.vectorize(math.erf)


def arr(t) -> np.ndarray:
    return t.detach().double().numpy() if hasattr(t, "detach") else np.asarray(t, dtype=np.float64)


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def layer_norm(x, w, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


# ------------------------------------------------------------------ T5 (transformers' modeling_t5)

def t5_bucket(rel: int, num_buckets: int, max_distance: int) -> int:
    """One relative position (key - query), bidirectional, as _relative_position_bucket does it."""
    half = num_buckets // 2
    bucket = half if rel > 0 else 0
    n = abs(rel)
    max_exact = half // 2
    if n < max_exact:
        return bucket + n
    large = max_exact + int(math.log(n / max_exact) / math.log(max_distance / max_exact) * (half - max_exact))
    return bucket + min(large, half - 1)


def gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def t5_encoder(w: dict, cfg: dict, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """ids [B, L], mask [B, L] -> last hidden state [B, L, d_model]. Feed-forward: relu (t5-base/large),
    or "gated-gelu" (T5 v1.1 / flan): wo(gelu_tanh(wi_0 x) * wi_1 x)."""
    g = lambda k: arr(w[k])  # noqa: E731
    heads, dk = cfg["num_heads"], cfg["d_kv"]
    b, n = ids.shape
    x = g("shared.weight")[ids]
    rel_w = g("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight")
    bias = np.zeros((heads, n, n))
    for q in range(n):
        for k in range(n):
            bias[:, q, k] = rel_w[t5_bucket(k - q, cfg["relative_attention_num_buckets"], cfg["relative_attention_max_distance"])]
    rms = lambda x, wt: wt * x / np.sqrt((x * x).mean(-1, keepdims=True) + cfg["layer_norm_epsilon"])  # noqa: E731
    out = np.zeros_like(x)
    for r in range(b):
        h = x[r]
        for i in range(cfg["num_layers"]):
            p = f"encoder.block.{i}.layer"
            y = rms(h, g(f"{p}.0.layer_norm.weight"))
            q, k, v = (y @ g(f"{p}.0.SelfAttention.{n_}.weight").T for n_ in "qkv")
            att = np.zeros((n, heads * dk))
            for hd in range(heads):
                sl = slice(hd * dk, (hd + 1) * dk)
                s = q[:, sl] @ k[:, sl].T + bias[hd] + np.where(mask[r] > 0, 0.0, -1e9)[None, :]
                att[:, sl] = softmax(s) @ v[:, sl]
            h = h + att @ g(f"{p}.0.SelfAttention.o.weight").T
            y = rms(h, g(f"{p}.1.layer_norm.weight"))
            if cfg.get("feed_forward_proj", "relu") == "gated-gelu":
                ff = gelu_tanh(y @ g(f"{p}.1.DenseReluDense.wi_0.weight").T) * (y @ g(f"{p}.1.DenseReluDense.wi_1.weight").T)
            else:
                ff = np.maximum(y @ g(f"{p}.1.DenseReluDense.wi.weight").T, 0)
            h = h + ff @ g(f"{p}.1.DenseReluDense.wo.weight").T
        out[r] = rms(h, g("encoder.final_layer_norm.weight"))
    return out


# ------------------------------------------------------------------ audiocraft LMModel

DESC = "condition_provider.conditioners.description.output_proj"


def condition(w: dict, t5_hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """T5Conditioner.forward: output_proj, then zero where the mask is 0."""
    return (t5_hidden @ arr(w[f"{DESC}.weight"]).T + arr(w[f"{DESC}.bias"])) * mask[..., None]


def sin_embedding(pos: np.ndarray, dim: int, max_period: float = 10000.0) -> np.ndarray:
    half = dim // 2
    out = np.zeros((len(pos), dim))
    for p_i, p in enumerate(pos):
        for c in range(half):
            phase = p / max_period ** (c / (half - 1))
            out[p_i, c] = math.cos(phase)
            out[p_i, half + c] = math.sin(phase)
    return out


def lm_forward(w: dict, cfg: dict, seq: np.ndarray, u: np.ndarray, weights: np.ndarray | None = None):
    """seq [K, S] one row's input codes, U [L, d] -> (hidden after out_norm [S, d], logits [K, S, card]).
    weights [S, L] multiply the cross-attention probabilities (None: 1)."""
    g = lambda k: arr(w[k])  # noqa: E731
    d, heads = cfg["dim"], cfg["num_heads"]
    dh = d // heads
    k_, s = seq.shape
    x = sum(g(f"emb.{k}.weight")[seq[k]] for k in range(k_)) + sin_embedding(np.arange(s), d)
    for i in range(cfg["num_layers"]):
        p = f"transformer.layers.{i}"
        h = layer_norm(x, g(f"{p}.norm1.weight"), g(f"{p}.norm1.bias"))
        wq, wk, wv = np.split(g(f"{p}.self_attn.in_proj_weight"), 3)
        q, k, v = h @ wq.T, h @ wk.T, h @ wv.T
        att = np.zeros((s, d))
        for hd in range(heads):
            sl = slice(hd * dh, (hd + 1) * dh)
            sc = q[:, sl] @ k[:, sl].T / math.sqrt(dh)
            sc = sc + np.triu(np.full((s, s), -np.inf), 1)
            att[:, sl] = softmax(sc) @ v[:, sl]
        x = x + att @ g(f"{p}.self_attn.out_proj.weight").T
        h = layer_norm(x, g(f"{p}.norm_cross.weight"), g(f"{p}.norm_cross.bias"))
        wq, wk, wv = np.split(g(f"{p}.cross_attention.in_proj_weight"), 3)
        q, k, v = h @ wq.T, u @ wk.T, u @ wv.T
        att = np.zeros((s, d))
        for hd in range(heads):
            sl = slice(hd * dh, (hd + 1) * dh)
            pr = softmax(q[:, sl] @ k[:, sl].T / math.sqrt(dh))  # no padding mask: audiocraft has none
            if weights is not None:
                pr = pr * weights
            att[:, sl] = pr @ v[:, sl]
        x = x + att @ g(f"{p}.cross_attention.out_proj.weight").T
        h = layer_norm(x, g(f"{p}.norm2.weight"), g(f"{p}.norm2.bias"))
        x = x + gelu(h @ g(f"{p}.linear1.weight").T) @ g(f"{p}.linear2.weight").T
    hidden = layer_norm(x, g("out_norm.weight"), g("out_norm.bias"))
    logits = np.stack([hidden @ g(f"linears.{k}.weight").T for k in range(k_)])
    return hidden, logits


def greedy_cfg(w: dict, cfg: dict, u_cond: np.ndarray, frames: int, coef: float):
    """audiocraft's generate with use_sampling=False and CFG, recomputing the whole sequence each step.

    The delay pattern: sequence position 0 is all special (card); position p holds frame p - 1 - k in
    codebook k, special where that frame does not exist. Returns codes [K, frames], the pattern
    [K, frames + K], the guided and both raw logits per step, and the smallest top-2 margin."""
    k_, card = cfg["n_q"], cfg["card"]
    steps = frames + k_ - 1
    seq = np.full((k_, steps + 1), card, dtype=np.int64)
    u_null = np.zeros_like(u_cond)  # the null condition: an empty description with its mask zeroed
    guided, cond_all, uncond_all, margin = [], [], [], np.inf
    for s in range(steps):
        _, lc = lm_forward(w, cfg, seq[:, :s + 1], u_cond)
        _, lu = lm_forward(w, cfg, seq[:, :s + 1], u_null)
        lc, lu = lc[:, s], lu[:, s]
        z = lu + (lc - lu) * coef
        guided.append(z)
        cond_all.append(lc)
        uncond_all.append(lu)
        for k in range(k_):
            frame = s - k
            if 0 <= frame < frames:
                top = np.sort(z[k])[-2:]
                margin = min(margin, top[1] - top[0])
                seq[k, s + 1] = int(np.argmax(z[k]))
    codes = np.stack([seq[k, 1 + k:1 + k + frames] for k in range(k_)])
    return codes, seq, np.array(guided), np.array(cond_all), np.array(uncond_all), margin


def explain_loss(w: dict, cfg: dict, tokens: np.ndarray, u: np.ndarray, text_mask: np.ndarray,
                 step_mask: np.ndarray, mask: np.ndarray, reference: np.ndarray):
    """AudioGenX's loss: -sum_t cos(e_t, e_t(M)) + sum_t cos(e_t, e_t(1 - M)) over valid steps. The
    prompt is its real tokens only (text_mask 1), as generation saw it: padding to a bucket must not
    change anything."""
    real = text_mask > 0
    mf = mask[:, real]
    hf, _ = lm_forward(w, cfg, tokens, u[real], mf)
    hc, _ = lm_forward(w, cfg, tokens, u[real], 1.0 - mf)
    cos = lambda a, b: (a * b).sum(-1) / np.maximum(np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1), 1e-8)  # noqa: E731
    cf, cc = cos(hf, reference), cos(hc, reference)
    return float(((-cf + cc) * step_mask).sum()), hf, hc


# ------------------------------------------------------------------ audiocraft EnCodec (SEANet + RVQ)

def conv_weight(w: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    if f"{name}.weight_g" in w:
        g, v = arr(w[f"{name}.weight_g"]), arr(w[f"{name}.weight_v"])
        norm = np.sqrt((v ** 2).reshape(v.shape[0], -1).sum(1)).reshape(-1, 1, 1)
        return g * v / norm, arr(w[f"{name}.bias"])
    return arr(w[f"{name}.weight"]), arr(w[f"{name}.bias"])


def pad1d(x: np.ndarray, left: int, right: int, mode: str) -> np.ndarray:
    np_mode = {"reflect": "reflect", "constant": "constant", "replicate": "edge"}[mode]
    return np.pad(x, ((0, 0), (left, right)), mode=np_mode)


def conv1d(w: dict, name: str, x: np.ndarray, cfg: dict, stride: int = 1, dilation: int = 1) -> np.ndarray:
    """StreamableConv1d on one row x [C, T]."""
    wt, b = conv_weight(w, name)
    ksz = wt.shape[-1]
    eff = (ksz - 1) * dilation + 1
    total = eff - stride
    n_frames = (x.shape[-1] - eff + total) / stride + 1
    extra = (math.ceil(n_frames) - 1) * stride + (eff - total) - x.shape[-1]
    if cfg["causal"]:
        x = pad1d(x, total, extra, cfg["pad_mode"])
    else:
        right = total // 2
        x = pad1d(x, total - right, right + extra, cfg["pad_mode"])
    t_out = (x.shape[-1] - eff) // stride + 1
    y = np.zeros((wt.shape[0], t_out)) + b[:, None]
    for j in range(ksz):
        y += wt[:, :, j] @ x[:, j * dilation: j * dilation + stride * (t_out - 1) + 1: stride]
    return y


def conv_tr1d(w: dict, name: str, x: np.ndarray, cfg: dict, stride: int) -> np.ndarray:
    wt, b = conv_weight(w, name)  # [in, out, k]
    ksz = wt.shape[-1]
    t = x.shape[-1]
    y = np.zeros((wt.shape[1], (t - 1) * stride + ksz))
    for i in range(t):
        for j in range(ksz):
            y[:, i * stride + j] += wt[:, :, j].T @ x[:, i]
    y += b[:, None]
    total = ksz - stride
    right = math.ceil(total * cfg["trim_right_ratio"]) if cfg["causal"] else total // 2
    return y[:, total - right: y.shape[-1] - right]


def elu(x, alpha):
    return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))


def lstm(w: dict, name: str, x: np.ndarray, layers: int) -> np.ndarray:
    """x [C, T] -> y + x, torch's gate order (input, forget, cell, output)."""
    h_in = x.T
    for layer in range(layers):
        wih, whh = arr(w[f"{name}.weight_ih_l{layer}"]), arr(w[f"{name}.weight_hh_l{layer}"])
        bias = arr(w[f"{name}.bias_ih_l{layer}"]) + arr(w[f"{name}.bias_hh_l{layer}"])
        n = whh.shape[1]
        h, c, outs = np.zeros(n), np.zeros(n), []
        sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
        for t in range(h_in.shape[0]):
            z = wih @ h_in[t] + whh @ h + bias
            i, f, gg, o = z[:n], z[n:2 * n], z[2 * n:3 * n], z[3 * n:]
            c = sig(f) * c + sig(i) * np.tanh(gg)
            h = sig(o) * np.tanh(c)
            outs.append(h)
        h_in = np.array(outs)
    return h_in.T + x


def resblock(w, name, x, cfg, dilation):
    a = cfg["elu_alpha"]
    y = conv1d(w, f"{name}.block.1.conv.conv", elu(x, a), cfg, dilation=dilation)
    y = conv1d(w, f"{name}.block.3.conv.conv", elu(y, a), cfg)
    skip = x if cfg["true_skip"] else conv1d(w, f"{name}.shortcut.conv.conv", x, cfg)
    return skip + y


def seanet_decode(w: dict, cfg: dict, z: np.ndarray) -> np.ndarray:
    """z [D, T] -> audio [T x hop] (one row, mono)."""
    i = 0
    x = conv1d(w, f"decoder.model.{i}.conv.conv", z, cfg)
    i += 1
    if cfg["lstm"]:
        x = lstm(w, f"decoder.model.{i}.lstm", x, cfg["lstm"])
        i += 1
    for ratio in cfg["ratios"]:
        x = elu(x, cfg["elu_alpha"])
        i += 1
        x = conv_tr1d(w, f"decoder.model.{i}.convtr.convtr", x, cfg, ratio)
        i += 1
        for j in range(cfg["n_residual_layers"]):
            x = resblock(w, f"decoder.model.{i}", x, cfg, cfg["dilation_base"] ** j)
            i += 1
    x = elu(x, cfg["elu_alpha"])
    i += 1
    return conv1d(w, f"decoder.model.{i}.conv.conv", x, cfg)[0]


def seanet_encode(w: dict, cfg: dict, audio: np.ndarray) -> np.ndarray:
    """audio [N] -> z [D, N / hop]."""
    i = 0
    x = conv1d(w, f"encoder.model.{i}.conv.conv", audio[None, :], cfg)
    i += 1
    for ratio in reversed(cfg["ratios"]):
        for j in range(cfg["n_residual_layers"]):
            x = resblock(w, f"encoder.model.{i}", x, cfg, cfg["dilation_base"] ** j)
            i += 1
        x = elu(x, cfg["elu_alpha"])
        i += 1
        x = conv1d(w, f"encoder.model.{i}.conv.conv", x, cfg, stride=ratio)
        i += 1
    if cfg["lstm"]:
        x = lstm(w, f"encoder.model.{i}.lstm", x, cfg["lstm"])
        i += 1
    x = elu(x, cfg["elu_alpha"])
    i += 1
    return conv1d(w, f"encoder.model.{i}.conv.conv", x, cfg)


def rvq_decode(w: dict, codes: np.ndarray) -> np.ndarray:
    """codes [K, T] -> z [D, T]: the sum of each codebook's chosen entry."""
    return sum(arr(w[f"quantizer.vq.layers.{q}._codebook.embed"])[codes[q]] for q in range(codes.shape[0])).T


def rvq_encode(w: dict, z: np.ndarray, n_q: int) -> tuple[np.ndarray, float]:
    """z [D, T] -> codes [K, T] (nearest entry of the residual, codebook after codebook), and the
    smallest gap between the best and second-best distance (a tie would make the test meaningless)."""
    residual = z.T.copy()
    codes, gap = [], np.inf
    for q in range(n_q):
        e = arr(w[f"quantizer.vq.layers.{q}._codebook.embed"])
        dist = ((residual[:, None, :] - e[None, :, :]) ** 2).sum(-1)
        srt = np.sort(dist, -1)
        gap = min(gap, float((srt[:, 1] - srt[:, 0]).min()))
        idx = dist.argmin(-1)
        codes.append(idx)
        residual = residual - e[idx]
    return np.stack(codes), gap


# ------------------------------------------------------------------ AudioGenX's explainer epoch

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def explainer_loss(w: dict, cfg: dict, tokens, u, text_mask, step_mask, reference, token_weights, params, noise, hyper, prior):
    """One epoch's loss (docs/method.md): per-step MLP mask generators p, a binary Concrete sample M
    with the given uniform noise, factual (W M) and counterfactual (W (1 - M)) passes over the prompt's
    real tokens with the take's token weights W, L1 and L2 terms, and the null-effect prior's term;
    hyper = [alpha, beta, c_f, c_cf, gamma].
    Returns (loss, p, M, [sum cos_f, sum cos_cf, l1, l2, null_prior])."""
    w1, b1, prelu, w2, b2 = params
    alpha, beta, c_f, c_cf, gamma = hyper
    valid = step_mask[:, None] * text_mask[None, :]
    p = np.zeros(valid.shape)
    for s in range(valid.shape[0]):
        h = u @ w1[s] + b1[s]
        h = np.where(h >= 0, h, prelu[s] * h)
        p[s] = sigmoid(h @ w2[s] + b2[s])
    p = p * valid
    logit = np.log(p + 1e-7) - np.log(1 - p + 1e-7) + np.log(noise + 1e-7) - np.log(1 - noise + 1e-7)
    m = sigmoid(logit) * valid
    real = text_mask > 0
    hf, _ = lm_forward(w, cfg, tokens, u[real], (token_weights * m)[:, real])
    hc, _ = lm_forward(w, cfg, tokens, u[real], (token_weights * (1.0 - m))[:, real])
    cos = lambda a, b: (a * b).sum(-1) / np.maximum(np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1), 1e-8)  # noqa: E731
    cf, cc = (cos(hf, reference) * step_mask).sum(), (cos(hc, reference) * step_mask).sum()
    l1, l2 = np.abs(p).sum(), math.sqrt((p * p).sum() + 1e-12)
    null_prior = (p * (1.0 - prior)).sum()
    return float(-c_f * cf + c_cf * cc + alpha * l1 + beta * l2 + gamma * null_prior), p, m, [cf, cc, l1, l2, null_prior]
