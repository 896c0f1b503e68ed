"""Stage card: writes native-models/tiny-foley/README.md, the model card, from the build's own reports.

Every number in the card comes from a report file of this build (.work/*.json), never typed by hand;
those reports are copied to native-models/build/reports/ with every card written, so the two stay in step.
The card's text is templates/model_card.md (and templates/judges_table.md), filled from the reports and
the bundle; the small functions below turn report fields into the card's phrases.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from agx_build import config
from agx_build.lib import bundle_io, world
from agx_build.lib.audio import N_MELS

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _phase3(clf: dict) -> str:
    p3 = clf.get("phase3")
    if not p3:
        return ""
    return (f"; then {p3['steps']} batches of {p3['batch']} with positives weighted x{p3['pos_weight']:g}, half from "
            f"those clips and half from {p3['mixtures'] + p3.get('pair_mixtures', 0):,} new mixtures, each original "
            f"and codec-encoded + Griffin-Lim decoded: {p3['mixtures']:,} of training clips with a second event 0-14 dB "
            f"under the first, and {p3.get('pair_mixtures', 0):,} of 2-3 single events over all event pairs, the "
            "held-out ones included (the judge must hear a clock under an engine to score one; the LM never "
            "hears those pairs, and no test or validation clip is used)")


def _lm_training(lm: dict, last: dict) -> str:
    phases = lm.get("phases") or [dict(lm, phase=1)]
    lines, done = [], 0
    for p in phases:
        done += p["steps"]
        if p["phase"] == 1:
            lines.append(f"- LM, phase 1: {p['steps']} steps of batch {lm['batch']} from scratch in {p['minutes']} minutes "
                         f"(AdamW, lr 6e-4, cosine to 10%); validation loss {p['history'][-1]['val_loss']}.")
        else:
            lines.append(f"- LM, phase {p['phase']}: {p['steps']} more steps from phase {p['phase'] - 1}'s weights in "
                         f"{p['minutes']} minutes (fresh AdamW, {p['warmup']} warm-up steps, cosine from lr "
                         f"{p['peak_lr']:g} to 10%), {done} steps so far; validation loss {p['history'][-1]['val_loss']}.")
    ema = f" (moving average of the weights: {last['ema_val_loss']})" if "ema_val_loss" in last else ""
    return ("\n".join(lines) + f"\n- In all {lm['steps']} steps in {lm['minutes']} minutes "
            f"({lm['steps'] * lm['batch'] / 40000:.1f} passes over the training clips); final train loss "
            f"{last.get('train_loss')}, validation loss {last.get('val_loss')}{ema} (cross-entropy per code, held-out "
            f"validation pairs). The bundle has the {lm.get('exported', 'last weights')}.\n"
            f"  Rebuild: PHASE1_STEPS and LATER_PHASES in [agx_build/config.py](../build/agx_build/config.py) fix the step counts.")


def _codec_layout(bundle: Path) -> str:
    n_bands, stages = bundle_io.codec_from_bundle(bundle).layout()
    vq = f"residual k-means VQ with {stages} codebooks" if stages > 1 else "a k-means codebook"
    if n_bands == 1:
        return f"{vq} of {config.CARD} entries"
    return f"each of {n_bands} frequency bands of {N_MELS // n_bands} mels quantised by {vq} of {config.CARD} entries ({n_bands * stages} codebooks in all)"


def _still_falling(lm: dict) -> str:
    h = [x["val_loss"] for x in lm["history"] if "val_loss" in x]
    drop = h[-2] - h[-1] if len(h) >= 2 else 0.0
    last = f"({h[-2]} -> {h[-1]} over the last evaluation interval)" if len(h) >= 2 else ""
    if drop >= 0.005:
        return f"The validation loss was still falling at the last step {last}: more steps remain a lever."
    if drop >= 0.001:
        return f"The validation loss was still falling, slowly, at the last step {last}: more steps remain a lever."
    if drop > 0:
        return (f"The validation loss had all but stopped falling at the last step {last}: more steps of this "
                "recipe are a weak lever.")
    return f"The validation loss had stopped falling at the last step {last}."


def _judge_state(clf: dict) -> str:
    f1, gate = clf["test_original"]["f1"], clf["test_decoded"]["all_events_found"]
    if f1 >= 0.95 and gate >= 0.95:
        return "meets its targets (F1 and the codec gate), but still misses some quiet events in mixtures."
    return (f"misses some events in mixtures: F1 {f1:.3f} "
            f"(target 0.95), codec gate {100 * gate:.1f}% (target 95%).")


def _judge_caveat(clf: dict) -> str:
    if not (clf.get("phase3") or {}).get("pair_mixtures"):
        return ""
    return ("\n- The judge heard mixtures of the held-out pairs (never their test or validation clips), so its own\n"
            "  test F1 is not a held-out-pair figure; the LM's held-out-pair figures still are.")


def _weakest(report: dict, judge: dict, n: int = 4) -> str:
    """The weakest held-out pairs, each with the event the LM's clips lack most and the judge's own
    rate on synthesised originals of the pair."""
    lines = []
    for pair, rate in sorted(report["by_pair"].items(), key=lambda kv: kv[1])[:n]:
        missed = report["missed_by_pair"][pair]
        worst = max(missed, key=missed.get)
        lines.append(f"| {pair} | {_pct(rate)} | {worst}, {missed[worst]} of {report['clips'] // report['pairs']} clips | "
                     f"{_pct(judge['by_pair'][pair])} |")
    return "\n".join(lines)


def _comparison(cmp: dict | None, version: str) -> str:
    """The bundle's LM, its earlier phases and the bundle it replaces, judged alike on the same generated clips."""
    if not cmp or "new" not in cmp.get("judges", {}):
        return ""
    j, gen = cmp["judges"], cmp["generation"]
    prev = cmp.get("previous_version") if "previous" in j and "previous" in gen else None
    cols = ([("previous", "previous", f"{prev} LM, {prev} judge"), ("previous", "new", f"{prev} LM, {version} judge")]
            if prev else [])
    phases = sorted(k for k in gen if k.startswith("phase"))
    cols += [(k, "new", f"{version} LM after {k.replace('phase', 'phase ')}, {version} judge") for k in phases]
    if "final" in gen:
        cols += [("final", "previous", f"{version} LM, {prev} judge")] if prev else []
        cols += [("final", "new", f"{version} LM, {version} judge")]
    if len(cols) < 2:
        return ""

    def row(label: str, key: str, field: str) -> str:
        return f"| {label} | " + " | ".join(_pct(gen[k][jd][key][field]) for k, jd, _ in cols) + " |"

    def judge(name: str, jd: str) -> str:
        return (f"{name}'s classifier (F1 {j[jd]['test_original']['f1']:.3f}, gate "
                f"{_pct(j[jd]['test_decoded']['all_events_found'])}, threshold {j[jd]['threshold']})")

    rows = [row("held-out test pairs: every named event", "test_heldout_pairs", "all_named_detected"),
            row("held-out validation pairs: every named event", "validation_heldout_pairs", "all_named_detected"),
            row("new captions of training pairs: every named event", "train_pairs_new_captions", "all_named_detected"),
            row("held-out test pairs: false positives", "test_heldout_pairs", "false_positive_rate"),
            row("negation: X absent", "negation", "negated_absent"),
            row("sequence: A before B", "sequence", "a_then_b_in_order")]
    replaces = (f", and the LM of the bundle it replaces, {prev} (another codec: its clips decoded by its own). "
                f"Judges: {judge(prev, 'previous')} and {judge(version, 'new')}.") if prev else \
        f". Judge: {judge(version, 'new')}."
    return _fill("judges_table.md", replaces=replaces, columns=" | ".join(label for _, _, label in cols),
                 separator="---|" * len(cols), rows="\n".join(rows))


