"""Every tensor name and shape a config implies, and a readable diff against what a checkpoint holds.

The names are audiocraft's (LMModel, SEANet EnCodec) and transformers' (T5 encoder); the shapes
follow their constructors (audiocraft/models/lm.py, modules/transformer.py, modules/seanet.py,
quantization/core_vq.py). A checkpoint converts only when it matches exactly: a missing, extra or
differently shaped tensor means the config and the weights disagree, and guessing would give a model
that runs and is silently wrong.
"""
from __future__ import annotations

import math

Spec = dict  # name -> tuple of ints, in a stable order

DESC = "condition_provider.conditioners.description.output_proj"


def lm_spec(cfg: dict) -> Spec:
    d, f, card, n_q = cfg["dim"], cfg["ffn_dim"], cfg["card"], cfg["n_q"]
    if cfg.get("text_dim") is None:
        raise ValueError("the LM config has no text width (unknown T5 name and no output_proj to read it from)")
    s: Spec = {}
    for k in range(n_q):
        s[f"emb.{k}.weight"] = (card + 1, d)  # + 1: the delay pattern's empty code
    for i in range(cfg["num_layers"]):
        p = f"transformer.layers.{i}"
        s[f"{p}.self_attn.in_proj_weight"] = (3 * d, d)
        s[f"{p}.self_attn.out_proj.weight"] = (d, d)
        s[f"{p}.linear1.weight"] = (f, d)
        s[f"{p}.linear2.weight"] = (d, f)
        s[f"{p}.cross_attention.in_proj_weight"] = (3 * d, d)
        s[f"{p}.cross_attention.out_proj.weight"] = (d, d)
        for norm in ("norm_cross", "norm1", "norm2"):
            s[f"{p}.{norm}.weight"] = (d,)
            s[f"{p}.{norm}.bias"] = (d,)
    s["out_norm.weight"] = (d,)
    s["out_norm.bias"] = (d,)
    for k in range(n_q):
        s[f"linears.{k}.weight"] = (card, d)
    s[f"{DESC}.weight"] = (d, cfg["text_dim"])
    s[f"{DESC}.bias"] = (d,)
    return s


def _conv(s: Spec, prefix: str, c_in: int, c_out: int, k: int, norm: str, transpose: bool = False) -> None:
    # weight_norm(dim=0) keeps g with the weight's first dimension: out for Conv1d, in for ConvTranspose1d
    shape = (c_in, c_out, k) if transpose else (c_out, c_in, k)
    if norm == "weight_norm":
        s[f"{prefix}.weight_g"] = (shape[0], 1, 1)
        s[f"{prefix}.weight_v"] = shape
    else:
        s[f"{prefix}.weight"] = shape
    s[f"{prefix}.bias"] = (c_out,)


def _lstm(s: Spec, prefix: str, dim: int, layers: int) -> None:
    for layer in range(layers):
        s[f"{prefix}.weight_ih_l{layer}"] = (4 * dim, dim)
        s[f"{prefix}.weight_hh_l{layer}"] = (4 * dim, dim)
        s[f"{prefix}.bias_ih_l{layer}"] = (4 * dim,)
        s[f"{prefix}.bias_hh_l{layer}"] = (4 * dim,)


def _resblock(s: Spec, prefix: str, dim: int, cfg: dict) -> None:
    hidden = dim // cfg["compress"]
    _conv(s, f"{prefix}.block.1.conv.conv", dim, hidden, cfg["residual_kernel_size"], cfg["norm"])
    _conv(s, f"{prefix}.block.3.conv.conv", hidden, dim, 1, cfg["norm"])
    if not cfg["true_skip"]:
        _conv(s, f"{prefix}.shortcut.conv.conv", dim, dim, 1, cfg["norm"])


