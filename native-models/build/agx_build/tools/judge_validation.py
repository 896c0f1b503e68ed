"""Validation clips for calibrating the judge (classifier.onnx): `agx`'s scripts/calibrate-judge.mjs fits its temperature on them.

    cd native-models/build && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m agx_build.tools.judge_validation --out DIR [--n 400]

From the sound world's 'validation' split (its event pairs are not the test pairs, its random stream
is keyed apart) from seed 2000 on: the corpus' validation clips (seeds 0-599, where the classifier's
threshold was chosen) and gt_validation.py's settings set (from seed 1000) are not reused, and no
clip, caption or event pair is shared with a test set. Same format as the ground-truth sets
(clip-NNN.wav and gt.json, each clip with its seed).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from agx_build.lib import world
from agx_build.stages import gt_fixtures
from agx_build.stages.corpus import ground_truth

FIRST_SEED = 2000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=400)
    args = ap.parse_args()
    chosen = []
    for seed in range(FIRST_SEED, FIRST_SEED + args.n):
        clip = world.sample_clip(seed, "validation")
        chosen.append(ground_truth(clip) | {"audio": clip.audio, "seed": seed})
    gt_fixtures.write_clips(args.out, chosen, extra=("seed",))
    print(f"judge_validation: {len(chosen)} clips from validation seeds {FIRST_SEED}-{FIRST_SEED + args.n - 1} -> {args.out}")


if __name__ == "__main__":
    main()
