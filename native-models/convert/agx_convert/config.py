"""Configs: audiocraft's xp.cfg and transformers' config.json, read into the plain dicts the converter uses.

xp.cfg is the Hydra config dumped at training time. It keeps `${...}` interpolations unresolved, and
some cannot resolve outside the training machine (`${oc.env:USER}`, `${dora.dir}`), so the YAML is
read without resolving anything: a value we need that is a plain reference (`${sample_rate}`) is
followed through the tree, and one that needs a resolver is an error naming the key; every other
value is left alone. What the weights do not say (head count, padding mode, CFG coefficient, the
T5 encoder) comes only from here; nothing is guessed.
"""
from __future__ import annotations

import math
import re

from omegaconf import OmegaConf

PLAIN_REF = re.compile(r"^\$\{([A-Za-z_][\w.]*)\}$")
DEFAULT_LICENCE = "CC-BY-NC-4.0"


class ConfigError(ValueError):
    pass


def parse_xp_cfg(text: str) -> dict:
    """The YAML as nested dicts and lists, interpolations kept as written."""
    if not isinstance(text, str):
        raise ConfigError("xp.cfg is not a YAML string (was the checkpoint exported with audiocraft's export tools?)")
    try:
        return OmegaConf.to_container(OmegaConf.create(text), resolve=False)
    except Exception as e:  # omegaconf raises its own hierarchy for every YAML problem
        raise ConfigError(f"xp.cfg is not valid YAML ({type(e).__name__}: {e})") from None


_MISSING = object()


def lookup(tree: dict, key: str, default=_MISSING, _seen: tuple = ()):
    """tree's value at a dotted key, following plain `${a.b}` references (and only those)."""
    node = tree
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif default is not _MISSING:
            return default
        else:
            raise ConfigError(f"xp.cfg has no {key}")
    return _resolve(tree, key, node, _seen)


def _resolve(tree: dict, key: str, value, seen: tuple):
    if isinstance(value, str) and "${" in value:
        m = PLAIN_REF.match(value)
        if m is None:
            raise ConfigError(f"xp.cfg's {key} is {value!r}, which only resolves on the training machine")
        if m.group(1) in seen:
            raise ConfigError(f"xp.cfg's {key} refers to itself through {' -> '.join(seen + (m.group(1),))}")
        return lookup(tree, m.group(1), _seen=seen + (key,))
    if isinstance(value, dict):
        return {k: _resolve(tree, f"{key}.{k}", v, seen) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(tree, f"{key}[{i}]", v, seen) for i, v in enumerate(value)]
    return value


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise ConfigError(f"unsupported model: {what}")


def lm_config(xp: dict, family: str | None = None) -> dict:
    """AudioGen / MusicGen LM config from xp.cfg; refuses what the converter's modules do not implement."""
    t = lambda k, d=_MISSING: lookup(xp, f"transformer_lm.{k}", d)  # noqa: E731
    _require(lookup(xp, "lm_model", "transformer_lm") == "transformer_lm", f"lm_model {lookup(xp, 'lm_model')}")
    _require(t("norm_first") is True, "post-norm transformer (norm_first false)")
    for flag in ("bias_ff", "bias_attn", "bias_proj"):
        _require(t(flag) is False, f"transformer_lm.{flag} true (biases)")
    _require(t("positional_embedding", "sin") == "sin", f"positional_embedding {t('positional_embedding', 'sin')}")
    _require(t("layer_scale", None) is None, "layer_scale")
    _require(t("activation", "gelu") == "gelu", f"activation {t('activation', 'gelu')}")
    _require(t("norm", "layer_norm") == "layer_norm", f"norm {t('norm', 'layer_norm')}")
    _require(not t("qk_layer_norm", False) and not t("qk_layer_norm_cross", False), "qk_layer_norm")
    _require(t("kv_repeat", 1) == 1, f"kv_repeat {t('kv_repeat', 1)}")
    _require(t("past_context", None) is None, "past_context (local attention)")
    _require(t("causal", True) is True, "non-causal LM")
    _require(not t("two_step_cfg", False), "two_step_cfg")
    pattern = lookup(xp, "codebooks_pattern.modeling")
    _require(pattern == "delay", f"codebook pattern {pattern}")
    n_q = int(t("n_q"))
    delays = [int(d) for d in lookup(xp, "codebooks_pattern.delay.delays")]
    _require(len(delays) == n_q, f"{len(delays)} delays for {n_q} codebooks")
    _require(lookup(xp, "codebooks_pattern.delay.flatten_first", 0) == 0
             and lookup(xp, "codebooks_pattern.delay.empty_initial", 0) == 0, "delay pattern with flatten_first/empty_initial")
    fuser = lookup(xp, "fuser")
    _require(list(fuser.get("cross", [])) == ["description"] and not fuser.get("sum") and not fuser.get("prepend")
             and not fuser.get("input_interpolate"), f"condition fuser {fuser}")
    _require(not fuser.get("cross_attention_pos_emb", False), "cross_attention_pos_emb")
    conditioners = lookup(xp, "conditioners")
    extra = sorted(k for k in conditioners if k not in ("description", "args"))
    _require(not extra, f"conditioners besides the text description: {', '.join(extra)}")
    desc = lookup(xp, "conditioners.description")
    _require(desc.get("model") == "t5", f"description conditioner {desc.get('model')}")
    dim, heads = int(t("dim")), int(t("num_heads"))
    _require(dim % heads == 0, f"dim {dim} not divisible by {heads} heads")
    t5_name = str(lookup(xp, "conditioners.description.t5.name"))
    gen = lookup(xp, "generate.lm", {}) or {}
    fam = family or ("audiogen" if "audiogen" in str(lookup(xp, "solver", "")) else "musicgen")
    return {
        "family": fam,
        "dim": dim,
        "num_heads": heads,
        "num_layers": int(t("num_layers")),
        "ffn_dim": int(float(t("hidden_scale", 4)) * dim),
        "n_q": n_q,
        "card": int(t("card")),
        "text_dim": T5_DIMS.get(t5_name),
        "t5_name": t5_name,
        "delays": delays,
        "cfg_coef": float(lookup(xp, "classifier_free_guidance.inference_coef")),
        "max_period": float(t("max_period", 10000)),
        "positional_scale": float(t("positional_scale", 1.0)),
        "norm_eps": 1e-5,
        "sample_rate": int(lookup(xp, "sample_rate")),
        "segment_duration": float(lookup(xp, "dataset.segment_duration", 10)),
        "generation": {
            "use_sampling": bool(gen.get("use_sampling", True)),
            "top_k": int(gen.get("top_k", 250)),
            "top_p": float(gen.get("top_p", 0.0)),
            "temperature": float(gen.get("temp", 1.0)),
        },
        "licence": DEFAULT_LICENCE,
    }


