"""Stage lm: train the AudioGen-shaped LM on the corpus codes, with condition dropout for classifier-free guidance."""
from __future__ import annotations

import filecmp
import json
import math
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from agx_build import config
from agx_build.lib.lm import NULL_ID, AudioLM, LMConfig, build_pattern, lm_input
from agx_build.lib.text import encode_text, text_batch, vocab


def seq_loss(model: AudioLM, codes: torch.Tensor, ids: torch.Tensor, tmask: torch.Tensor) -> torch.Tensor:
    cfg = model.cfg
    pattern = build_pattern(codes, cfg.card)
    u = model.text(ids, tmask)
    hidden = model.forward_seq(lm_input(pattern, cfg.card), u, tmask)
    logits = model.logits(hidden)  # [B, K, S, card]
    valid = pattern != cfg.card
    return F.cross_entropy(logits[valid], pattern[valid])


def train_step(model: AudioLM, opt: torch.optim.Optimizer, codes: torch.Tensor, texts: list[list[int]], n_train: int,
               gen: torch.Generator) -> torch.Tensor:
    """One AdamW step on a random batch, with condition dropout (so classifier-free guidance works)."""
    idx = torch.randint(n_train, (config.LM_BATCH,), generator=gen)
    drop = torch.rand(config.LM_BATCH, generator=gen) < config.LM_COND_DROPOUT
    ids, tmask = text_batch([[NULL_ID] if drop[j] else texts[int(i)] for j, i in enumerate(idx)])
    model.train()
    loss = seq_loss(model, codes[idx], ids, tmask)
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss


@dataclass(frozen=True)
class LaterPhase:
    """A continuation phase: `steps` more steps (or, with steps None, as many as `minutes` allow at the
    measured rate) at peak learning rate `peak_lr`."""
    steps: int | None
    peak_lr: float
    minutes: float | None = None


def run(work: Path, minutes: float, force: bool, log, steps: int | None = None,
        later: Sequence[LaterPhase] = (), last_ema: bool = False) -> None:
    """Phase 1 trains from scratch (lm_phase1.pt, cached); each later phase continues from the previous
    phase's weights with a fresh AdamW and a new cosine schedule at a lower peak learning rate
    (lm_phase2.pt, lm_phase3.pt, ..., cached). lm.pt is the last phase run, or with last_ema its moving
    average of the weights (a choice made on the validation pairs)."""
    path = work / "lm.pt"
    phase1 = work / "lm_phase1.pt"
    if not phase1.exists() or force:
        _phase1(work, minutes, log, steps)
    last, report = phase1, work / "lm_report_phase1.json"
    for phase, p in enumerate(later, start=2):
        out = work / f"lm_phase{phase}.pt"
        if force or not out.exists():
            continue_training(work, torch.load(last), p.steps, p.minutes, p.peak_lr, log, phase=phase)
        last, report = out, work / f"lm_report_phase{phase}.json"
    if last_ema and later:
        last = last.with_name(last.stem + "_ema.pt")
    if path.exists() and filecmp.cmp(last, path, shallow=False):
        return  # lm.pt is already these phases' result; an untouched file keeps later caches valid
    shutil.copyfile(last, path)
    rep = json.loads(report.read_text())
    rep["exported"] = f"moving average of the last phase's weights (decay {config.LM_EMA_DECAY})" if last.name.endswith("_ema.pt") else "last weights"
    (work / "lm_report.json").write_text(json.dumps(rep, indent=1))


