"""Rebuild PyTorch modules from a committed bundle's ONNX files.

The build's checkpoints (.work/) are not committed; the bundle is. Its graphs are exported without
constant folding, so their initializers keep the PyTorch parameter names ("lm.layers.0.self_q.weight")
and hold the exact trained values: a later change can add or re-export graphs without retraining.
"""
from __future__ import annotations

import json
from pathlib import Path

import onnx
import torch
from onnx import numpy_helper

from agx_build.lib.codec import Codec
from agx_build.lib.lm import AudioLM, LMConfig


def _initializers(path: Path, prefix: str) -> dict[str, torch.Tensor]:
    model = onnx.load(str(path))  # resolves external data next to the file
    return {i.name[len(prefix):]: torch.from_numpy(numpy_helper.to_array(i).copy())
            for i in model.graph.initializer if i.name.startswith(prefix)}


def lm_from_bundle(bundle: Path) -> AudioLM:
    manifest = json.loads((bundle / "manifest.json").read_text())
    vocab_size = len(json.loads((bundle / "tokenizer.json").read_text())["model"]["vocab"])
    text_layers = len({k.split(".")[0] for k in _initializers(bundle / "text_encoder.onnx", "lm.text.layers.")})
    cfg = LMConfig(vocab_size=vocab_size, d=manifest["hiddenSize"], heads=manifest["heads"], layers=manifest["layers"],
                   text_layers=text_layers, n_codebooks=manifest["codebooks"], card=manifest["cardinality"],
                   max_text=manifest["maxTextTokens"])
    state = {**_initializers(bundle / "text_encoder.onnx", "lm."), **_initializers(bundle / "lm_step.onnx", "lm.")}
    cfg.ffn = state["layers.0.mlp_in.weight"].shape[0]
    lm = AudioLM(cfg)
    # strict: torch.onnx merges initializers with identical values (untrained LayerNorms), which
    # would lose names; trained weights are distinct, and stages/export.py checks this round trip.
    lm.load_state_dict(state, strict=True)
    return lm.eval()


def codec_from_bundle(bundle: Path) -> Codec:
    """The bundle's codec (its fitted mean and codebooks; the layout follows from their shapes)."""
    return Codec.from_state(_initializers(bundle / "codec_decoder.onnx", "codec."))
