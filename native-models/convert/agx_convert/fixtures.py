"""Tiny random-weight checkpoints in each release format, written by the tests (never committed).

    python3 -m agx_convert fixtures DIR

writes, from one seeded set of weights:
  audiogen/state_dict.bin, audiogen/compression_state_dict.bin   audiocraft dicts (LM in fp16, as released)
  t5-large/                        a T5 folder (config.json, tokenizer.json, model.safetensors), d_model 8
  musicgen/state_dict.bin, musicgen/compression_state_dict.bin   the latter only {'pretrained': ...}
  encodec_32khz/                   an HF EnCodec folder (parametrizations.weight.original0/1 names)
  t5-base/                         the MusicGen T5 folder
  musicgen-hf/                     the same MusicGen as transformers saves it: config.json,
                                   generation_config.json, tokenizer.json, sharded safetensors
                                   (q/k/v split, lm_heads, enc_to_dec_proj, text_encoder.*, audio_encoder.*)
The HF names are written here from transformers' own naming (convert_musicgen_transformers.py,
modeling_encodec.py), independently of the reader's mapping, so a mapping bug shows as a diff.
The shapes are real ones at toy width: every layer kind, 2 LM layers, 4 codebooks of 32 codes.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from omegaconf import OmegaConf

from agx_convert.config import codec_config, hf_codec_config, lm_config, parse_xp_cfg
from agx_convert.safetensors import write_file, write_sharded
from agx_convert.spec import codec_spec, lm_spec, t5_encoder_spec

LM = {"dim": 16, "num_heads": 2, "num_layers": 2, "hidden_scale": 4, "n_q": 4, "card": 32}
T5_WIDTH = 8
WORDS = ["a", "dog", "barks", "while", "rain", "falls", "bird", "sings", "engine", "music", "piano", "drums",
         "calm", "loud", "the", "and", "in", "of", "s", "ing", "ed", "e", "r", "o", "n", "t"]


def xp_cfg(family: str, t5_name: str, compression: dict | None = None, scale: dict | None = None) -> str:
    """An xp.cfg as audiocraft dumps it: Hydra interpolations left in, some only resolvable at training time."""
    if compression is not None:
        tree = {
            "device": "cuda", "dtype": "float32", "solver": "compression", "sample_rate": compression["sample_rate"],
            "channels": 1, "compression_model": "encodec",
            "encodec": {"autoencoder": "seanet", "quantizer": "rvq", "sample_rate": "${sample_rate}",
                        "channels": "${channels}", "causal": False, "renormalize": False},
            "seanet": {"dimension": compression.get("dimension", 8), "channels": "${channels}", "causal": "${encodec.causal}",
                       "n_filters": compression.get("n_filters", 2),
                       "n_residual_layers": 1, "ratios": compression["ratios"], "activation": "ELU",
                       "activation_params": {"alpha": 1.0}, "norm": "weight_norm", "norm_params": {}, "kernel_size": 7,
                       "residual_kernel_size": 3, "last_kernel_size": 7, "dilation_base": 2, "pad_mode": "constant",
                       "true_skip": True, "compress": 2, "lstm": 2, "disable_norm_outer_blocks": 0,
                       "decoder": {"trim_right_ratio": 1.0, "final_activation": None, "final_activation_params": None},
                       "encoder": {}},
            "rvq": {"n_q": 4, "q_dropout": False, "bins": compression.get("bins", 32), "decay": 0.99, "kmeans_init": True},
            "dora": {"dir": "/checkpoint/${oc.env:USER}/experiments/audiocraft/outputs"},
            "logging": {"log_dir": "${dora.dir}/logs"},
        }
    else:
        tree = {
            "device": "cuda", "dtype": "float16", "solver": family,
            "sample_rate": 16000 if family == "audiogen" else 32000, "channels": 1, "lm_model": "transformer_lm",
            "codebooks_pattern": {"modeling": "delay", "delay": {"delays": [0, 1, 2, 3], "flatten_first": 0, "empty_initial": 0},
                                  "unroll": {"flattening": [0, 1, 2, 3], "delays": [0, 0, 0, 0]}},
            "transformer_lm": {**LM, **(scale or {}), "dropout": 0.0, "emb_lr": None, "activation": "gelu", "norm_first": True,
                               "bias_ff": False, "bias_attn": False, "bias_proj": False, "past_context": None,
                               "causal": True, "custom": False, "memory_efficient": True, "attention_as_float32": False,
                               "layer_scale": None, "positional_embedding": "sin", "xpos": False, "checkpointing": "none",
                               "weight_init": "gaussian", "depthwise_init": "current", "zero_bias_init": True,
                               "norm": "layer_norm", "cross_attention": False, "qk_layer_norm": False,
                               "qk_layer_norm_cross": False, "attention_dropout": None, "kv_repeat": 1, "two_step_cfg": False},
            "classifier_free_guidance": {"training_dropout": 0.1, "inference_coef": 3.0},
            "attribute_dropout": {},
            "fuser": {"cross_attention_pos_emb": False, "cross_attention_pos_emb_scale": 1, "sum": [], "prepend": [],
                      "cross": ["description"], "input_interpolate": []},
            "conditioners": {"description": {"model": "t5", "t5": {"name": t5_name, "finetune": False,
                                                                    "word_dropout": 0.0, "normalize_text": False}}},
            "dataset": {"segment_duration": 10, "batch_size": 128, "num_workers": 10},
            "generate": {"lm": {"use_sampling": True, "top_k": 250, "top_p": 0.0}},
            "compression_model_checkpoint": "//reference/bd44a852/checkpoint.th",
            "dora": {"dir": "/checkpoint/${oc.env:USER}/experiments/audiocraft/outputs"},
            "logging": {"log_dir": "${dora.dir}/logs"},
        }
    return OmegaConf.to_yaml(OmegaConf.create(tree))


def random_state(spec: dict, gen: torch.Generator, scale: float = 0.2) -> dict[str, torch.Tensor]:
    out = {}
    for name, shape in spec.items():
        if name.endswith(".inited"):
            out[name] = torch.ones(shape)
        elif name.endswith(".cluster_size"):
            out[name] = torch.rand(shape, generator=gen) * 10
        elif name.endswith(("norm1.weight", "norm2.weight", "norm_cross.weight", "out_norm.weight", "layer_norm.weight")):
            out[name] = 1 + 0.1 * torch.randn(shape, generator=gen)
        elif name.endswith(".weight_g"):
            out[name] = 0.5 + torch.rand(shape, generator=gen)
        else:
            out[name] = scale * torch.randn(shape, generator=gen)
    return out


# google-t5/t5-base and t5-large's config.json sizes
T5_FULL = {"t5-base": {"d_model": 768, "d_kv": 64, "d_ff": 3072, "num_layers": 12, "num_decoder_layers": 12, "num_heads": 12,
                       "vocab_size": 32128},
           "t5-large": {"d_model": 1024, "d_kv": 64, "d_ff": 4096, "num_layers": 24, "num_decoder_layers": 24, "num_heads": 16,
                        "vocab_size": 32128}}


def t5_config(name: str, full: bool = False) -> dict:
    sizes = T5_FULL[name] if full else {"d_model": T5_WIDTH, "d_kv": 4, "d_ff": 16, "num_layers": 2, "num_decoder_layers": 2,
                                        "num_heads": 2, "vocab_size": 3 + 1 + 2 * len(WORDS)}
    return {"model_type": "t5", "_name_or_path": name, "architectures": ["T5ForConditionalGeneration"], **sizes,
            "relative_attention_num_buckets": 32, "relative_attention_max_distance": 128, "feed_forward_proj": "relu", "layer_norm_epsilon": 1e-6,
            "dropout_rate": 0.1, "is_encoder_decoder": True, "pad_token_id": 0, "eos_token_id": 1}


def tokenizer_json() -> dict:
    """A T5-style Unigram tokenizer (Metaspace pre-tokenizer, </s> appended) over a small vocabulary."""
    pieces = [["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0], ["\u2581", -3.0]]
    for i, w in enumerate(WORDS):
        pieces.append([f"\u2581{w}", -4.0 - 0.01 * i])
        pieces.append([w, -6.0 - 0.01 * i])
    special = lambda i, c: {"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False,  # noqa: E731
                            "normalized": False, "special": True}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [special(0, "<pad>"), special(1, "</s>"), special(2, "<unk>")],
        "normalizer": None,
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                           "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                                    {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                           "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}}},
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": 2, "vocab": pieces, "byte_fallback": False},
    }


def write_t5_folder(folder: Path, name: str, weights: dict[str, torch.Tensor], full: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(t5_config(name, full), indent=2))
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer_json(), ensure_ascii=False, indent=1))
    # as transformers saves T5ForConditionalGeneration: the decoder too (the converter ignores it)
    extra = {"decoder.final_layer_norm.weight": torch.ones(weights["shared.weight"].shape[1])}
    write_file(folder / "model.safetensors", {**weights, **extra}, {"format": "pt"})


HF_ENCODEC_32K = {
    "model_type": "encodec", "sampling_rate": 32000, "audio_channels": 1, "normalize": False, "chunk_length_s": None,
    "overlap": None, "hidden_size": 8, "num_filters": 2, "num_residual_layers": 1, "upsampling_ratios": [8, 5, 4, 4],
    "norm_type": "weight_norm", "kernel_size": 7, "last_kernel_size": 7, "residual_kernel_size": 3,
    "dilation_growth_rate": 2, "use_causal_conv": False, "pad_mode": "reflect", "compress": 2, "num_lstm_layers": 2,
    "trim_right_ratio": 1.0, "codebook_size": 32, "codebook_dim": 8, "use_conv_shortcut": False,
    # audiocraft's HFEncodecCompressionModel: n_q = bandwidth * 1000 / (frame rate * log2(bins)) = 1000 / (50 * 5) = 4
    "target_bandwidths": [1.0],
}


def hf_encodec_names(state: dict[str, torch.Tensor], cfg: dict) -> dict[str, torch.Tensor]:
    """audiocraft EnCodec names -> transformers' (EncodecConv1d.conv / EncodecConvTranspose1d.conv, new-style weight norm)."""
    out = {}
    for name, t in state.items():
        n = name.replace("quantizer.vq.layers.", "quantizer.layers.").replace("._codebook.", ".codebook.")
        n = n.replace(".model.", ".layers.").replace(".conv.conv.", ".conv.").replace(".convtr.convtr.", ".conv.")
        n = n.replace(".weight_g", ".parametrizations.weight.original0").replace(".weight_v", ".parametrizations.weight.original1")
        out[n] = t
    return out


