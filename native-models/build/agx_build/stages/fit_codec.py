"""Stage codec: fit the codec's mean and codebooks by k-means on log-mels of a seeded fit set (codec.pt)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from agx_build import config
from agx_build.lib.checkpoints import load_codec
from agx_build.lib.codec import Codec
from agx_build.stages import corpus


def run(work: Path, layout: str, force: bool, log) -> None:
    path = work / "codec.pt"
    if path.exists() and not force:
        if load_codec(work).layout() != config.CODEC_LAYOUTS[layout]:
            raise SystemExit(f"{path} holds another codec layout than {layout!r}: use another --work, or --force")
        return
    log("codec: synthesising fit set")
    n = config.SIZES["codec_fit"]
    clips = corpus.synthesize("train", range(10**6, 10**6 + n), None, keep_mel=n)
    mels = torch.from_numpy(np.stack([c["mel"] for c in clips]).astype(np.float32))
    codec = Codec(*config.CODEC_LAYOUTS[layout], config.CARD)
    log(f"codec: k-means, layout {layout}")
    codec.fit(mels, seed=0, iters=15)
    torch.save(codec.state_dict(), path)
    log("codec: done")