# audiocraft's T5Conditioner.MODELS_DIMS: the width each named encoder gives output_proj
T5_DIMS = {"t5-small": 512, "t5-base": 768, "t5-large": 1024, "t5-3b": 1024, "t5-11b": 1024,
           "google/flan-t5-small": 512, "google/flan-t5-base": 768, "google/flan-t5-large": 1024,
           "google/flan-t5-xl": 2048, "google/flan-t5-xxl": 4096}


def codec_config(xp: dict) -> dict:
    """audiocraft EnCodec (SEANet + RVQ) config from a compression checkpoint's xp.cfg."""
    _require(lookup(xp, "compression_model") == "encodec", f"compression model {lookup(xp, 'compression_model')}")
    _require(lookup(xp, "encodec.autoencoder") == "seanet" and lookup(xp, "encodec.quantizer") == "rvq",
             "EnCodec without SEANet + RVQ")
    seanet = lookup(xp, "seanet")
    for part in ("encoder", "decoder"):
        override = {k: v for k, v in (seanet.get(part) or {}).items()
                    if k not in ("trim_right_ratio", "final_activation", "final_activation_params")}
        _require(not override, f"seanet.{part} overrides {sorted(override)}")
    _require((seanet.get("decoder") or {}).get("final_activation") is None, "a decoder final activation")
    _require(seanet.get("activation", "ELU") == "ELU", f"SEANet activation {seanet.get('activation')}")
    _require(seanet.get("norm") in ("weight_norm", "none"), f"SEANet norm {seanet.get('norm')}")
    _require(int(seanet.get("disable_norm_outer_blocks", 0)) == 0, "disable_norm_outer_blocks")
    _require(not lookup(xp, "encodec.renormalize", False), "renormalize")
    sample_rate = int(lookup(xp, "encodec.sample_rate"))
    ratios = [int(r) for r in seanet["ratios"]]
    return {
        "source": "audiocraft",
        "sample_rate": sample_rate,
        "channels": int(lookup(xp, "encodec.channels")),
        "dimension": int(seanet["dimension"]),
        "n_filters": int(seanet["n_filters"]),
        "n_residual_layers": int(seanet["n_residual_layers"]),
        "ratios": ratios,
        "elu_alpha": float((seanet.get("activation_params") or {}).get("alpha", 1.0)),
        "norm": seanet["norm"],
        "kernel_size": int(seanet["kernel_size"]),
        "residual_kernel_size": int(seanet["residual_kernel_size"]),
        "last_kernel_size": int(seanet["last_kernel_size"]),
        "dilation_base": int(seanet["dilation_base"]),
        "pad_mode": str(seanet["pad_mode"]),
        "causal": bool(lookup(xp, "encodec.causal")),
        "true_skip": bool(seanet["true_skip"]),
        "compress": int(seanet["compress"]),
        "lstm": int(seanet["lstm"]),
        "trim_right_ratio": float((seanet.get("decoder") or {}).get("trim_right_ratio", 1.0)),
        "n_q": int(lookup(xp, "rvq.n_q")),
        "bins": int(lookup(xp, "rvq.bins")),
        "frame_rate": sample_rate / math.prod(ratios),
    }


