"""The full-size check: AudioGen-medium's and MusicGen-small's LM shapes, on torch's meta device.

No released weights are needed (nor allocated: meta tensors have shapes and no storage). For each
model an xp.cfg with the release's sizes (audiocraft's config/model/lm/model_scale and
conditioner files) goes through the same config reader and spec as a real conversion, and the
back half's AudiocraftLM is built on the meta device from that config. Both must list the same
names and shapes, and their parameter counts must equal the published ones.
"""
from __future__ import annotations

import torch

from agx_convert.config import lm_config, parse_xp_cfg
from agx_convert.fixtures import xp_cfg
from agx_convert.modules.lm import AudiocraftLM, LMConfig
from agx_convert.spec import count, diff, lm_spec

# (family, T5 name, its width, sizes, published LM parameter count)
FULL_SIZE = {
    "audiogen-medium": ("audiogen", "t5-large", 1024, {"dim": 1536, "num_heads": 24, "num_layers": 48, "card": 2048}, 1_839_131_136),
    "musicgen-small": ("musicgen", "t5-base", 768, {"dim": 1024, "num_heads": 16, "num_layers": 24, "card": 2048}, 420_371_456),
}


def meta_check(progress) -> dict:
    results, failed = {}, []
    for name, (family, t5, width, sizes, published) in FULL_SIZE.items():
        cfg = lm_config(parse_xp_cfg(xp_cfg(family, t5, scale=sizes)))
        if cfg["text_dim"] != width:
            failed.append(f"{name}: config gives text width {cfg['text_dim']}, expected {width}")
        spec = lm_spec(cfg)
        # a release checkpoint's shape: fp16 tensors, here without storage
        ckpt = {n: torch.empty(shape, dtype=torch.float16, device="meta") for n, shape in spec.items()}
        module = AudiocraftLM(LMConfig.from_dict(cfg), device="meta")
        module_shapes = {n: list(t.shape) for n, t in module.state_dict().items()}
        problems = diff(spec, module_shapes, f"{name}: AudiocraftLM on the meta device vs the spec")
        spec_count, module_count = count(spec), sum(p.numel() for p in module.parameters())
        ckpt_count = sum(t.numel() for t in ckpt.values())
        for label, value in (("spec", spec_count), ("module", module_count), ("checkpoint", ckpt_count)):
            if value != published:
                problems.append(f"{name}: {label} has {value:,} parameters, published {published:,}")
        progress(f"{name}: {len(spec)} tensors, {spec_count:,} parameters (published {published:,})"
                 + ("" if not problems else f"; {len(problems)} problems"))
        results[name] = {"tensors": len(spec), "parameters": spec_count, "moduleParameters": module_count,
                         "published": published, "problems": problems}
        failed.extend(problems)
    if failed:
        raise ValueError("\n".join(failed))
    return results