def _fill(template: str, **fields) -> str:
    return (TEMPLATES / template).read_text().format(**fields)


def write(work: Path, bundle: Path) -> None:
    clf = json.loads((work / "classifier_report.json").read_text())
    lm = json.loads((work / "lm_report.json").read_text())
    cmp_path = work / "judge_comparison.json"
    cmp = json.loads(cmp_path.read_text()) if cmp_path.exists() else None
    gen = json.loads((work / "generation_report.json").read_text())
    manifest = json.loads((bundle / "manifest.json").read_text())
    total = sum(f["bytes"] for f in manifest["files"].values())
    files = "\n".join(f"| {name} | {f['bytes'] / 1e6:.2f} MB |" for name, f in sorted(manifest["files"].items()))
    last = lm["history"][-1] if lm["history"] else {}
    t, v, n, s = gen["test_heldout_pairs"], gen["validation_heldout_pairs"], gen["negation"], gen["sequence"]
    tb, vb = gen["test_heldout_pairs_balanced"], gen["validation_heldout_pairs_balanced"]
    g = gen["train_pairs_new_captions"]
    gate_cost = 100 * (clf["test_original"]["all_events_found"] - clf["test_decoded"]["all_events_found"])
    card = _fill(
        "model_card.md",
        version=manifest["version"], n_labels=len(world.LABELS), train_clips=f"{config.SIZES['train']:,}",
        test_pairs=len(world.pair_splits()["test"]), validation_pairs=len(world.pair_splits()["validation"]),
        labels=", ".join(world.LABELS), vocabulary=len(world.vocabulary()),
        hidden=manifest["hiddenSize"], codec_layout=_codec_layout(bundle), layers=manifest["layers"],
        heads=manifest["heads"], codebooks=manifest["codebooks"], parameters=f"{lm['parameters'] / 1e6:.2f}",
        classifier_phase3=_phase3(clf), threshold=clf["threshold"],
        validation_f1_by_threshold=", ".join(f"{k}: {v:.3f}" for k, v in clf["validation_f1_by_threshold"].items()),
        lm_training=_lm_training(lm, last),
        f1_original=f"{clf['test_original']['f1']:.3f}", found_original=_pct(clf["test_original"]["all_events_found"]),
        f1_decoded=f"{clf['test_decoded']['f1']:.3f}", found_decoded=_pct(clf["test_decoded"]["all_events_found"]),
        tb_pairs=tb["pairs"], tb_clips=tb["clips"], tb_all=_pct(tb["all_named_detected"]),
        tb_false_positives=_pct(tb["false_positive_rate"]),
        vb_pairs=vb["pairs"], vb_clips=vb["clips"], vb_all=_pct(vb["all_named_detected"]),
        t_captions=t["captions"], t_clips=t["clips"], t_all=_pct(t["all_named_detected"]),
        v_captions=v["captions"], v_clips=v["clips"], v_all=_pct(v["all_named_detected"]),
        g_clips=g["clips"], g_all=_pct(g["all_named_detected"]),
        negated_absent=_pct(n["negated_absent"]), in_order=_pct(s["a_then_b_in_order"]),
        ordered_judged=s["ordered_pairs_judged"],
        seeds=gen["seeds_per_caption"], cfg=gen["cfg"], top_k=gen["top_k"],
        bundle_threshold=manifest["classifierThreshold"], captions_per_pair=tb["captions"] // tb["pairs"],
        judge_clips=f"{gen['judge_on_original_test_clips']['clips']:,}",
        weakest=_weakest(tb, gen["judge_on_original_test_clips"]), comparison=_comparison(cmp, manifest["version"]),
        lm_minutes=lm["minutes"], target_met="is met" if tb["all_named_detected"] >= 0.85 else "is not met",
        still_falling=_still_falling(lm), judge_state=_judge_state(clf), gate_cost=f"{gate_cost:.1f}",
        judge_caveat=_judge_caveat(clf), total_mb=f"{total / 1e6:.1f}", files=files)
    (bundle / "README.md").write_text(card)
    _publish_reports(work)


# The build reports the card is computed from, kept in git beside the build (config.REPORTS) so the card's
# numbers can be traced; `build_all --stages card --work reports` rewrites the card from them.
REPORT_FILES = ["classifier_report.json", "classifier_report_phase2.json", "lm_report.json", "generation_report.json",
                "judge_comparison.json", "sampling_sweep.json"]


def _publish_reports(work: Path) -> None:
    if work.resolve() == config.REPORTS.resolve():
        return
    config.REPORTS.mkdir(exist_ok=True)
    for name in REPORT_FILES:
        if (work / name).exists():
            shutil.copyfile(work / name, config.REPORTS / name)