def _hf(cfg: dict, key: str, where: str):
    if key not in cfg:
        raise ConfigError(f"{where} has no {key}")
    return cfg[key]


def hf_codec_config(cfg: dict, where: str = "EnCodec config.json") -> dict:
    """transformers' EncodecConfig as the same dict (how audiocraft's HFEncodecCompressionModel reads it)."""
    g = lambda k: _hf(cfg, k, where)  # noqa: E731
    _require(g("norm_type") == "weight_norm", f"EnCodec norm_type {g('norm_type')}")
    _require(not cfg.get("normalize", False), "EnCodec with normalize (renormalisation)")
    _require(cfg.get("chunk_length_s") in (None, 0), "chunked EnCodec (chunk_length_s)")
    sample_rate = int(g("sampling_rate"))
    ratios = [int(r) for r in g("upsampling_ratios")]
    bins = int(g("codebook_size"))
    frame_rate = float(math.ceil(sample_rate / math.prod(ratios)))
    n_q = max(int(bw * 1000 / (frame_rate * math.log2(bins))) for bw in g("target_bandwidths"))
    dimension = int(g("hidden_size"))
    _require(int(cfg.get("codebook_dim") or dimension) == dimension, "codebook_dim differing from hidden_size")
    return {
        "source": "hf",
        "sample_rate": sample_rate,
        "channels": int(g("audio_channels")),
        "dimension": dimension,
        "n_filters": int(g("num_filters")),
        "n_residual_layers": int(g("num_residual_layers")),
        "ratios": ratios,
        "elu_alpha": 1.0,
        "norm": "weight_norm",
        "kernel_size": int(g("kernel_size")),
        "residual_kernel_size": int(g("residual_kernel_size")),
        "last_kernel_size": int(g("last_kernel_size")),
        "dilation_base": int(g("dilation_growth_rate")),
        "pad_mode": str(g("pad_mode")),
        "causal": bool(g("use_causal_conv")),
        "true_skip": not bool(g("use_conv_shortcut")),
        "compress": int(g("compress")),
        "lstm": int(g("num_lstm_layers")),
        "trim_right_ratio": float(g("trim_right_ratio")),
        "n_q": n_q,
        "bins": bins,
        "frame_rate": frame_rate,
    }


def hf_lm_config(cfg: dict, generation: dict | None, where: str = "MusicGen config.json") -> dict:
    """transformers' MusicgenConfig (+ generation_config.json) as lm_config's dict."""
    dec = _hf(cfg, "decoder", where)
    g = lambda k: _hf(dec, k, f"{where} decoder")  # noqa: E731
    text = _hf(cfg, "text_encoder", where)
    _require(g("activation_function") == "gelu", f"activation {g('activation_function')}")
    _require(not dec.get("scale_embedding", False), "scale_embedding")
    _require(int(dec.get("audio_channels", 1)) == 1, "stereo MusicGen")
    n_q = int(g("num_codebooks"))
    name = text.get("_name_or_path")  # may be absent: then only the width check applies
    if generation is None or "guidance_scale" not in generation:
        raise ConfigError(f"{where}: generation_config.json with guidance_scale is needed (the CFG coefficient is not in the weights)")
    dim = int(g("hidden_size"))
    heads = int(g("num_attention_heads"))
    _require(dim % heads == 0, f"hidden_size {dim} not divisible by {heads} heads")
    return {
        "family": "musicgen",
        "dim": dim,
        "num_heads": heads,
        "num_layers": int(g("num_hidden_layers")),
        "ffn_dim": int(g("ffn_dim")),
        "n_q": n_q,
        "card": int(g("vocab_size")),
        "text_dim": int(_hf(text, "d_model", f"{where} text_encoder")),
        "t5_name": str(name) if name else None,
        # transformers' build_delay_pattern_mask: codebook k is delayed by k steps
        "delays": list(range(n_q)),
        "cfg_coef": float(generation["guidance_scale"]),
        "max_period": 10000.0,
        "positional_scale": 1.0,
        "norm_eps": 1e-5,
        "sample_rate": int(_hf(_hf(cfg, "audio_encoder", where), "sampling_rate", f"{where} audio_encoder")),
        # audiocraft's musicgen solver trains on 30 s segments; config.json does not say it
        "segment_duration": 30.0,
        "generation": {
            "use_sampling": bool(generation.get("do_sample", True)),
            "top_k": int(generation.get("top_k", 250)),
            "top_p": float(generation.get("top_p", 0.0) or 0.0),
            "temperature": float(generation.get("temperature", 1.0)),
        },
        "licence": DEFAULT_LICENCE,
    }