def codec_spec(cfg: dict) -> Spec:
    """audiocraft's EncodecModel state dict (SEANetEncoder, SEANetDecoder, ResidualVectorQuantizer)."""
    s: Spec = {}
    nf, norm, ratios = cfg["n_filters"], cfg["norm"], cfg["ratios"]
    # encoder: ratios reversed, channels doubling
    i, mult = 0, 1
    _conv(s, f"encoder.model.{i}.conv.conv", cfg["channels"], nf, cfg["kernel_size"], norm)
    i += 1
    for ratio in reversed(ratios):
        for _ in range(cfg["n_residual_layers"]):
            _resblock(s, f"encoder.model.{i}", mult * nf, cfg)
            i += 1
        i += 1  # ELU
        _conv(s, f"encoder.model.{i}.conv.conv", mult * nf, mult * nf * 2, ratio * 2, norm)
        i += 1
        mult *= 2
    if cfg["lstm"]:
        _lstm(s, f"encoder.model.{i}.lstm", mult * nf, cfg["lstm"])
        i += 1
    i += 1  # ELU
    _conv(s, f"encoder.model.{i}.conv.conv", mult * nf, cfg["dimension"], cfg["last_kernel_size"], norm)
    # decoder: ratios as given, channels halving
    i, mult = 0, 2 ** len(ratios)
    _conv(s, f"decoder.model.{i}.conv.conv", cfg["dimension"], mult * nf, cfg["kernel_size"], norm)
    i += 1
    if cfg["lstm"]:
        _lstm(s, f"decoder.model.{i}.lstm", mult * nf, cfg["lstm"])
        i += 1
    for ratio in ratios:
        i += 1  # ELU
        _conv(s, f"decoder.model.{i}.convtr.convtr", mult * nf, mult * nf // 2, ratio * 2, norm, transpose=True)
        i += 1
        for _ in range(cfg["n_residual_layers"]):
            _resblock(s, f"decoder.model.{i}", mult * nf // 2, cfg)
            i += 1
        mult //= 2
    i += 1  # ELU
    _conv(s, f"decoder.model.{i}.conv.conv", nf, cfg["channels"], cfg["last_kernel_size"], norm)
    for q in range(cfg["n_q"]):
        p = f"quantizer.vq.layers.{q}._codebook"
        s[f"{p}.inited"] = (1,)
        s[f"{p}.cluster_size"] = (cfg["bins"],)
        s[f"{p}.embed"] = (cfg["bins"], cfg["dimension"])
        s[f"{p}.embed_avg"] = (cfg["bins"], cfg["dimension"])
    return s


def t5_encoder_spec(cfg: dict) -> Spec:
    """transformers' T5 encoder (T5EncoderModel's names; a T5ForConditionalGeneration file adds decoder.*)."""
    d, kv, ff, heads = cfg["d_model"], cfg["d_kv"], cfg["d_ff"], cfg["num_heads"]
    inner = kv * heads
    gated = str(cfg.get("feed_forward_proj", "relu")).startswith("gated-")
    s: Spec = {"shared.weight": (cfg["vocab_size"], d)}
    for i in range(cfg["num_layers"]):
        p = f"encoder.block.{i}.layer"
        for w, shape in (("q", (inner, d)), ("k", (inner, d)), ("v", (inner, d)), ("o", (d, inner))):
            s[f"{p}.0.SelfAttention.{w}.weight"] = shape
        if i == 0:
            s[f"{p}.0.SelfAttention.relative_attention_bias.weight"] = (cfg["relative_attention_num_buckets"], heads)
        s[f"{p}.0.layer_norm.weight"] = (d,)
        if gated:
            s[f"{p}.1.DenseReluDense.wi_0.weight"] = (ff, d)
            s[f"{p}.1.DenseReluDense.wi_1.weight"] = (ff, d)
        else:
            s[f"{p}.1.DenseReluDense.wi.weight"] = (ff, d)
        s[f"{p}.1.DenseReluDense.wo.weight"] = (d, ff)
        s[f"{p}.1.layer_norm.weight"] = (d,)
    s["encoder.final_layer_norm.weight"] = (d,)
    return s


def count(spec: Spec) -> int:
    return sum(math.prod(shape) for shape in spec.values())


def diff(expected: Spec, actual: dict, what: str, limit: int = 12) -> list[str]:
    """One line per problem (missing, unexpected, wrong shape), at most `limit` of each kind, plus totals."""
    missing = [n for n in expected if n not in actual]
    extra = [n for n in actual if n not in expected]
    wrong = [n for n in expected if n in actual and tuple(actual[n]) != tuple(expected[n])]
    lines = []
    for label, names, show in (("missing", missing, lambda n: f"{n} {list(expected[n])}"),
                               ("unexpected", extra, lambda n: f"{n} {list(actual[n])}"),
                               ("wrong shape", wrong, lambda n: f"{n}: expected {list(expected[n])}, found {list(actual[n])}")):
        for n in names[:limit]:
            lines.append(f"  {label}: {show(n)}")
        if len(names) > limit:
            lines.append(f"  ... and {len(names) - limit} more {label}")
    if lines:
        lines.insert(0, f"{what}: {len(missing)} missing, {len(extra)} unexpected, {len(wrong)} of wrong shape "
                        f"(of {len(expected)} expected tensors)")
    return lines