def _phase1(work: Path, minutes: float, log, steps: int | None = None) -> None:
    path = work / "lm_phase1.pt"
    v = vocab()
    cfg = LMConfig(vocab_size=len(v))
    train = torch.load(work / "corpus_train.pt")
    val = torch.load(work / "corpus_validation.pt")[:256]
    codes = torch.from_numpy(np.stack([c["codes"] for c in train]).astype(np.int64))
    texts = [encode_text(c["words"], v, cfg.max_text) for c in train]
    val_codes = torch.from_numpy(np.stack([c["codes"] for c in val]).astype(np.int64))
    val_ids, val_mask = text_batch([encode_text(c["words"], v, cfg.max_text) for c in val])
    torch.manual_seed(2)
    model = AudioLM(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"lm: {n_params / 1e6:.2f}M parameters, {len(train)} clips")
    opt = torch.optim.AdamW(model.parameters(), lr=config.LM_PHASE1_LR, betas=(0.9, 0.95), weight_decay=0.05)
    gen = torch.Generator().manual_seed(3)
    t0 = time.time()
    total = steps
    step = 0
    history = []
    while total is None or step < total:
        if total is None and step == 20:  # fix the step count from the measured rate, then stay seeded
            rate = 20 / (time.time() - t0)
            total = int(rate * minutes * 60)
            log(f"lm: {rate:.2f} steps/s -> {total} steps")
        warm = 300
        frac = step / max(total or 10**6, 1)
        lr = config.LM_PHASE1_LR * min(1.0, (step + 1) / warm) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0))))
        for g in opt.param_groups:
            g["lr"] = lr
        loss = train_step(model, opt, codes, texts, len(train), gen)
        step += 1
        if step % 200 == 0 or step == total:
            model.eval()
            with torch.no_grad():
                vl = float(seq_loss(model, val_codes[:128], val_ids[:128], val_mask[:128]))
            history.append({"step": step, "train_loss": round(float(loss), 4), "val_loss": round(vl, 4),
                            "minutes": round((time.time() - t0) / 60, 1)})
            log(f"lm: step {step}/{total} loss {float(loss):.3f} val {vl:.3f} lr {lr:.2e}")
            torch.save({"cfg": cfg.to_dict(), "state": model.state_dict(), "step": step}, work / "lm_partial.pt")
    torch.save({"cfg": cfg.to_dict(), "state": model.state_dict(), "step": step}, path)
    (work / "lm_report_phase1.json").write_text(json.dumps({
        "parameters": n_params, "steps": step, "batch": config.LM_BATCH, "minutes": round((time.time() - t0) / 60, 1),
        "history": history}, indent=1))


