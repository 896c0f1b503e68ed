"""PyTorch reference explainer for `agx bench`: the same AudioGenX loss on the same weights, with
autograd and torch.optim.Adam, timed on one clip. Prints one JSON line.

    cd native-models/build && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m agx_build.tools.reference_explainer BUNDLE_DIR INPUT.json

INPUT.json (written by the bench): {lmInput: [K*S], textVectors: [L*d], textMask: [L], stepMask: [S],
reference: [S*d], steps: S, tokens: L (the bucket), realSteps, realTokens, epochs, threads}. Thread settings: OPENBLAS_NUM_THREADS=1 with
torch intra-op threads = cores (Debian's OpenBLAS oversubscribes otherwise, ~8x slower on 2 cores);
other combinations were not swept.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import torch

from agx_build.lib import bundle_io, explainer


def main() -> None:
    bundle, spec_path = Path(sys.argv[1]), Path(sys.argv[2])
    spec = json.loads(spec_path.read_text())
    torch.set_num_threads(int(spec.get("threads") or os.cpu_count() or 1))
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
    S, L = s, n
    gen = torch.Generator().manual_seed(0)
    params = [p.requires_grad_(True) for p in explainer.init_params(S, d, gen)]
    opt = torch.optim.Adam(params, lr=1e-3, weight_decay=1e-3)
    coef = torch.tensor([1e-3, 1e-1])
    load_s = time.perf_counter() - t_load
    t0 = time.perf_counter()
    for _ in range(spec["epochs"]):
        noise = torch.rand(S, L, generator=gen)
        loss, _, _, _ = explainer.explainer_loss(lm, tokens, u, text_mask, step_mask, reference, params, noise, coef)
        opt.zero_grad()
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "load_seconds": load_s, "epochs": spec["epochs"], "threads": torch.get_num_threads(),
                      "torch": torch.__version__, "final_loss": float(loss)}))


if __name__ == "__main__":
    main()