def write_all(root: Path, seed: int = 0) -> dict:
    gen = torch.Generator().manual_seed(seed)
    root.mkdir(parents=True, exist_ok=True)
    written = {}

    # AudioGen: LM + full audiocraft EnCodec at 16 kHz / 50 Hz + t5-large-named T5 folder
    lm_cfg = {"dim": LM["dim"], "ffn_dim": LM["dim"] * LM["hidden_scale"], "num_layers": LM["num_layers"],
              "n_q": LM["n_q"], "card": LM["card"], "text_dim": T5_WIDTH}
    ag = root / "audiogen"
    ag.mkdir(exist_ok=True)
    lm_state = {k: v.half() for k, v in random_state(lm_spec(lm_cfg), gen).items()}
    torch.save({"best_state": lm_state, "xp.cfg": xp_cfg("audiogen", "t5-large"), "version": "1.3.0", "exported": True},
               ag / "state_dict.bin")
    comp_xp = xp_cfg("audiogen", "t5-large", {"sample_rate": 16000, "ratios": [8, 5, 4, 2]})
    comp_state = random_state(codec_spec(codec_config(OmegaConf.to_container(OmegaConf.create(comp_xp)))), gen)
    torch.save({"best_state": comp_state, "xp.cfg": comp_xp, "version": "1.3.0", "exported": True},
               ag / "compression_state_dict.bin")
    t5_spec = t5_encoder_spec(t5_config("t5-large"))
    write_t5_folder(root / "t5-large", "t5-large", random_state(t5_spec, gen))
    written["audiogen"] = [str(ag), str(root / "t5-large")]

    # MusicGen: audiocraft LM + {'pretrained'} + HF EnCodec folder + t5-base folder ...
    mg = root / "musicgen"
    mg.mkdir(exist_ok=True)
    mg_state = {k: v.half() for k, v in random_state(lm_spec(lm_cfg), gen).items()}
    mg_xp = xp_cfg("musicgen", "t5-base").replace("sample_rate: 16000", "sample_rate: 32000")
    torch.save({"best_state": mg_state, "xp.cfg": mg_xp, "version": "1.3.0", "exported": True}, mg / "state_dict.bin")
    torch.save({"pretrained": "facebook/encodec_32khz"}, mg / "compression_state_dict.bin")
    enc_state = random_state(codec_spec(hf_codec_config(HF_ENCODEC_32K)), gen)
    enc_hf = hf_encodec_names(enc_state, HF_ENCODEC_32K)
    ef = root / "encodec_32khz"
    ef.mkdir(exist_ok=True)
    (ef / "config.json").write_text(json.dumps(HF_ENCODEC_32K, indent=2))
    write_file(ef / "model.safetensors", enc_hf, {"format": "pt"})
    t5b = random_state(t5_encoder_spec(t5_config("t5-base")), gen)
    write_t5_folder(root / "t5-base", "t5-base", t5b)
    written["musicgen"] = [str(mg), str(ef), str(root / "t5-base")]

    # ... and the same MusicGen as transformers saves it (fp32, sharded, every part in one checkpoint)
    d = lm_cfg["dim"]
    hf: dict[str, torch.Tensor] = {}
    for name, t in mg_state.items():
        t = t.float()
        if name.startswith("emb."):
            hf[name.replace("emb.", "decoder.model.decoder.embed_tokens.")] = t
        elif name.startswith("linears."):
            hf[name.replace("linears.", "decoder.lm_heads.")] = t
        elif name.startswith("out_norm."):
            hf[name.replace("out_norm.", "decoder.model.decoder.layer_norm.")] = t
        elif name.startswith("condition_provider.conditioners.description.output_proj."):
            hf[name.replace("condition_provider.conditioners.description.output_proj.", "enc_to_dec_proj.")] = t
        else:
            n = name.replace("transformer.layers.", "decoder.model.decoder.layers.")
            for a, b in (("cross_attention", "encoder_attn"), ("linear1", "fc1"), ("linear2", "fc2"),
                         ("norm1", "self_attn_layer_norm"), ("norm_cross", "encoder_attn_layer_norm"),
                         ("norm2", "final_layer_norm")):
                n = n.replace(f".{a}.", f".{b}.")
            if n.endswith("in_proj_weight"):
                for j, p in enumerate("qkv"):
                    hf[n.replace("in_proj_weight", f"{p}_proj.weight")] = t[j * d:(j + 1) * d].clone()
            else:
                hf[n] = t
    hf.update({f"audio_encoder.{k}": v for k, v in enc_hf.items()})
    hf.update({f"text_encoder.{k}": v for k, v in t5b.items()})
    hf["text_encoder.encoder.embed_tokens.weight"] = t5b["shared.weight"]
    mh = root / "musicgen-hf"
    mh.mkdir(exist_ok=True)
    t5cfg = t5_config("t5-base")
    config = {"model_type": "musicgen", "architectures": ["MusicgenForConditionalGeneration"], "is_encoder_decoder": True,
              "text_encoder": t5cfg, "audio_encoder": HF_ENCODEC_32K,
              "decoder": {"model_type": "musicgen_decoder", "vocab_size": LM["card"], "max_position_embeddings": 2048,
                          "num_hidden_layers": LM["num_layers"], "ffn_dim": lm_cfg["ffn_dim"], "num_attention_heads": LM["num_heads"],
                          "activation_function": "gelu", "hidden_size": d, "scale_embedding": False,
                          "num_codebooks": LM["n_q"], "audio_channels": 1, "pad_token_id": LM["card"], "bos_token_id": LM["card"]}}
    (mh / "config.json").write_text(json.dumps(config, indent=2))
    (mh / "generation_config.json").write_text(json.dumps({"do_sample": True, "guidance_scale": 3.0, "max_length": 1500,
                                                           "top_k": 250, "decoder_start_token_id": LM["card"]}, indent=2))
    (mh / "tokenizer.json").write_text(json.dumps(tokenizer_json(), ensure_ascii=False, indent=1))
    write_sharded(mh, hf, max_shard_bytes=40_000)
    written["musicgen-hf"] = [str(mh)]

    # broken files, each with one fault the converter must name
    bad = root / "broken"
    bad.mkdir(exist_ok=True)
    state = {k: v.clone() for k, v in lm_state.items()}
    del state["linears.3.weight"]
    state["emb.0.weight"] = state["emb.0.weight"][:-1].clone()
    state["transformer.layers.0.self_attn.in_proj_bias"] = torch.zeros(3 * d, dtype=torch.float16)
    torch.save({"best_state": state, "xp.cfg": xp_cfg("audiogen", "t5-large"), "version": "1.3.0", "exported": True},
               bad / "lm_wrong_tensors.bin")
    unresolvable = xp_cfg("audiogen", "t5-large").replace("num_heads: 2", "num_heads: ${oc.env:HEADS}")
    torch.save({"best_state": lm_state, "xp.cfg": unresolvable, "version": "1.3.0", "exported": True}, bad / "lm_env_heads.bin")
    torch.save({"model": lm_state}, bad / "not_audiocraft.bin")
    wide = t5_config("t5-large")
    wide["d_model"] = 2 * T5_WIDTH
    (bad / "t5-wide").mkdir(exist_ok=True)
    (bad / "t5-wide" / "config.json").write_text(json.dumps(wide, indent=2))
    (bad / "t5-wide" / "tokenizer.json").write_text(json.dumps(tokenizer_json(), ensure_ascii=False))
    write_file(bad / "t5-wide" / "model.safetensors", random_state(t5_encoder_spec(wide), gen), {"format": "pt"})
    short = t5_config("t5-large")
    short["vocab_size"] = 10  # fewer embedding rows than the tokenizer's ids
    (bad / "t5-short-vocab").mkdir(exist_ok=True)
    (bad / "t5-short-vocab" / "config.json").write_text(json.dumps(short, indent=2))
    (bad / "t5-short-vocab" / "tokenizer.json").write_text(json.dumps(tokenizer_json(), ensure_ascii=False))
    write_file(bad / "t5-short-vocab" / "model.safetensors", random_state(t5_encoder_spec(short), gen), {"format": "pt"})
    written["broken"] = [str(bad)]
    return written


