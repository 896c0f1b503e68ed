"""The T5 folder the user supplies (t5-large for AudioGen, t5-base for MusicGen): config.json,
tokenizer.json and the encoder's weights. Neither audiocraft file holds the T5 encoder.

The folder's width must be the one the LM's output_proj was trained on: config.json's d_model equal to
output_proj's input width (1024 for t5-large, 768 for t5-base). A mismatch fails. A different T5 name
than xp.cfg's with the same width (t5-large vs flan-t5-large) only warns: it runs, but the LM was
trained on the other encoder's vectors.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from agx_convert.safetensors import SafetensorsCheckpoint, find_checkpoint
from agx_convert.spec import diff, t5_encoder_spec

REQUIRED = ("d_model", "d_kv", "d_ff", "num_layers", "num_heads", "vocab_size",
            "relative_attention_num_buckets", "relative_attention_max_distance")


class T5Error(ValueError):
    pass


def is_t5_folder(folder: Path) -> bool:
    cfg = folder / "config.json"
    if not cfg.is_file():
        return False
    try:
        return json.loads(cfg.read_text()).get("model_type") == "t5"
    except (OSError, json.JSONDecodeError):
        return False


def short_name(name: str | None) -> str | None:
    """t5-large, google-t5/t5-large and /models/t5-large all name the same encoder."""
    if not name:
        return None
    base = name.rstrip("/").split("/")[-1].lower()
    return ("flan-" + base.split("flan-", 1)[1]) if "flan-" in base else base


def folder_model_name(folder: Path) -> str:
    """The model a download folder holds: the Hugging Face cache's models--org--name/snapshots/<hash>
    layout names it two levels up; any other folder by its own name."""
    for part in reversed(folder.resolve().parts):
        if part.startswith("models--"):
            return part[len("models--"):].replace("--", "/")
    return folder.name


def weights_file(folder: Path) -> Path:
    path = find_checkpoint(folder)
    if path is None and (folder / "pytorch_model.bin").is_file():
        path = folder / "pytorch_model.bin"
    if path is None:
        raise T5Error(f"{folder}: no T5 weights (model.safetensors, model.safetensors.index.json or pytorch_model.bin)")
    return path


def t5_encoder_state(path: Path) -> dict:
    """The encoder's tensors as fp32 (shared.weight and encoder.*; the tied embed_tokens copy dropped)."""
    # a T5ForConditionalGeneration file is mostly decoder: read only the encoder's tensors
    keep = lambda n: n == "shared.weight" or n.startswith("encoder.")  # noqa: E731
    if path.name.endswith((".safetensors", ".index.json")):
        ck = SafetensorsCheckpoint(path)
        state = {n: ck.tensor(n) for n in ck.names() if keep(n)}
    else:
        state = {n: t.float() for n, t in torch.load(str(path), map_location="cpu", weights_only=True).items() if keep(n)}
    if "shared.weight" not in state and "encoder.embed_tokens.weight" in state:
        state["shared.weight"] = state["encoder.embed_tokens.weight"]
    state.pop("encoder.embed_tokens.weight", None)
    return state


def weight_shapes(path: Path) -> dict[str, list[int]]:
    if path.name.endswith((".safetensors", ".index.json")):
        ck = SafetensorsCheckpoint(path)
        return {n: ck.shape(n) for n in ck.names()}
    state = torch.load(str(path), map_location="cpu", weights_only=True)
    return {n: list(t.shape) for n, t in state.items()}


def check_tokenizer(path: Path, vocab_size: int) -> None:
    """Every id the tokenizer can produce must have a row in the embedding (T5 pads the table: 32,100 pieces, 32,128 rows)."""
    try:
        tok = json.loads(path.read_text(encoding="utf-8"))
        model = tok["model"]
        vocab = model["vocab"]
        count = len(vocab)
        ids = [int(t["id"]) for t in tok.get("added_tokens") or []]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
        raise T5Error(f"{path}: not a tokenizers JSON file ({type(e).__name__}: {e})") from None
    if model.get("type") != "Unigram":
        raise T5Error(f"{path}: a {model.get('type')} tokenizer; T5's is Unigram (SentencePiece)")
    top = max([count - 1, *ids])
    if top >= vocab_size:
        raise T5Error(f"{path}: produces ids up to {top}, but the T5 embedding has {vocab_size} rows (tokenizer and weights are from different models)")


def check_t5_folder(folder: Path, text_dim: int, expected_name: str | None) -> dict:
    """Checks the folder against the LM; returns {name, d_model, config, weights, warnings}. Raises T5Error."""
    try:
        cfg = json.loads((folder / "config.json").read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise T5Error(f"{folder}: config.json unreadable ({e})") from None
    if cfg.get("model_type") != "t5":
        raise T5Error(f"{folder}: config.json's model_type is {cfg.get('model_type')!r}, not a T5 model")
    missing = [k for k in REQUIRED if k not in cfg]
    if missing:
        raise T5Error(f"{folder}: config.json lacks {', '.join(missing)}")
    if int(cfg["d_model"]) != int(text_dim):
        raise T5Error(f"{folder}: this T5 has d_model {cfg['d_model']}, but the LM's output_proj takes {text_dim}-wide "
                      f"text vectors{f' (it was trained with {expected_name})' if expected_name else ''}; "
                      "supply the matching T5 folder (t5-large: 1024, t5-base: 768)")
    if not (folder / "tokenizer.json").is_file():
        raise T5Error(f"{folder}: no tokenizer.json (download it with the model: the studio tokenizes with it)")
    check_tokenizer(folder / "tokenizer.json", int(cfg["vocab_size"]))
    path = weights_file(folder)
    shapes = weight_shapes(path)
    # T5ForConditionalGeneration files hold the decoder too; only the encoder is used
    encoder = {n: s for n, s in shapes.items() if not n.startswith(("decoder.", "lm_head."))}
    if "shared.weight" not in encoder and "encoder.embed_tokens.weight" in encoder:
        encoder["shared.weight"] = encoder.pop("encoder.embed_tokens.weight")
    encoder.pop("encoder.embed_tokens.weight", None)  # tied to shared.weight
    problems = diff(t5_encoder_spec(cfg), encoder, f"T5 encoder weights in {path.name}")
    if problems:
        raise T5Error("\n".join(problems))
    name = cfg.get("_name_or_path") or folder_model_name(folder)
    warnings = []
    if expected_name and short_name(name) != short_name(expected_name):
        warnings.append(f"the LM was trained with {expected_name}, this folder looks like {name} "
                        "(same width, so it runs; results may differ from the released model's)")
    return {"name": name, "d_model": int(cfg["d_model"]), "config": cfg, "weights": path, "warnings": warnings}
