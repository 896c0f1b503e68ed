"""Export's fixture writer for the benchmark sets: test/fixtures/prompts/test.csv (40 held-out test captions) and the ground-truth set: held-out test clips as WAV files plus their ground truth.

test/fixtures/gt/clip-NN.wav (16 kHz, 16-bit) and gt.json: caption, words, and per event its label,
the caption word indices that name it, and its span in seconds. Word i of the caption is prompt
token i (captions are lower-case words separated by single spaces, as the tokenizer splits them).
"""
from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import torch

from agx_build import config
from agx_build.lib import world

OUT = config.FIXTURES / "gt"


def write(work: Path, n: int = 24) -> None:
    write_set(work, OUT, n, 0)
    # prompts for the faithfulness protocol: distinct held-out test captions, AudioCaps' CSV layout
    seen: list[str] = []
    for c in torch.load(work / "corpus_test.pt"):
        if c["caption"] not in seen:
            seen.append(c["caption"])
    prompts = OUT.parent / "prompts"
    prompts.mkdir(parents=True, exist_ok=True)
    rows = ["audiocap_id,youtube_id,start_time,caption"] + [f"{i},synth-test-{i},0,\"{c}\"" for i, c in enumerate(seen[:40])]
    (prompts / "test.csv").write_text("\n".join(rows) + "\n")


def write_set(work: Path, out: Path, n: int, skip: int) -> None:
    """n clips with audio from the test split, half sequential ("then", "after", "followed by"), half
    overlapping (sequential clips are where the interval view can be scored against distinct spans),
    after skipping the first `skip` of each kind."""
    clips = [c for c in torch.load(work / "corpus_test.pt") if "audio" in c]
    seq = [c for c in clips if any(w in c["words"] for w in ("then", "after", "followed"))]
    par = [c for c in clips if c not in seq]
    chosen = seq[skip: skip + n // 2] + par[skip: skip + n - n // 2]
    if len(chosen) < n:
        raise SystemExit(f"gt_clips: the test split has only {len(chosen)} clips with audio past the first {skip} of each kind")
    write_clips(out, chosen)


def noun_idx(words: list[str], word_idx: list[int]) -> list[int]:
    """The event's naming words that are nouns (the sound source; the rest are its verb and modifiers)."""
    nouns = {w for ev in world.EVENTS.values() for n in ev["nouns"] for w in n.split()}
    return [i for i in word_idx if words[i] in nouns]


def write_clips(out: Path, chosen: list[dict], extra: tuple[str, ...] = ()) -> None:
    """Clips (caption, words, events, audio, and any `extra` keys) as clip-NN.wav plus gt.json."""
    n = len(chosen)
    out.mkdir(parents=True, exist_ok=True)
    meta = []
    for i, c in enumerate(chosen):
        name = f"clip-{i:03d}.wav" if n > 100 else f"clip-{i:02d}.wav"
        pcm = np.clip(np.round(c["audio"] * 32767), -32768, 32767).astype("<i2")
        with wave.open(str(out / name), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(pcm.tobytes())
        meta.append({"file": name, "caption": c["caption"], "words": c["words"],
                     "events": [{"label": e["label"], "word_idx": e["word_idx"], "noun_idx": noun_idx(c["words"], e["word_idx"]),
                                 "start": e["start"], "end": e["end"]}
                                for e in c["events"]], **{k: c[k] for k in extra}})
    (out / "gt.json").write_text(json.dumps({"clips": meta}, indent=1))