# The released models' sizes (audiocraft's config/model/lm/model_scale and encodec configs; transformers'
# encodec_32khz config), for measuring the converter at full size with random weights.
FULL_SIZE = {
    "audiogen-medium": {"family": "audiogen", "t5": "t5-large", "lm": {"dim": 1536, "num_heads": 24, "num_layers": 48, "card": 2048},
                        "codec": {"sample_rate": 16000, "ratios": [8, 5, 4, 2], "dimension": 128, "n_filters": 64, "bins": 2048}},
    "musicgen-small": {"family": "musicgen", "t5": "t5-base", "lm": {"dim": 1024, "num_heads": 16, "num_layers": 24, "card": 2048},
                       "codec": None},
}


def write_full_size(root: Path, model: str, seed: int = 0) -> list[str]:
    """audiocraft-format files of the released size with random weights (AudioGen-medium: 3.7 GB), and a T5
    folder of the released size. Never committed: for measurements. Tensors are drawn one at a time."""
    m = FULL_SIZE[model]
    gen = torch.Generator().manual_seed(seed)
    root.mkdir(parents=True, exist_ok=True)
    xp = xp_cfg(m["family"], m["t5"], scale=m["lm"])
    if m["family"] == "musicgen":
        xp = xp.replace("sample_rate: 16000", "sample_rate: 32000")
    lm_cfg = lm_config(parse_xp_cfg(xp))
    lm_cfg["text_dim"] = T5_FULL[m["t5"]]["d_model"]
    lm = {n: (0.02 * torch.randn(shape, generator=gen)).half() for n, shape in lm_spec(lm_cfg).items()}
    torch.save({"best_state": lm, "xp.cfg": xp, "version": "1.3.0", "exported": True}, root / "state_dict.bin")
    del lm
    out = [str(root / "state_dict.bin")]
    if m["codec"] is not None:
        comp_xp = xp_cfg(m["family"], m["t5"], m["codec"])
        comp = random_state(codec_spec(codec_config(parse_xp_cfg(comp_xp))), gen, 0.02)
        torch.save({"best_state": comp, "xp.cfg": comp_xp, "version": "1.3.0", "exported": True}, root / "compression_state_dict.bin")
        out.append(str(root / "compression_state_dict.bin"))
    else:
        torch.save({"pretrained": "facebook/encodec_32khz"}, root / "compression_state_dict.bin")
        cfg = {**HF_ENCODEC_32K, "hidden_size": 128, "num_filters": 64, "codebook_size": 2048, "codebook_dim": 128,
               "target_bandwidths": [2.2]}
        enc = root / "encodec_32khz"
        enc.mkdir(exist_ok=True)
        (enc / "config.json").write_text(json.dumps(cfg, indent=2))
        write_file(enc / "model.safetensors", hf_encodec_names(random_state(codec_spec(hf_codec_config(cfg)), gen, 0.02), cfg))
        out += [str(root / "compression_state_dict.bin"), str(enc)]
    t5 = root / m["t5"]
    write_t5_folder(t5, m["t5"], random_state(t5_encoder_spec(t5_config(m["t5"], True)), gen, 0.02), full=True)
    out.append(str(t5))
    return out
