"""transformers' MusicGen folder (facebook/musicgen-*): config.json, generation_config.json and
model.safetensors (possibly sharded), holding the LM (decoder.*, enc_to_dec_proj.*), the T5 encoder
(text_encoder.*) and EnCodec (audio_encoder.*).

The LM maps onto audiocraft's names by the inverse of transformers' convert_musicgen_transformers.py:
q/k/v projections concatenate (in that order) into in_proj_weight, lm_heads -> linears,
enc_to_dec_proj -> the description conditioner's output_proj, and so on. Both formats must give the
same bytes for every tensor.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import torch

from agx_convert.config import hf_lm_config
from agx_convert.safetensors import SafetensorsCheckpoint, find_checkpoint

DEC = "decoder.model.decoder."
# transformers' per-layer name -> audiocraft's
LAYER_NAMES = {
    "self_attn.out_proj.weight": "self_attn.out_proj.weight",
    "encoder_attn.out_proj.weight": "cross_attention.out_proj.weight",
    "fc1.weight": "linear1.weight",
    "fc2.weight": "linear2.weight",
    "self_attn_layer_norm.weight": "norm1.weight",
    "self_attn_layer_norm.bias": "norm1.bias",
    "encoder_attn_layer_norm.weight": "norm_cross.weight",
    "encoder_attn_layer_norm.bias": "norm_cross.bias",
    "final_layer_norm.weight": "norm2.weight",
    "final_layer_norm.bias": "norm2.bias",
}
FUSED = {"self_attn": "self_attn", "encoder_attn": "cross_attention"}
# not weights: transformers recomputes the sinusoidal table
IGNORED = {DEC + "embed_positions.weights"}


def is_hf_musicgen(folder: Path) -> bool:
    cfg = folder / "config.json"
    if not cfg.is_file():
        return False
    try:
        return json.loads(cfg.read_text()).get("model_type") in ("musicgen", "musicgen_melody")
    except (OSError, json.JSONDecodeError):
        return False


class HFMusicGen:
    def __init__(self, folder: Path):
        self.folder = folder
        self.config = json.loads((folder / "config.json").read_text())
        if self.config.get("model_type") != "musicgen":
            raise ValueError(f"{folder.name}: model_type {self.config.get('model_type')} is not supported (text-only MusicGen is)")
        gen = folder / "generation_config.json"
        self.generation = json.loads(gen.read_text()) if gen.is_file() else None
        path = find_checkpoint(folder)
        if path is None:
            raise ValueError(f"{folder.name}: no model.safetensors or model.safetensors.index.json "
                             "(download the safetensors files; pytorch_model.bin is not read)")
        self.checkpoint = SafetensorsCheckpoint(path)

    def lm_config(self) -> dict:
        return hf_lm_config(self.config, self.generation, f"{self.folder.name}/config.json")

    def lm_shapes(self) -> tuple[dict, list[str]]:
        """audiocraft names -> shapes the file's LM tensors will have once mapped, and the names that map to nothing."""
        shapes, unmapped = {}, []
        plan, leftovers = self._plan()
        for target, sources in plan.items():
            dims = [self.checkpoint.shape(s) for s in sources]
            shapes[target] = [sum(d[0] for d in dims), *dims[0][1:]] if len(dims) > 1 else dims[0]
        unmapped.extend(leftovers)
        return shapes, unmapped

    def lm_state(self) -> dict[str, torch.Tensor]:
        plan, _ = self._plan()
        return {target: torch.cat([self.checkpoint.tensor(s) for s in sources], 0) if len(sources) > 1
                else self.checkpoint.tensor(sources[0]) for target, sources in plan.items()}

    def _plan(self) -> tuple[dict[str, list[str]], list[str]]:
        plan: dict[str, list[str]] = {}
        unmapped = []
        names = self.checkpoint.names()
        present = set(names)
        for name in names:
            if name.startswith(("text_encoder.", "audio_encoder.")) or name in IGNORED:
                continue
            if m := re.fullmatch(r"decoder\.model\.decoder\.embed_tokens\.(\d+)\.weight", name):
                plan[f"emb.{m[1]}.weight"] = [name]
            elif m := re.fullmatch(r"decoder\.lm_heads\.(\d+)\.weight", name):
                plan[f"linears.{m[1]}.weight"] = [name]
            elif m := re.fullmatch(r"decoder\.model\.decoder\.layer_norm\.(weight|bias)", name):
                plan[f"out_norm.{m[1]}"] = [name]
            elif m := re.fullmatch(r"enc_to_dec_proj\.(weight|bias)", name):
                plan[f"condition_provider.conditioners.description.output_proj.{m[1]}"] = [name]
            elif m := re.fullmatch(r"decoder\.model\.decoder\.layers\.(\d+)\.(self_attn|encoder_attn)\.([qkv])_proj\.weight", name):
                i, attn = m[1], m[2]
                base = f"{DEC}layers.{i}.{attn}"
                qkv = [f"{base}.{p}_proj.weight" for p in "qkv"]
                if all(q in present for q in qkv):
                    plan[f"transformer.layers.{i}.{FUSED[attn]}.in_proj_weight"] = qkv
                else:
                    unmapped.append(name)
            elif (m := re.fullmatch(r"decoder\.model\.decoder\.layers\.(\d+)\.(.+)", name)) and m[2] in LAYER_NAMES:
                plan[f"transformer.layers.{m[1]}.{LAYER_NAMES[m[2]]}"] = [name]
            else:
                unmapped.append(name)
        return plan, unmapped

    def has_prefix(self, prefix: str) -> bool:
        return any(n.startswith(prefix) for n in self.checkpoint.names())

    def sub_state(self, prefix: str) -> dict[str, torch.Tensor]:
        """Every tensor under prefix (text_encoder. or audio_encoder.), the prefix dropped, as stored (not upcast)."""
        return {n[len(prefix):]: self.checkpoint.tensor(n, upcast=False) for n in self.checkpoint.names() if n.startswith(prefix)}
