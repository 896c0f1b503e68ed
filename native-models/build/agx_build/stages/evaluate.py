"""Stage evaluate: measure the bundle's quality for the model card: generate clips for held-out captions
and judge them with the bundle's classifier (generation_report.json; the card stage reads it).

Generation here is the PyTorch twin of electron/engine/generate.ts (same delay pattern, CFG 3.0,
top-k 250, temperature 1); the parity tests show the ONNX graphs match these modules.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import torch

from agx_build import config
from agx_build.lib import world
from agx_build.lib.checkpoints import load_classifier, load_codec, load_lm, threshold
from agx_build.lib.classifier import Classifier
from agx_build.lib.lm import NULL_ID, AudioLM, unpattern
from agx_build.lib.text import text_batch, vocab


@torch.no_grad()
def generate(lm: AudioLM, captions: list[list[str]], seeds: list[int], frames: int = 125,
             cfg_scale: float = config.CFG, top_k: int = config.TOP_K) -> torch.Tensor:
    """Codes [N, K, frames] for each (caption, seed) pair, batched; classifier-free guidance cfg_scale, top-k top_k."""
    cfg = lm.cfg
    v = vocab()
    n = len(captions)
    ids, tmask = text_batch([[v.get(w, 1) for w in c] for c in captions] + [[NULL_ID]] * n)
    u = lm.text(ids, tmask)
    ck, cv = lm.cross_kv(u)
    K, card = cfg.n_codebooks, cfg.card
    steps = frames + K - 1
    pattern = torch.full((n, K, steps), card, dtype=torch.int64)
    H, dh = cfg.heads, cfg.d // cfg.heads
    pk = torch.zeros(cfg.layers, 2 * n, H, 0, dh)
    pv = pk.clone()
    # one stream per batch, seeded from its seeds: reproducible, and one multinomial call per step
    gen = torch.Generator().manual_seed(int(sum(s * 1000003 ** i for i, s in enumerate(seeds)) % 2**31))
    weights = torch.ones(2 * n, ids.shape[1])
    for s in range(steps):
        prev = torch.full((n, K), card) if s == 0 else pattern[:, :, s - 1]
        logits, pk, pv = lm.step(torch.cat([prev, prev]), torch.tensor(float(s)), pk, pv, ck, cv, tmask, weights)
        guided = logits[n:] + cfg_scale * (logits[:n] - logits[n:])
        top = torch.topk(guided, min(top_k, card), -1)
        probs = torch.softmax(top.values, -1)
        j = torch.multinomial(probs.reshape(n * K, -1), 1, generator=gen).reshape(n, K, 1)
        drawn = torch.gather(top.indices, 2, j)[:, :, 0]
        frame = s - torch.arange(K)
        valid = (frame >= 0) & (frame < frames)
        pattern[:, :, s] = torch.where(valid.unsqueeze(0), drawn, torch.full_like(drawn, card))
    return unpattern(pattern, frames)


def judge(clf: Classifier, codec, codes: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    probs, acts = [], []
    with torch.no_grad():
        for i in range(0, len(codes), 16):
            mel = codec.logmel(codec.decode(codes[i:i + 16]))
            clip, frame = clf(mel)
            probs.append(torch.sigmoid(clip))
            acts.append(torch.sigmoid(frame))
    return torch.cat(probs).numpy(), torch.cat(acts).numpy()


@functools.lru_cache(maxsize=2)
def _split(work: Path, name: str) -> list[dict]:
    """A corpus split, read once per run (the test split is about 270 MB)."""
    return torch.load(work / f"corpus_{name}.pt")


def caption_sets(work: Path, n_captions: int = 30) -> list[tuple[str, list[dict], object]]:
    """The evaluation sets, in report order: (name, clips, extra scorer or None)."""
    L = world.LABELS
    test = _distinct(_split(work, "test"), n_captions)
    val = _distinct(_split(work, "validation"), n_captions)
    in_grammar = [{"words": c.words, "events": [{"label": e.label} for e in c.events]}
                  for c in (world.sample_clip(10**7 + i, "train") for i in range(n_captions))]
    # negation and ordering, on in-grammar captions built for the purpose (train pairs only)
    rng = np.random.default_rng(11)
    splits = world.pair_splits()
    held = splits["test"] | splits["validation"]
    neg, seq = [], []
    while len(neg) < 20 or len(seq) < 20:
        a, b = [str(x) for x in rng.choice(L, 2, replace=False)]
        if frozenset((a, b)) in held:
            continue
        if len(neg) < 20:
            c = world.make_caption(rng, [a], False, b)
            neg.append({"words": c.words, "events": [{"label": a}], "negated": [b]})
        if len(seq) < 20:
            c = world.make_caption(rng, [a, b], True, None)
            if " then " in c.caption or " followed by " in c.caption:
                seq.append({"words": c.words, "events": [{"label": a}, {"label": b}], "order": [a, b]})
    return [("test_heldout_pairs", test, None), ("validation_heldout_pairs", val, None),
            ("train_pairs_new_captions", in_grammar, None), ("negation", neg, _negation), ("sequence", seq, _ordering)]


def balanced_sets(work: Path, per_pair: int = 10) -> list[tuple[str, list[dict], object]]:
    """Held-out sets that weigh every held-out pair alike: the first `per_pair` distinct captions of each
    pair, in corpus order. The model card's held-out figures (docs/decisions.md, 'Held-out figures on
    every held-out pair')."""
    out = []
    for split in ("test", "validation"):
        clips, taken = [], {}
        corpus = _split(work, split)
        for c in _distinct(corpus, len(corpus)):
            pair = _pair(c)
            if taken.get(pair, 0) < per_pair:
                taken[pair] = taken.get(pair, 0) + 1
                clips.append(c)
        out.append((f"{split}_heldout_pairs_balanced", clips, _by_pair))
    return out


