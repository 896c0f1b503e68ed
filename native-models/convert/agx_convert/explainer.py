"""AudioGenX's explainer epoch as one ONNX graph (explainer_step_s{S}_l{L}.onnx) for a converted LM.

The engine (electron/engine/explain/audiogenx.ts) runs the same contract as tiny-foley's
native-models/build/agx_build/lib/explainer.py, so the inputs, outputs and numbers are those; it is
written again here over LMGraph rather than imported, because the two packages are separate Python
roots (each run as `python -m` from its own folder) and the build's module is tied to tiny-foley's LM:
  p[t, i] = sigmoid(w2_t . PReLU_t(W1_t u_i + b1_t) + b2_t)            (one MLP per LM step t)
  M       = sigmoid(logit(p) + logit(noise))                           (binary Concrete, tau 1)
  L       = -sum_t cos(e_t, e~_t(M)) + sum_t cos(e_t, e~_t(1 - M)) + alpha sum|p| + beta sqrt(sum p^2)
  params <- Adam(lr, L2 weight decay as torch.optim.Adam, betas 0.9 / 0.999, eps 1e-8)
The generators' width: the paper uses 512 for AudioGen-medium (d = 1536), i.e. d / 3, the default here.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from agx_convert.modules.lm import LMGraph

PARAMS = ["w1", "b1", "prelu", "w2", "b2"]
INPUTS = (["tokens", "text_vectors", "text_mask", "step_mask", "reference"] + PARAMS
          + [f"m_{n}" for n in PARAMS] + [f"v_{n}" for n in PARAMS] + ["step", "noise", "hyper"])
OUTPUTS = ([f"new_{n}" for n in PARAMS] + [f"new_m_{n}" for n in PARAMS] + [f"new_v_{n}" for n in PARAMS]
           + ["p", "mask", "p_next", "terms", "loss", "grad_b2", "grad_prelu"])


def default_hidden(d: int) -> int:
    return max(8, d // 3)


def mask_probabilities(u, w1, b1, prelu, w2, b2):
    """u [L, d]; w1 [S, d, H]; b1 [S, H]; prelu [S]; w2 [S, H]; b2 [S] -> p [S, L]."""
    h = torch.einsum("ld,sdh->slh", u, w1) + b1.unsqueeze(1)
    h = torch.where(h >= 0, h, h * prelu.reshape(-1, 1, 1))
    return torch.sigmoid(torch.einsum("slh,sh->sl", h, w2) + b2.unsqueeze(1))


def step_function(lm: LMGraph):
    """(inputs..., params, Adam m, Adam v, step, noise, hyper) -> the updated state and diagnostics."""
    sign = torch.tensor([-1.0, 1.0])

    def fn(tokens, u, text_mask, step_mask, reference, w1, b1, prelu, w2, b2,
           m_w1, m_b1, m_prelu, m_w2, m_b2, v_w1, v_b1, v_prelu, v_w2, v_b2, step, noise, hyper):
        params = [x.detach().requires_grad_(True) for x in (w1, b1, prelu, w2, b2)]
        lr, wd, alpha, beta = hyper[0], hyper[1], hyper[2], hyper[3]
        valid = step_mask.unsqueeze(1) * text_mask  # [S, L]
        p = mask_probabilities(u[0], *params) * valid
        logit = torch.log(p + 1e-7) - torch.log(1 - p + 1e-7) + torch.log(noise + 1e-7) - torch.log(1 - noise + 1e-7)
        m = torch.sigmoid(logit) * valid
        hidden = lm.forward_seq(tokens.expand(2, -1, -1), u.expand(2, -1, -1), text_mask.expand(2, -1), torch.stack([m, 1.0 - m]))
        cos = F.cosine_similarity(hidden, reference.unsqueeze(0).expand(2, -1, -1), dim=-1, eps=1e-8) * step_mask
        fact_cf = (cos * sign.unsqueeze(1)).sum(1)  # [-sum cos_f, +sum cos_cf]
        l1 = p.abs().sum()
        l2 = torch.sqrt((p * p).sum() + 1e-12)
        loss = fact_cf.sum() + alpha * l1 + beta * l2
        grads = torch.autograd.grad(loss, params)
        t = step[0] + 1.0
        new_p, new_m, new_v = [], [], []
        for prm, g, mm, vv in zip(params, grads, (m_w1, m_b1, m_prelu, m_w2, m_b2), (v_w1, v_b1, v_prelu, v_w2, v_b2)):
            g = g + wd * prm.detach()
            mm = 0.9 * mm + 0.1 * g
            vv = 0.999 * vv + 0.001 * g * g
            mhat = mm / (1 - torch.pow(torch.tensor(0.9), t))
            vhat = vv / (1 - torch.pow(torch.tensor(0.999), t))
            new_p.append(prm.detach() - lr * mhat / (torch.sqrt(vhat) + 1e-8))
            new_m.append(mm)
            new_v.append(vv)
        p_next = mask_probabilities(u[0], *new_p) * valid
        terms = torch.stack([-fact_cf[0], fact_cf[1], l1, l2])
        return (*new_p, *new_m, *new_v, p.detach(), m.detach(), p_next, terms.detach(), loss.detach(), grads[4], grads[2])

    return fn


def example(lm: LMGraph, steps: int, tokens: int, hidden: int):
    cfg = lm.cfg
    g = torch.Generator().manual_seed(8)
    d = cfg.dim
    k1, k2 = 1 / d ** 0.5, 1 / hidden ** 0.5
    params = [(torch.rand(steps, d, hidden, generator=g) * 2 - 1) * k1, (torch.rand(steps, hidden, generator=g) * 2 - 1) * k1,
              torch.full((steps,), 0.25), (torch.rand(steps, hidden, generator=g) * 2 - 1) * k2,
              (torch.rand(steps, generator=g) * 2 - 1) * k2]
    zeros = [torch.zeros_like(x) for x in params]
    n = min(5, tokens)
    return (torch.randint(0, cfg.card, (1, cfg.n_q, steps), generator=g), torch.randn(1, tokens, d, generator=g),
            torch.cat([torch.ones(1, n), torch.zeros(1, tokens - n)], 1),
            torch.cat([torch.ones(steps - steps // 8), torch.zeros(steps // 8)]),
            torch.randn(steps, d, generator=g), *params, *zeros, *[z.clone() for z in zeros], torch.zeros(1),
            torch.rand(steps, tokens, generator=g), torch.tensor([1e-3, 1e-3, 1e-3, 1e-1]))
