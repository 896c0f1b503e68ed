"""Each LM of the bundle's history (and of the bundle it replaces), judged by each classifier on the same generated clips.

    cd native-models/build && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m agx_build.tools.compare_judges
        [--lms phase1,phase2,final] [--work DIR] [--previous DIR --previous-version X.Y.Z]

A stronger judge alone moves every generation figure; this table separates the two changes. LMs:
phaseN = .work/lm_phaseN.pt, the LM after training phase N (with 1.2.0's residual codec, phase1 was
bundle 1.0.0's, phase2 1.1.0's, phase3 1.2.0's), final = .work/lm.pt (the bundle's). Judges:
old = .work/classifier_phase2.pt at its validation threshold, new = .work/classifier.pt at its own.
Generation is stages/evaluate.py's (same captions, seeds, CFG 3.0, top-k 250), so the final LM under the new
judge reproduces generation_report.json. Writes judge_comparison.json in the work folder (.work/ by default).

--previous names the work folder of the bundle this one replaces, made with another codec: its final LM
("previous", its clips decoded by its own codec) and its judge ("previous") join the table, so a codec
change is compared on the same captions and seeds under both bundles' judges.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import torch

from agx_build import config
from agx_build.lib.progress import log
from agx_build.lib.checkpoints import load_classifier, load_codec, load_lm
from agx_build.lib.classifier import Classifier
from agx_build.stages import evaluate


def _judge(work: Path, weights: str, report: str) -> tuple[Classifier, float, dict]:
    clf = load_classifier(work, weights)
    rep = json.loads((work / report).read_text())
    return clf.eval(), rep["threshold"], rep


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lms", default="phase1,phase2,final")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--work", type=Path, default=config.WORK, help="the build's work folder (build_all --work)")
    ap.add_argument("--previous", type=Path, help="the work folder of the bundle this one replaces")
    ap.add_argument("--previous-version", help="that bundle's version, for the model card")
    args = ap.parse_args()
    if bool(args.previous) != bool(args.previous_version):
        ap.error("--previous and --previous-version go together")
    work = args.work.resolve()
    torch.set_num_threads(int(os.environ.get("AGX_TORCH_THREADS", "1")))
    codec = load_codec(work)
    sets = evaluate.caption_sets(work)
    judges = {"old": _judge(work, "classifier_phase2.pt", "classifier_report_phase2.json")}
    if (work / "classifier.pt").exists():
        judges["new"] = _judge(work, "classifier.pt", "classifier_report.json")
    lms = {name: (work, "lm.pt" if name == "final" else f"lm_{name}.pt", f"generated_mels_{name}.pt", codec)
           for name in args.lms.split(",")}
    if args.previous:
        previous = args.previous.resolve()
        judges["previous"] = _judge(previous, "classifier.pt", "classifier_report.json")
        lms["previous"] = (previous, "lm.pt", "generated_mels_final.pt", load_codec(previous))
    out_path = work / "judge_comparison.json"
    out = json.loads(out_path.read_text()) if out_path.exists() else {}
    out["judges"] = {k: {"threshold": t, "test_original": r["test_original"], "test_quantised": r["test_quantised"],
                         "test_decoded": r["test_decoded"]} for k, (_, t, r) in judges.items()}
    if args.previous:
        out["previous_version"] = args.previous_version
    out.setdefault("generation", {})
    for name, (folder, weights, cached, lm_codec) in lms.items():
        path, cache = folder / weights, folder / cached
        if cache.exists() and cache.stat().st_mtime > path.stat().st_mtime:
            mels = torch.load(cache)
        else:
            mels = evaluate.generated_mels(load_lm(folder, weights), lm_codec, sets, args.seeds, log)
            torch.save(mels, cache)
        out["generation"][name] = {}
        for jname, (clf, thr, _) in judges.items():
            out["generation"][name][jname] = evaluate.score_sets(clf, thr, mels, sets, args.seeds)
            log(f"{name} LM, {jname} judge: " + json.dumps({k: v["all_named_detected"] for k, v in out["generation"][name][jname].items()}))
    out_path.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
