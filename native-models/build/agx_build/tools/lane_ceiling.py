"""How time-localised is the LM's own use of the naming words? The frame ROC-AUC that a lane would
score if it were the LM's dependence on the word itself (docs/decisions.md, "Where the frame goal
stands"). Its input is the teacher-forced clips that scripts/lane-ceiling.mjs writes (the engine's codec
and tokenizer); not part of any build.

    cd native-models/build && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m agx_build.tools.lane_ceiling BUNDLE_DIR INPUT.json OUT.json

Two lanes per word i, over the clip's steps t, from the clip's own audio teacher-forced under its caption:
- local:  1 - cos(e_t, e_t with word i at weight 0 at step t only): what step t's output needs of the
          word at step t (one batched forward per word: batch row b mutes the word at step b);
- global: 1 - cos(e_t, e_t with word i at weight 0 at every step): the null-effect prior's raw material.
Each event is scored as `agx benchmark-gt` scores a lane: the naming word with the highest mean, its
lane over the clip's frames, ROC-AUC against the event's span (sequential clips only).
"""
from __future__ import annotations

import json
import math
import statistics
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

from agx_build.lib import bundle_io


def roc_auc(scores: list[float], positive: list[bool]) -> float:
    pos = [s for s, p in zip(scores, positive) if p]
    neg = [s for s, p in zip(scores, positive) if not p]
    if not pos or not neg:
        return math.nan
    return sum((a > b) + 0.5 * (a == b) for a in pos for b in neg) / (len(pos) * len(neg))


def step_range(frame_rate: float, frames: int, start: float, end: float) -> tuple[int, int]:
    """electron/common/mask.ts stepRange: the steps whose frames start inside [start, end)."""
    frame = lambda sec: round(sec * frame_rate * 1e6) / 1e6  # noqa: E731
    a = max(0, min(frames - 1, math.floor(frame(start))))
    return a, max(a + 1, min(frames, math.ceil(frame(end))))


def dependence(lm, clip: dict) -> dict[str, torch.Tensor]:
    K, d = lm.cfg.n_codebooks, lm.cfg.d
    S, L, s, n = clip["steps"], clip["tokens"], clip["realSteps"], clip["realTokens"]
    tokens = torch.tensor(clip["lmInput"], dtype=torch.int64).reshape(1, K, S)[:, :, :s]
    u = torch.tensor(clip["textVectors"]).reshape(1, L, d)[:, :n]
    text_mask = torch.tensor(clip["textMask"]).reshape(1, L)[:, :n]
    reference = lm.forward_seq(tokens, u, text_mask, torch.ones(1, s, n))[0]
    local, every = torch.zeros(s, n), torch.zeros(s, n)
    diag = torch.arange(s)
    for i in range(n):
        w = torch.ones(s, s, n)
        w[diag, diag, i] = 0
        hidden = lm.forward_seq(tokens.expand(s, -1, -1), u.expand(s, -1, -1), text_mask.expand(s, -1), w)
        local[:, i] = 1 - F.cosine_similarity(hidden[diag, diag], reference, dim=-1)
        w = torch.ones(1, s, n)
        w[0, :, i] = 0
        every[:, i] = 1 - F.cosine_similarity(lm.forward_seq(tokens, u, text_mask, w)[0], reference, dim=-1)
    return {"local": local, "global": every}


def main() -> None:
    bundle, spec, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    lm = bundle_io.lm_from_bundle(bundle)
    frame_rate = json.loads((bundle / "manifest.json").read_text())["frameRate"]
    events: list[dict] = []
    with torch.no_grad():
        for clip in json.loads(spec.read_text()):
            for lane_kind, m in dependence(lm, clip).items():
                mean = m.mean(0)
                for k, ev in enumerate(clip["events"]):
                    word = max(ev["word_idx"], key=lambda i: float(mean[i]))
                    a, b = step_range(frame_rate, clip["frames"], ev["start"], ev["end"])
                    auc = roc_auc(m[: clip["frames"], word].tolist(), [a <= t < b for t in range(clip["frames"])])
                    if not math.isnan(auc):
                        events.append({"lane": lane_kind, "caption": clip["caption"], "event": k, "label": ev["label"], "auc": auc})
    summary = {}
    for kind in ("local", "global"):
        aucs = [e["auc"] for e in events if e["lane"] == kind]
        summary[kind] = {"frameAuc": statistics.mean(aucs), "frameAucMedian": statistics.median(aucs), "events": len(aucs)}
    out.write_text(json.dumps({"bundle": str(bundle.name), "summary": summary, "events": events}, indent=1) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