def _pair(clip: dict) -> str:
    return " + ".join(sorted({e["label"] for e in clip["events"]}))


def _by_pair(clips, det, acts=None):
    """Per pair: the share of clips with every event found, and how often each event was missed."""
    L = world.LABELS
    found: dict[str, list[bool]] = {}
    missed: dict[str, dict[str, int]] = {}
    for i, c in enumerate(clips):
        labels = sorted({e["label"] for e in c["events"]})
        found.setdefault(_pair(c), []).append(all(det[i, L.index(x)] for x in labels))
        counts = missed.setdefault(_pair(c), {x: 0 for x in labels})
        for x in labels:
            counts[x] += int(not det[i, L.index(x)])
    return {"pairs": len(found), "by_pair": {p: round(float(np.mean(f)), 4) for p, f in sorted(found.items())},
            "missed_by_pair": dict(sorted(missed.items()))}


def judge_on_originals(clf: Classifier, thr: float, work: Path) -> dict:
    """How well the judge hears each held-out test pair in the synthesised originals (no codec, no LM):
    what part of a pair's generation figure is the judge's own miss."""
    clips = _split(work, "test")
    mels = torch.from_numpy(np.stack([c["mel"] for c in clips]).astype(np.float32))
    with torch.no_grad():
        probs = torch.cat([torch.sigmoid(clf(mels[i:i + 64])[0]) for i in range(0, len(mels), 64)]).numpy()
    return {"clips": len(clips), **_by_pair(clips, probs >= thr)}


def _expand(clips: list[dict], seeds: int) -> list[dict]:
    return [c for c in clips for _ in range(seeds)]


def _negation(clips, det, acts):
    L = world.LABELS
    absent = [not det[i, L.index(c["negated"][0])] for i, c in enumerate(clips)]
    return {"negated_absent": round(float(np.mean(absent)), 4)}


