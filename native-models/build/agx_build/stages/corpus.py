"""Corpus synthesis in worker processes: clips -> log-mels, codes, captions and ground truth."""
from __future__ import annotations

import multiprocessing as mp
import os

import numpy as np

import world

_codec = None


def _init(codec_state: dict | None) -> None:
    global _codec
    import torch
    torch.set_num_threads(1)
    from audio import LogMel
    from codec import Codec
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
    import torch
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
