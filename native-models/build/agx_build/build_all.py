"""Rebuild the embedded bundle native-models/tiny-foley/ from seeds.

    cd native-models/build && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m agx_build.build_all [--stages a,b]
        [--lm-phases N] [--lm-last-phase-minutes M] [--codec-layout NAME] [--work DIR]

Stages (each caches its result in the work folder, native-models/build/.work/ unless --work names
another; rerun with --force to redo):
codec -> corpus -> classifier -> lm -> export -> evaluate -> card. Everything is seeded, so a rebuild
gives the same data and codebooks; trained weights match up to floating-point summation order.
The card stage needs only the reports and the bundle: `--stages card --work reports` rewrites the
model card from the committed reports.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import torch

from agx_build import config
from agx_build.lib.checkpoints import load_codec
from agx_build.lib.progress import log
from agx_build.stages import corpus, evaluate, export, fit_codec, model_card, train_classifier, train_lm


def _lm_stage(work: Path, args: argparse.Namespace) -> None:
    later = [train_lm.LaterPhase(n, lr) for n, lr in config.LATER_PHASES[:args.lm_phases - 1]]
    if later and args.lm_last_phase_minutes is not None:
        later[-1] = train_lm.LaterPhase(None, later[-1].peak_lr, minutes=args.lm_last_phase_minutes)
    train_lm.run(work, args.lm_minutes, args.force, log, steps=args.lm_steps or None, later=later,
                 last_ema=config.LAST_PHASE_EMA)


# name -> what runs it, in build order
STAGES = {
    "codec": lambda work, args: fit_codec.run(work, args.codec_layout, args.force, log),
    "corpus": lambda work, args: corpus.run(work, args.force, log),
    "classifier": lambda work, args: train_classifier.run(work, load_codec(work), args.force, log),
    "lm": _lm_stage,
    "export": lambda work, args: export.run(work, config.BUNDLE, load_codec(work), log),
    "evaluate": lambda work, args: evaluate.run(work, log),
    "card": lambda work, args: model_card.write(work, config.BUNDLE),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated, of: {', '.join(STAGES)}")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--lm-minutes", type=float, default=70.0)
    ap.add_argument("--lm-steps", type=int, default=config.PHASE1_STEPS, help="phase 1 step count (0: from --lm-minutes)")
    ap.add_argument("--lm-phases", type=int, default=len(config.LATER_PHASES) + 1,
                    help="how many of the LM's training phases to run (1 = phase 1 alone)")
    ap.add_argument("--lm-last-phase-minutes", type=float, default=None,
                    help="run the last phase by time: its step count is fixed from the measured rate and logged")
    ap.add_argument("--codec-layout", choices=config.CODEC_LAYOUTS, default=config.CODEC_LAYOUT,
                    help="the codec stage's layout (later stages read it from the work folder's codec.pt)")
    ap.add_argument("--work", type=Path, default=config.WORK, help="the folder that caches every stage's result")
    args = ap.parse_args()
    if not 1 <= args.lm_phases <= len(config.LATER_PHASES) + 1:
        ap.error(f"--lm-phases must be 1 to {len(config.LATER_PHASES) + 1} (the phases config.LATER_PHASES defines)")
    stages = args.stages.split(",")
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        raise SystemExit(f"unknown stage {unknown[0]!r}; stages: {', '.join(STAGES)}")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    # AGX_TORCH_THREADS lets a stage run beside another one without oversubscribing the cores
    torch.set_num_threads(int(os.environ.get("AGX_TORCH_THREADS", os.cpu_count() or 2)))
    for stage in stages:
        STAGES[stage](work, args)


if __name__ == "__main__":
    main()