def _ordering(clips, det, acts):
    L = world.LABELS
    ok = []
    for i, c in enumerate(clips):
        a, b = (L.index(x) for x in c["order"])
        on_a, on_b = np.nonzero(acts[i, a] > 0.5)[0], np.nonzero(acts[i, b] > 0.5)[0]
        if len(on_a) and len(on_b):
            ok.append(np.median(on_a) < np.median(on_b))
    return {"a_then_b_in_order": round(float(np.mean(ok)), 4) if ok else None, "ordered_pairs_judged": len(ok)}


def generated_mels(lm: AudioLM, codec, sets, seeds: int, log=None, cfg_scale: float = config.CFG,
                   top_k: int = config.TOP_K) -> dict[str, torch.Tensor]:
    """Per set, the log-mels of the generated clips after Griffin-Lim decoding (what the judge hears)."""
    out = {}
    for name, clips, _ in sets:
        caps = [c["words"] for c in clips for _ in range(seeds)]
        sd = [1000 + j for _ in clips for j in range(seeds)]
        codes = torch.cat([generate(lm, caps[i:i + 50], sd[i:i + 50], cfg_scale=cfg_scale, top_k=top_k)
                           for i in range(0, len(caps), 50)])
        with torch.no_grad():
            out[name] = torch.cat([codec.logmel(codec.decode(codes[i:i + 16])) for i in range(0, len(codes), 16)])
        if log:
            log(f"evaluate: generated {len(codes)} clips for {name}")
    return out


def score_sets(clf: Classifier, thr: float, mels: dict[str, torch.Tensor], sets, seeds: int) -> dict:
    L = world.LABELS
    report = {}
    for name, clips, extra in sets:
        with torch.no_grad():
            res = [clf(mels[name][i:i + 64]) for i in range(0, len(mels[name]), 64)]
        probs = torch.sigmoid(torch.cat([r[0] for r in res])).numpy()
        acts = torch.sigmoid(torch.cat([r[1] for r in res])).numpy()
        det = probs >= thr
        ex = _expand(clips, seeds)
        named = [sorted({e["label"] for e in c["events"]}) for c in ex]
        all_found = np.mean([all(det[i, L.index(l)] for l in named[i]) for i in range(len(named))])
        event_recall = np.mean([det[i, L.index(l)] for i in range(len(named)) for l in named[i]])
        fp = np.mean([det[i, j] for i in range(len(named)) for j in range(len(L)) if L[j] not in named[i]])
        out = {"clips": len(named), "captions": len(clips), "all_named_detected": round(float(all_found), 4),
               "event_recall": round(float(event_recall), 4), "false_positive_rate": round(float(fp), 4)}
        if extra:
            out.update(extra(ex, det, acts))
        report[name] = out
    return report


def run(work: Path, log, codec=None, n_captions: int = 30, seeds: int = 5) -> dict:
    codec = codec or load_codec(work)
    lm = load_lm(work)
    clf = load_classifier(work)
    report: dict = {"cfg": config.CFG, "top_k": config.TOP_K, "seeds_per_caption": seeds}
    standard = seeds == 5 and n_captions == 30
    # the first cache is shared with tools/compare_judges.py
    for sets, cache in [(caption_sets(work, n_captions), work / "generated_mels_final.pt"),
                        (balanced_sets(work), work / "generated_mels_balanced.pt")]:
        if standard and cache.exists() and cache.stat().st_mtime > (work / "lm.pt").stat().st_mtime:
            mels = torch.load(cache)
        else:
            mels = generated_mels(lm, codec, sets, seeds, log)
            if standard:
                torch.save(mels, cache)
        for name, out in score_sets(clf, threshold(work), mels, sets, seeds).items():
            report[name] = out
            log(f"evaluate: {name} {json.dumps(out)}")
    report["judge_on_original_test_clips"] = judge_on_originals(clf, threshold(work), work)
    (work / "generation_report.json").write_text(json.dumps(report, indent=1))
    return report


def _distinct(clips: list[dict], n: int) -> list[dict]:
    seen, out = set(), []
    for c in clips:
        if c["caption"] not in seen:
            seen.add(c["caption"])
            out.append(c)
        if len(out) == n:
            break
    return out
