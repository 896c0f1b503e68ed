"""A validation ground-truth set for choosing AudioGenX's settings, disjoint from every test clip.

    cd native-models/build && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m agx_build.tools.gt_validation --out DIR [--n 36]

The test sets (test/fixtures/gt, and gt_clips.py's 120 clips) come from the sound world's 'test'
split, seeds 0-999 (corpus_test.pt). These clips come from its 'validation' split, whose event
pairs are not the test pairs and whose random stream is keyed apart, from seed 1000 on (the
corpus' validation clips are seeds 0-599), so no clip, caption or event pair is shared with a test
set. Synthesised here from the world's seeds, so no build work folder is needed.

Half the clips are sequential ("then", "after", "followed by"), half overlapping, as in the test
sets. To score words that do nothing, every third clip gets words the model does not know inserted
after its first event or at its end, and every third other clip a filler ("in the background",
"nearby") when it has none. gt.json carries `unknown_idx` and `filler_idx` (word indices) besides
the test sets' fields.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from agx_build.lib import world
from agx_build.stages import gt_fixtures
from agx_build.stages.corpus import ground_truth

FIRST_SEED = 1000
# Not in world.vocabulary() (checked below), so the tokenizer maps each to [UNK].
UNKNOWN_PHRASES = ["three times", "suddenly", "outside", "on the porch", "at night", "twice", "again and again"]
SEQUENCE = ("then", "after", "followed")


def _insert(c: dict, pos: int, phrase: str) -> list[int]:
    """Inserts phrase's words at word position pos; returns their indices and shifts the events'."""
    new = phrase.split()
    c["words"][pos:pos] = new
    for e in c["events"]:
        e["word_idx"] = [i + len(new) if i >= pos else i for i in e["word_idx"]]
    c["caption"] = " ".join(c["words"])
    return list(range(pos, pos + len(new)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=36)
    args = ap.parse_args()
    vocab = set(world.vocabulary())
    rng = np.random.default_rng(FIRST_SEED)
    seq: list[dict] = []
    par: list[dict] = []
    seed = FIRST_SEED
    while len(seq) < args.n // 2 or len(par) < args.n - args.n // 2:
        clip = world.sample_clip(seed, "validation")
        seed += 1
        c = ground_truth(clip) | {"audio": clip.audio, "seed": seed - 1}
        kind = seq if any(w in c["words"] for w in SEQUENCE) else par
        if len(kind) < (args.n // 2 if kind is seq else args.n - args.n // 2):
            kind.append(c)
    chosen = seq + par
    for i, c in enumerate(chosen):
        w = c["words"]
        c["unknown_idx"] = []
        c["filler_idx"] = [j + k for j in range(len(w)) if w[j:j + 3] == ["in", "the", "background"] for k in range(3)]
        c["filler_idx"] += [j for j in range(len(w)) if w[j] == "nearby"]
        if i % 3 == 0:
            phrase = str(rng.choice(UNKNOWN_PHRASES))
            unknown = [w for w in phrase.split() if w not in vocab]
            after_first = max(c["events"][0]["word_idx"]) + 1
            pos = after_first if rng.random() < 0.5 else len(c["words"])
            idx = _insert(c, pos, phrase)
            c["unknown_idx"] = [j for j in idx if c["words"][j] in unknown]
            c["filler_idx"] = [j + len(idx) if j >= pos else j for j in c["filler_idx"]]
        elif i % 3 == 1 and not c["filler_idx"]:
            phrase = str(rng.choice(world.FILLERS))
            idx = _insert(c, len(c["words"]), phrase)
            c["filler_idx"] = idx
    gt_fixtures.write_clips(args.out, chosen, extra=("seed", "unknown_idx", "filler_idx"))
    print(f"gt_validation: {len(chosen)} clips ({len(seq)} sequential) from validation seeds {FIRST_SEED}-{seed - 1} -> {args.out}")


if __name__ == "__main__":
    main()
