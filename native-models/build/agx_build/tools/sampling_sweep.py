"""Sampling settings compared on held-out *validation* pairs, the way the bundle's defaults were chosen.

    cd native-models/build && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m agx_build.tools.sampling_sweep
        [--variants 3:250,3:32,...] [--captions 60] [--seeds 10] [--work DIR]

Each variant (CFG:top-k) generates the same clips with stages/evaluate.py's generator (same captions and seeds
1000...), judged by the bundle's classifier: held-out validation pairs, plus the negation and sequence
sets (training pairs). Test pairs take no part. Writes sampling_sweep.json in the work folder; the rule
that read it is in docs/decisions.md ('Sampling defaults for a 256-entry codebook'). About 7 minutes
per variant with the defaults on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from agx_build import config
from agx_build.lib.checkpoints import load_classifier, load_codec, load_lm, threshold
from agx_build.stages import evaluate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", default="3:250,3:32,3:64,4:250,4:32", help="CFG:top-k, comma-separated")
    ap.add_argument("--captions", type=int, default=60, help="distinct validation captions")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--work", type=Path, default=config.WORK)
    args = ap.parse_args()
    work = args.work
    codec, lm = load_codec(work), load_lm(work)
    clf = load_classifier(work)
    sets = [s for s in evaluate.caption_sets(work, args.captions) if s[0] in ("validation_heldout_pairs", "negation", "sequence")]
    out: dict = {"captions": args.captions, "seeds": args.seeds, "variants": {}}
    for variant in args.variants.split(","):
        cfg, top_k = variant.split(":")
        t0 = time.time()
        mels = evaluate.generated_mels(lm, codec, sets, args.seeds, cfg_scale=float(cfg), top_k=int(top_k))
        report = evaluate.score_sets(clf, threshold(work), mels, sets, args.seeds)
        report["seconds"] = round(time.time() - t0)
        out["variants"][f"cfg {cfg}, top-k {top_k}"] = report
        v = report["validation_heldout_pairs"]
        print(f"cfg {cfg}, top-k {top_k}: validation pairs {v['all_named_detected']:.4f} (fp {v['false_positive_rate']:.4f}), "
              f"negation {report['negation']['negated_absent']}, sequence {report['sequence']['a_then_b_in_order']}", flush=True)
    (work / "sampling_sweep.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
