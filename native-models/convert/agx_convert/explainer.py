"""AudioGenX's explainer epoch as one ONNX graph (explainer_step_s{S}_l{L}.onnx) for a converted LM.

The engine (electron/engine/explain/audiogenx.ts) runs the same contract as tiny-foley's
native-models/build/agx_build/lib/explainer.py (bundle 2.2.0), so the inputs, outputs and numbers are
those; it is written again here over LMGraph rather than imported, because the two packages are
separate Python roots (each run as `python -m` from its own folder) and the build's module is tied to
tiny-foley's LM:
  p[t, i] = sigmoid(w2_t . PReLU_t(W1_t u_i + b1_t) + b2_t)            (one MLP per LM step t)
  M       = sigmoid(logit(p) + logit(noise))                           (binary Concrete, tau 1)
  L       = -c_f sum_t cos(e_t, e~_t(W M)) + c_cf sum_t cos(e_t, e~_t(W (1 - M)))
            + alpha sum|p| + beta sqrt(sum p^2) + gamma sum p (1 - prior)
W [S, L] are the take's token weights per step (ones when none): the masked passes scale the
cross-attention by W M and W (1 - M), as generation scaled it by W. hyper = [alpha, beta, c_f, c_cf,
gamma]; gamma and prior are the null-effect prior of our variant (0 is the paper's loss). The graph
returns the gradients; Adam is the engine's (adam.ts): as graph operators the update of W1 [S, d, H]
made ~15 passes over the largest tensor of an explanation, and at AudioGen-medium's size (W1 0.8 GB)
its temporaries did not fit beside the LM when the graph was exported on a 24 GB machine.
The generators' width: the paper uses 512 for AudioGen-medium (d = 1536), i.e. d / 3, the default here.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from agx_convert.modules.lm import LMGraph

PARAMS = ["w1", "b1", "prelu", "w2", "b2"]
INPUTS = ["tokens", "text_vectors", "text_mask", "step_mask", "reference", "token_weights"] + PARAMS + ["noise", "hyper", "prior"]
OUTPUTS = ["p", "mask", "terms", "loss", "grad_w1", "grad_b1", "grad_prelu", "grad_w2", "grad_b2"]


def default_hidden(d: int) -> int:
    return max(8, d // 3)


def pre_activation(u, w1, b1):
    """u [L, d]; w1 [S, d, H]; b1 [S, H] -> h [S, L, H].
    A product batched over steps, [S, L, d] @ [S, d, H], reads W1 in its own layout: the einsum it replaces
    exported as a transpose of W1 per epoch (a copy of the largest tensor of an explanation) and of h.
    Same outputs bit for bit in onnxruntime; tiny-foley's epoch 36.8 -> 34.6 ms (docs/decisions.md)."""
    return torch.matmul(u.unsqueeze(0).expand(w1.shape[0], -1, -1), w1) + b1.unsqueeze(1)


def probabilities_from(h, prelu, w2, b2):
    """h [S, L, H]; prelu [S]; w2 [S, H]; b2 [S] -> p [S, L]."""
    h = torch.where(h >= 0, h, h * prelu.reshape(-1, 1, 1))
    return torch.sigmoid(torch.matmul(h, w2.unsqueeze(-1)).squeeze(-1) + b2.unsqueeze(1))


def step_function(lm: LMGraph):
    """(inputs..., params, noise, hyper, prior) -> p, M, the five loss terms, the loss and every parameter's gradient."""
    sign = torch.tensor([-1.0, 1.0])

    def fn(tokens, u, text_mask, step_mask, reference, token_weights, w1, b1, prelu, w2, b2, noise, hyper, prior):
        h = pre_activation(u[0], w1, b1).detach().requires_grad_(True)
        rest = [x.detach().requires_grad_(True) for x in (prelu, w2, b2)]
        valid = step_mask.unsqueeze(1) * text_mask  # [S, L]
        p = probabilities_from(h, *rest) * valid
        logit = torch.log(p + 1e-7) - torch.log(1 - p + 1e-7) + torch.log(noise + 1e-7) - torch.log(1 - noise + 1e-7)
        m = torch.sigmoid(logit) * valid
        weights = torch.stack([token_weights * m, token_weights * (1.0 - m)])
        hidden = lm.forward_seq(tokens.expand(2, -1, -1), u.expand(2, -1, -1), text_mask.expand(2, -1), weights)
        cos = F.cosine_similarity(hidden, reference.unsqueeze(0).expand(2, -1, -1), dim=-1, eps=1e-8) * step_mask
        fact_cf = (cos * sign.unsqueeze(1)).sum(1)  # [-sum cos_f, +sum cos_cf]
        l1 = p.abs().sum()
        l2 = torch.sqrt((p * p).sum() + 1e-12)
        null_prior = (p * (1.0 - prior)).sum()  # p is 0 off the real entries
        # no indexing of fact_cf: select_backward has no export
        loss = (fact_cf * hyper[2:4]).sum() + hyper[0] * l1 + hyper[1] * l2 + hyper[4] * null_prior
        terms = torch.stack([-fact_cf[0], fact_cf[1], l1, l2, null_prior])
        grad_h, grad_prelu, grad_w2, grad_b2 = torch.autograd.grad(loss, [h] + rest)
        # [S, d, L] @ [S, L, H]: W1's gradient in W1's layout, no transpose of the large tensor
        grad_w1 = torch.matmul(u[0].t().unsqueeze(0).expand(h.shape[0], -1, -1), grad_h)
        return p.detach(), m.detach(), terms.detach(), loss.detach(), grad_w1, grad_h.sum(1), grad_prelu, grad_w2, grad_b2

    return fn


def example(lm: LMGraph, steps: int, tokens: int, hidden: int):
    cfg = lm.cfg
    g = torch.Generator().manual_seed(8)
    d = cfg.dim
    k1, k2 = 1 / d ** 0.5, 1 / hidden ** 0.5
    params = [(torch.rand(steps, d, hidden, generator=g) * 2 - 1) * k1, (torch.rand(steps, hidden, generator=g) * 2 - 1) * k1,
              torch.full((steps,), 0.25), (torch.rand(steps, hidden, generator=g) * 2 - 1) * k2,
              (torch.rand(steps, generator=g) * 2 - 1) * k2]
    n = min(5, tokens)
    return (torch.randint(0, cfg.card, (1, cfg.n_q, steps), generator=g), torch.randn(1, tokens, d, generator=g),
            torch.cat([torch.ones(1, n), torch.zeros(1, tokens - n)], 1),
            torch.cat([torch.ones(steps - steps // 8), torch.zeros(steps // 8)]),
            torch.randn(steps, d, generator=g), torch.ones(steps, tokens), *params,
            torch.rand(steps, tokens, generator=g), torch.tensor([1e-3, 1e-1, 1.0, 1.0, 0.1]), torch.rand(steps, tokens, generator=g))
