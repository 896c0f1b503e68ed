"""Stage corpus: clips synthesised in worker processes -> log-mels, codes, captions and ground truth."""
from __future__ import annotations

import multiprocessing as mp
import os
from pathlib import Path

import numpy as np
import torch

from agx_build import config
from agx_build.lib import world
from agx_build.lib.audio import LogMel
from agx_build.lib.codec import Codec

_codec = None


def _init(codec_state: dict | None) -> None:
    global _codec
    torch.set_num_threads(1)
    _codec = None if codec_state is None else Codec.from_state(codec_state)
    global _logmel
    _logmel = LogMel()


def ground_truth(clip: world.Clip) -> dict:
    return {
        "caption": clip.caption,
        "words": clip.words,
        "negated": clip.negated,
        "events": [{"label": e.label, "verb": e.verb, "mods": sorted(e.mods), "word_idx": e.word_idx,
                    "start": round(e.start, 3), "end": round(e.end, 3), "level_db": round(e.level_db, 2)}
                   for e in clip.events],
    }


def _one(args: tuple[int, str, bool, bool]) -> dict:
    seed, split, keep_mel, keep_audio = args
    clip = world.sample_clip(seed, split)
    with torch.no_grad():
        wav = torch.from_numpy(clip.audio)[None]
        mel = _logmel(wav)
        out = ground_truth(clip)
        out["activity"] = clip.activity.astype(np.uint8)
        if _codec is not None:
            out["codes"] = _codec.encode_logmel(mel)[0].numpy().astype(np.int16)
        if keep_mel:
            out["mel"] = mel[0].numpy().astype(np.float16)
        if keep_audio:
            out["audio"] = clip.audio
    return out


def synthesize(split: str, seeds: range, codec_state: dict | None, keep_mel: int = 0,
               keep_audio: int = 0, workers: int | None = None) -> list[dict]:
    """Clips `seeds` of `split`; the first keep_mel keep their log-mel, the first keep_audio their audio."""
    workers = workers or max(1, min(2, os.cpu_count() or 1))
    jobs = [(s, split, i < keep_mel, i < keep_audio) for i, s in enumerate(seeds)]
    with mp.get_context("fork").Pool(workers, initializer=_init, initargs=(codec_state,)) as pool:
        return pool.map(_one, jobs, chunksize=64)


def run(work: Path, force: bool, log) -> None:
    """corpus_{validation,test,train}.pt, each clip with its codes under the work folder's codec."""
    state = torch.load(work / "codec.pt")
    sizes = config.SIZES
    for split, n, mel, audio in [("validation", sizes["validation"], sizes["validation"], 0),
                                 ("test", sizes["test"], sizes["test"], sizes["test_audio"]),
                                 ("train", sizes["train"], sizes["train_mel"], 0)]:
        path = work / f"corpus_{split}.pt"
        if path.exists() and not force:
            continue
        log(f"corpus: {split} x {n}")
        clips = synthesize(split, range(n), state, keep_mel=mel, keep_audio=audio)
        torch.save(clips, path)
    log("corpus: done")
