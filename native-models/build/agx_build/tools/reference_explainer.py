"""PyTorch reference explainer for `agx bench`: the same AudioGenX loss on the same weights, with
autograd and torch.optim.Adam, timed on one clip at each thread count asked for. Prints one JSON line.

    cd native-models/build && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m agx_build.tools.reference_explainer BUNDLE_DIR INPUT.json

INPUT.json (written by the bench): {lmInput: [K*S], textVectors: [L*d], textMask: [L], stepMask: [S],
reference: [S*d], steps: S, tokens: L (the bucket), realSteps, realTokens, epochs, threads: [n, ...],
repeats}. Each thread count runs `repeats` timed explanations (fresh parameters and Adam state each)
after a short warm-up, so the bench can give PyTorch its fastest setting on this machine: it reports
every thread count's median and picks the best. OPENBLAS_NUM_THREADS=1 is set by the caller: Debian's
OpenBLAS oversubscribes torch's own threads otherwise (~8x slower on 2 cores).
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch

from agx_build.lib import bundle_io, explainer


def explain_once(lm, tokens, u, text_mask, step_mask, reference, epochs: int) -> tuple[float, float]:
    S, d = reference.shape
    L = u.shape[1]
    gen = torch.Generator().manual_seed(0)
    params = [p.requires_grad_(True) for p in explainer.init_params(S, d, gen)]
    opt = torch.optim.Adam(params, lr=1e-3, weight_decay=1e-3)
    coef = torch.tensor([1e-3, 1e-1, 1.0, 1.0, 0.0])  # alpha, beta, factual, counterfactual, gamma (0: the paper's method)
    token_weights = torch.ones(S, L)  # the bench explains an unweighted take
    prior = torch.zeros(S, L)
    t0 = time.perf_counter()
    for _ in range(epochs):
        noise = torch.rand(S, L, generator=gen)
        loss, _, _, _ = explainer.explainer_loss(lm, tokens, u, text_mask, step_mask, reference, token_weights, params, noise,
                                                   coef, prior)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return time.perf_counter() - t0, float(loss)


def main() -> None:
    bundle, spec_path = Path(sys.argv[1]), Path(sys.argv[2])
    spec = json.loads(spec_path.read_text())
    threads = spec.get("threads") or [os.cpu_count() or 1]
    threads = threads if isinstance(threads, list) else [threads]
    repeats = int(spec.get("repeats") or 1)
    t_load = time.perf_counter()
    lm = bundle_io.lm_from_bundle(bundle)
    for p in lm.parameters():
        p.requires_grad_(False)
    S, L, K, d = spec["steps"], spec["tokens"], lm.cfg.n_codebooks, lm.cfg.d
    # The reference runs at the clip's exact size (no bucket padding): the fairest shape for PyTorch.
    s, n = spec["realSteps"], spec["realTokens"]
    tokens = torch.tensor(spec["lmInput"], dtype=torch.int64).reshape(1, K, S)[:, :, :s]
    u = torch.tensor(spec["textVectors"]).reshape(1, L, d)[:, :n]
    text_mask = torch.tensor(spec["textMask"]).reshape(1, L)[:, :n]
    step_mask = torch.tensor(spec["stepMask"])[:s]
    reference = torch.tensor(spec["reference"]).reshape(S, d)[:s]
    load_s = time.perf_counter() - t_load
    sweep = []
    for n_threads in threads:
        torch.set_num_threads(int(n_threads))
        # warm-up: the first epochs pay for torch's lazy allocations and thread pool start
        explain_once(lm, tokens, u, text_mask, step_mask, reference, 2)
        runs = [explain_once(lm, tokens, u, text_mask, step_mask, reference, spec["epochs"]) for _ in range(repeats)]
        seconds = [r[0] for r in runs]
        sweep.append({"threads": torch.get_num_threads(), "seconds": statistics.median(seconds), "secondsAll": seconds,
                      "final_loss": runs[-1][1]})
    best = min(sweep, key=lambda r: r["seconds"])
    print(json.dumps({"seconds": best["seconds"], "threads": best["threads"], "load_seconds": load_s, "epochs": spec["epochs"],
                      "repeats": repeats, "torch": torch.__version__, "final_loss": best["final_loss"],
                      "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"), "sweep": sweep}))


if __name__ == "__main__":
    main()
