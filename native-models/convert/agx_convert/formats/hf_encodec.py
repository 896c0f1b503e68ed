"""transformers' EnCodec (facebook/encodec_32khz): a folder with config.json and model.safetensors, or
the audio_encoder.* part of a MusicGen folder. MusicGen's compression_state_dict.bin is only
{'pretrained': 'facebook/encodec_32khz'}, so this is where MusicGen's codec weights come from.

Names map onto audiocraft's EncodecModel (the same SEANet layer indices; transformers'
convert_encodec_checkpoint_to_pytorch.py is the forward direction). Weight norm appears as
weight_g / weight_v (older transformers) or parametrizations.weight.original0 / original1 (newer
ones, nn.utils.parametrizations.weight_norm); both become audiocraft's weight_g / weight_v.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import torch

from agx_convert.config import hf_codec_config
from agx_convert.safetensors import SafetensorsCheckpoint, find_checkpoint

PARAM = (r"(weight_g|weight_v|weight|bias|parametrizations\.weight\.original0|parametrizations\.weight\.original1)")
WEIGHT_NORM = {"parametrizations.weight.original0": "weight_g", "parametrizations.weight.original1": "weight_v"}


def is_hf_encodec(folder: Path) -> bool:
    cfg = folder / "config.json"
    if not cfg.is_file():
        return False
    try:
        return json.loads(cfg.read_text()).get("model_type") == "encodec"
    except (OSError, json.JSONDecodeError):
        return False


def audiocraft_name(name: str, transpose_layers: set[int]) -> str | None:
    """transformers' EnCodec name -> audiocraft's, or None when it has no counterpart."""
    if m := re.fullmatch(r"quantizer\.layers\.(\d+)\.codebook\.(inited|cluster_size|embed|embed_avg)", name):
        return f"quantizer.vq.layers.{m[1]}._codebook.{m[2]}"
    if m := re.fullmatch(r"(encoder|decoder)\.layers\.(\d+)\.lstm\.((weight|bias)_(ih|hh)_l\d+)", name):
        return f"{m[1]}.model.{m[2]}.lstm.{m[3]}"
    if m := re.fullmatch(rf"(encoder|decoder)\.layers\.(\d+)\.(block\.\d+\.|shortcut\.)?conv\.{PARAM}", name):
        part, index, inner, param = m[1], int(m[2]), m[3] or "", WEIGHT_NORM.get(m[4], m[4])
        if part == "decoder" and not inner and index in transpose_layers:
            return f"decoder.model.{index}.convtr.convtr.{param}"
        return f"{part}.model.{index}.{inner}conv.conv.{param}"
    return None


def decoder_transpose_layers(cfg: dict) -> set[int]:
    """Indices of the decoder's ConvTranspose1d layers (SEANetDecoder: conv, [lstm], then per ratio ELU, convtr, resblocks)."""
    i = 1 + (1 if cfg["lstm"] else 0)
    out = set()
    for _ in cfg["ratios"]:
        i += 1
        out.add(i)
        i += 1 + cfg["n_residual_layers"]
    return out


def map_state(hf_state: dict[str, torch.Tensor], cfg: dict) -> tuple[dict[str, torch.Tensor], list[str]]:
    """(audiocraft-named fp32 state, names that map to nothing)."""
    tr = decoder_transpose_layers(cfg)
    out, unmapped = {}, []
    for name, t in hf_state.items():
        target = audiocraft_name(name, tr)
        if target is None:
            unmapped.append(name)
        else:
            out[target] = t.float() if t.is_floating_point() else t
    return out, unmapped


class HFEncodec:
    """A standalone EnCodec folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.config = json.loads((folder / "config.json").read_text())
        path = find_checkpoint(folder)
        if path is None:
            raise ValueError(f"{folder.name}: no model.safetensors (download the safetensors file of the EnCodec model)")
        self.checkpoint = SafetensorsCheckpoint(path)

    def codec_config(self) -> dict:
        return hf_codec_config(self.config, f"{self.folder.name}/config.json")

    def state(self) -> dict[str, torch.Tensor]:
        return {n: self.checkpoint.tensor(n) for n in self.checkpoint.names()}
