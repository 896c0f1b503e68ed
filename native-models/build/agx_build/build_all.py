"""Rebuild the embedded bundle native-models/tiny-foley/ from seeds.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 native-models/build/build_all.py [--stages a,b] [--lm-phases N]
        [--lm-last-phase-minutes M] [--codec-layout NAME] [--work DIR]

Stages (each caches its result in the work folder, native-models/build/.work/ unless --work names
another; rerun with --force to redo):
codec -> corpus -> classifier -> lm -> export -> evaluate. Everything is seeded, so a rebuild gives
the same data and codebooks; trained weights match up to floating-point summation order.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # Debian's torch is ~8x slower on 2 cores without it

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
WORK = HERE / ".work"
BUNDLE = HERE.parent / "tiny-foley"

import numpy as np  # noqa: E402
import torch  # noqa: E402

import corpus  # noqa: E402
import world  # noqa: E402

# The codec's layout: (frequency bands, residual stages per band), every codebook CARD entries, so the
# LM sees K = bands x stages codebooks. The committed bundle (2.0.0) is "bands": the same 32 bits per
# frame as 1.2.0's "residual" (4 stages over all 64 mels), spent on 4 bands of 16 mels, which keeps
# broadband wind under a siren or rain far better (docs/decisions.md, "The band-split codec").
CODEC_LAYOUTS = {"residual": (1, 4), "bands": (4, 1)}
CODEC_LAYOUT = "bands"
CARD = 256
# The committed bundle's LM is trained in phases (train_lm.py), all with fixed step counts so a
# rebuild repeats the recipe: phase 1 from scratch, PHASE1_STEPS of batch 32 (lr 6e-4, cosine; bundle
# 1.0.0 was this alone, 50 minutes here); then each entry of LATER_PHASES continues the previous
# phase's weights (fresh AdamW, new cosine schedule at a lower peak lr): phase 2 gave bundle 1.1.0,
# phase 3 bundles 1.2.0 and, with the band codec, 2.0.0 (100 minutes here). --lm-minutes /
# --lm-last-phase-minutes instead fix a count from the measured rate on a new machine and log it.
# Tried on 1.2.0 and not shipped (docs/decisions.md): phase 3's moving average of the weights
# (LAST_PHASE_EMA), and a phase 4 of 3,597 steps at lr 2e-4.
PHASE1_STEPS = 1394
LATER_PHASES = [(1353, 3e-4), (3514, 2.5e-4)]  # (steps, peak lr) of phases 2, 3
LAST_PHASE_EMA = False  # export the last phase's moving average of the weights instead of its last weights
SIZES = {"codec_fit": 1500, "train": 40000, "train_mel": 8000, "validation": 600, "test": 1000, "test_audio": 300}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def stage_codec(work: Path, layout: str, force: bool) -> None:
    path = work / "codec.pt"
    if path.exists() and not force:
        if load_codec(work).layout() != CODEC_LAYOUTS[layout]:
            raise SystemExit(f"{path} holds another codec layout than {layout!r}: use another --work, or --force")
        return
    from codec import Codec
    log("codec: synthesising fit set")
    clips = corpus.synthesize("train", range(10**6, 10**6 + SIZES["codec_fit"]), None, keep_mel=SIZES["codec_fit"])
    mels = torch.from_numpy(np.stack([c["mel"] for c in clips]).astype(np.float32))
    codec = Codec(*CODEC_LAYOUTS[layout], CARD)
    log(f"codec: k-means, layout {layout}")
    codec.fit(mels, seed=0, iters=15)
    torch.save(codec.state_dict(), path)
    log("codec: done")


def load_codec(work: Path = WORK, iterations: int = 24):
    from codec import Codec
    return Codec.from_state(torch.load(work / "codec.pt"), iterations)


def stage_corpus(work: Path, force: bool) -> None:
    state = torch.load(work / "codec.pt")
    for split, n, mel, audio in [("validation", SIZES["validation"], SIZES["validation"], 0),
                                 ("test", SIZES["test"], SIZES["test"], SIZES["test_audio"]),
                                 ("train", SIZES["train"], SIZES["train_mel"], 0)]:
        path = work / f"corpus_{split}.pt"
        if path.exists() and not force:
            continue
        log(f"corpus: {split} x {n}")
        clips = corpus.synthesize(split, range(n), state, keep_mel=mel, keep_audio=audio)
        torch.save(clips, path)
    log("corpus: done")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stages", default="codec,corpus,classifier,lm,export,evaluate")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--lm-minutes", type=float, default=70.0)
    ap.add_argument("--lm-steps", type=int, default=PHASE1_STEPS, help="phase 1 step count (0: from --lm-minutes)")
    ap.add_argument("--lm-phases", type=int, default=len(LATER_PHASES) + 1,
                    help="how many of the LM's training phases to run (1 = phase 1 alone)")
    ap.add_argument("--lm-last-phase-minutes", type=float, default=None,
                    help="run the last phase by time: its step count is fixed from the measured rate and logged")
    ap.add_argument("--codec-layout", choices=CODEC_LAYOUTS, default=CODEC_LAYOUT,
                    help="the codec stage's layout (later stages read it from the work folder's codec.pt)")
    ap.add_argument("--work", type=Path, default=WORK, help="the folder that caches every stage's result")
    args = ap.parse_args()
    if not 1 <= args.lm_phases <= len(LATER_PHASES) + 1:
        ap.error(f"--lm-phases must be 1 to {len(LATER_PHASES) + 1} (the phases build_all.py's table defines)")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    # AGX_TORCH_THREADS lets a stage run beside another one without oversubscribing the cores
    torch.set_num_threads(int(os.environ.get("AGX_TORCH_THREADS", os.cpu_count() or 2)))
    for stage in args.stages.split(","):
        if stage == "codec":
            stage_codec(work, args.codec_layout, args.force)
        elif stage == "corpus":
            stage_corpus(work, args.force)
        elif stage == "classifier":
            import train_classifier
            train_classifier.run(work, load_codec(work), args.force, log)
        elif stage == "lm":
            import train_lm
            later = [train_lm.LaterPhase(n, lr) for n, lr in LATER_PHASES[:args.lm_phases - 1]]
            if later and args.lm_last_phase_minutes is not None:
                later[-1] = train_lm.LaterPhase(None, later[-1].peak_lr, minutes=args.lm_last_phase_minutes)
            train_lm.run(work, args.lm_minutes, args.force, log, steps=args.lm_steps or None, later=later,
                         last_ema=LAST_PHASE_EMA)
        elif stage == "export":
            import export
            export.run(work, BUNDLE, load_codec(work), log)
        elif stage == "evaluate":
            import evaluate
            evaluate.run(work, BUNDLE, log)
        else:
            raise SystemExit(f"unknown stage {stage!r}; stages: codec, corpus, classifier, lm, export, evaluate")


if __name__ == "__main__":
    main()
