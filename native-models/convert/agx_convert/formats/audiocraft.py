"""audiocraft's release files: state_dict.bin (LM) and compression_state_dict.bin (codec).

Each is a torch.save dict {'best_state': flat state dict, 'xp.cfg': YAML string, 'version',
'exported'} (audiocraft/utils/export.py); a compression file may instead be only
{'pretrained': 'facebook/encodec_32khz'}, naming the HF EnCodec model audiocraft loads in its place.
Files are unpickled with weights_only=True: a downloaded pickle must not run code.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from agx_convert.config import ConfigError, codec_config, lm_config, parse_xp_cfg


class FormatError(ValueError):
    pass


def load_pkg(path: Path) -> dict:
    try:
        pkg = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises RuntimeError, UnpicklingError, EOFError, zipfile errors...
        raise FormatError(f"{path.name}: not a readable torch checkpoint ({type(e).__name__}: {str(e).splitlines()[0][:200]})") from None
    if not isinstance(pkg, dict):
        raise FormatError(f"{path.name}: a torch file, but not a checkpoint dict")
    return pkg


def kind_of(pkg: dict) -> str | None:
    """'lm', 'compression', 'compression-pretrained' or None for a dict that is not an audiocraft release file."""
    if set(pkg) == {"pretrained"} and isinstance(pkg["pretrained"], str):
        return "compression-pretrained"
    if "best_state" not in pkg or "xp.cfg" not in pkg:
        return None
    try:
        xp = parse_xp_cfg(pkg["xp.cfg"])
    except ConfigError:
        return None
    if "compression_model" in xp and "transformer_lm" not in xp:
        return "compression"
    if "transformer_lm" in xp:
        return "lm"
    return None


def fp32_state(best_state: dict, what: str) -> dict[str, torch.Tensor]:
    """The flat state as fp32 tensors (the release stores the LM in fp16); each fp16 copy is dropped as it goes."""
    if not isinstance(best_state, dict) or not all(isinstance(v, torch.Tensor) for v in best_state.values()):
        raise FormatError(f"{what}: best_state is not a flat name -> tensor dict")
    out = {}
    for name in list(best_state):
        t = best_state.pop(name)
        if t.dtype == torch.float16:
            # numpy's cast: exact like torch's (every fp16 value is an fp32 value) and measured 2x faster on
            # torch 1.13's CPU (50M values: 1.9 s vs 3.7 s, medians of 3, loaded machine)
            out[name] = torch.from_numpy(t.numpy().astype(np.float32))
        else:
            out[name] = t.float() if t.is_floating_point() else t
    return out


def read_lm(path: Path, pkg: dict) -> tuple[dict, dict]:
    """(lm_state, lm_cfg) from an LM release file."""
    xp = parse_xp_cfg(pkg["xp.cfg"])
    cfg = lm_config(xp)
    state = fp32_state(pkg["best_state"], path.name)
    w = state.get("condition_provider.conditioners.description.output_proj.weight")
    if w is not None and w.dim() == 2:
        # the text width the LM was trained with is in the weights; the T5 folder must match it
        cfg["text_dim"] = int(w.shape[1])
    return state, cfg


def read_codec(path: Path, pkg: dict) -> tuple[dict, dict]:
    xp = parse_xp_cfg(pkg["xp.cfg"])
    state = fp32_state(pkg["best_state"], path.name)
    # saved by torch >= 2.1's parametrizations.weight_norm instead of the old weight_norm the release used
    renamed = {n.replace(".parametrizations.weight.original0", ".weight_g").replace(".parametrizations.weight.original1", ".weight_v"): t
               for n, t in state.items()}
    return renamed, codec_config(xp)