def continue_training(work: Path, ckpt: dict, steps: int | None, minutes: float | None, peak_lr: float, log,
                      phase: int = 2) -> None:
    """Phase 2 or later: from the previous phase's weights, `steps` more steps of batch 32 (or as many
    as `minutes` allow at the rate measured over the first 30 steps; the count is then fixed and logged,
    so a rerun with that count reproduces it). Fresh AdamW (earlier moments are not kept), 100 warm-up
    steps, cosine from peak_lr to 10% of it. Each phase's batch stream is seeded by its number.
    An exponential moving average of the weights (config.LM_EMA_DECAY) is kept beside them, in
    lm_phase{phase}_ema.pt; it does not change the training itself.

    A phase outlasts a session here, so every 100 steps its whole state (weights, moving average,
    AdamW moments, random streams, history) goes to lm_phase{phase}_resume.pt, and a rerun of the same
    phase from the same weights picks up there: the same batches, the same result."""
    v = vocab()
    cfg = LMConfig(**ckpt["cfg"])
    assert cfg.vocab_size == len(v)
    train = torch.load(work / "corpus_train.pt")
    val = torch.load(work / "corpus_validation.pt")[:256]
    codes = torch.from_numpy(np.stack([c["codes"] for c in train]).astype(np.int64))
    texts = [encode_text(c["words"], v, cfg.max_text) for c in train]
    n_train = len(train)
    del train
    val_codes = torch.from_numpy(np.stack([c["codes"] for c in val]).astype(np.int64))
    val_ids, val_mask = text_batch([encode_text(c["words"], v, cfg.max_text) for c in val])
    torch.manual_seed(2 * phase)
    model = AudioLM(cfg)
    model.load_state_dict(ckpt["state"])
    ema = {k: t.detach().clone() for k, t in model.state_dict().items()}
    start_step = int(ckpt.get("step", 0))
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=peak_lr, betas=(0.9, 0.95), weight_decay=0.05)
    gen = torch.Generator().manual_seed(2 * phase + 1)

    def val_loss(state: dict | None = None) -> float:
        m = model
        if state is not None:
            m = AudioLM(cfg)
            m.load_state_dict(state)
        m.eval()
        with torch.no_grad():
            return float(seq_loss(m, val_codes[:128], val_ids[:128], val_mask[:128]))

    def save(path: Path, state: dict, step: int, **extra) -> None:
        torch.save({"cfg": cfg.to_dict(), "state": state, "step": start_step + step, **extra}, path)

    resume_path = work / f"lm_phase{phase}_resume.pt"
    resume = torch.load(resume_path) if resume_path.exists() else None
    same_run = {"start_step": start_step, "peak_lr": peak_lr, "steps": steps}
    if resume is not None and resume["run"] == same_run:
        model.load_state_dict(resume["state"])
        ema = resume["ema"]
        opt.load_state_dict(resume["opt"])
        gen.set_state(resume["gen"])
        torch.set_rng_state(resume["torch_rng"])
        step, total, history = resume["step"], resume["total"], resume["history"]
        t0 = time.time() - 60 * resume["minutes"]
        log(f"lm phase {phase}: resuming at step {step}/{total} from {resume_path.name}")
    else:
        v0 = val_loss()
        log(f"lm phase {phase}: from step {start_step} (val {v0:.3f}), {n_train} clips, peak lr {peak_lr:g}")
        history = [{"step": 0, "val_loss": round(v0, 4), "minutes": 0.0}]
        t0 = time.time()
        total = steps
        step = 0
    while total is None or step < total:
        if total is None and step == 30:
            rate = 30 / (time.time() - t0)
            total = max(60, int(rate * minutes * 60))
            log(f"lm phase {phase}: {rate:.3f} steps/s -> {total} steps (fix it in config.LATER_PHASES)")
        frac = step / max(total or 10**6, 1)
        lr = peak_lr * min(1.0, (step + 1) / config.LM_LATER_WARMUP) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0))))
        for g in opt.param_groups:
            g["lr"] = lr
        loss = train_step(model, opt, codes, texts, n_train, gen)
        with torch.no_grad():
            for k, t in model.state_dict().items():
                if t.is_floating_point():
                    ema[k].mul_(config.LM_EMA_DECAY).add_(t, alpha=1 - config.LM_EMA_DECAY)
                else:
                    ema[k].copy_(t)
        step += 1
        if step % 100 == 0 or step == total:
            vl = val_loss() if (step % 200 == 0 or step == total) else None
            if vl is not None:
                history.append({"step": step, "train_loss": round(float(loss), 4), "val_loss": round(vl, 4),
                                "ema_val_loss": round(val_loss(ema), 4), "minutes": round((time.time() - t0) / 60, 1)})
            log(f"lm phase {phase}: step {step}/{total} loss {float(loss):.3f} val {vl} lr {lr:.2e}")
            save(work / "lm_partial.pt", model.state_dict(), step, phase_step=step, phase_total=total)
            save(work / "lm_partial_ema.pt", ema, step)
            if total is not None:
                torch.save({"run": same_run, "state": model.state_dict(), "ema": ema, "opt": opt.state_dict(),
                            "gen": gen.get_state(), "torch_rng": torch.get_rng_state(), "step": step, "total": total,
                            "history": history, "minutes": (time.time() - t0) / 60}, resume_path.with_suffix(".tmp"))
                resume_path.with_suffix(".tmp").replace(resume_path)  # never a half-written resume file
    save(work / f"lm_phase{phase}.pt", model.state_dict(), step)
    save(work / f"lm_phase{phase}_ema.pt", ema, step)
    resume_path.unlink(missing_ok=True)
    prev = work / f"lm_report_phase{phase - 1}.json"
    phases = _phases(json.loads(prev.read_text())) if prev.exists() else []
    phases.append({"phase": phase, "steps": step, "schedule_steps": total, "peak_lr": peak_lr, "warmup": config.LM_LATER_WARMUP,
                   "minutes": round((time.time() - t0) / 60, 1), "history": history})
    (work / f"lm_report_phase{phase}.json").write_text(json.dumps(_report(phases, n_params), indent=1))


def _phases(report: dict) -> list[dict]:
    """The per-phase records of an lm report (phase 1's report is itself the only phase)."""
    if "phases" in report:
        return report["phases"]
    return [dict(report, phase=1)]


def _report(phases: list[dict], n_params: int) -> dict:
    history, offset = [], 0
    for p in phases:
        history += [dict(h, step=offset + h["step"]) for h in p["history"] if p["phase"] == 1 or h["step"] > 0]
        offset += p["steps"]
    return {"parameters": n_params, "steps": offset, "batch": config.LM_BATCH,
            "minutes": round(sum(p["minutes"] for p in phases), 1), "phases": phases, "history": history}
