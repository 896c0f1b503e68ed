"""AudioGenX's explainer as one ONNX graph per optimisation step (docs/method.md: how the mask is found).

explainer_step(...) = one Adam step of the per-step mask generators:
  p[t, i]  = sigmoid(w2_t . PReLU_t(W1_t u_i + b1_t) + b2_t)           (one MLP per LM step t)
  M        = sigmoid(logit(p) + logit(noise)) / tau = 1                 (binary Concrete, soft)
  L        = -c_f sum_t cos(e_t, e~_t(W M)) + c_cf sum_t cos(e_t, e~_t(W (1 - M))) + alpha sum|p| + beta sqrt(sum p^2)
W [S, L] are the take's token weights per step (generate's; ones when none): the masked passes scale the
cross-attention by W M and W (1 - M), as generation scaled it by W. c_f, c_cf (default 1, 1) weight the
two cosine terms, so the paper's factual-only and counterfactual-only ablations run on the same graph.
  params  <- Adam(lr, weight decay (L2, as torch.optim.Adam), betas 0.9 / 0.999, eps 1e-8)
The generators' weights (T x d x hidden: the largest tensors of an explanation) stay inside
onnxruntime: forward, backward and the update are one graph run, traced with make_fx like lm_explain.
The uniform noise comes from the caller's seeded RNG, so an explanation is reproducible.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from agx_build.lib.lm import AudioLM

# The paper's generators are 512 wide for AudioGen-medium (d = 1536, so d / 3). We keep that ratio
# (d = 256 -> 96): at 512 the generators' T x d x 512 weights made each epoch ~1.5 s here.
HIDDEN = 96
PARAMS = ["w1", "b1", "prelu", "w2", "b2"]
LOSS_TERMS = ["factual_cos", "counterfactual_cos", "l1", "l2"]
HYPER = ["lr", "weight_decay", "alpha", "beta", "factual", "counterfactual"]


def mask_probabilities(u, w1, b1, prelu, w2, b2):
    """u [L, d]; w1 [S, d, H]; b1 [S, H]; prelu [S]; w2 [S, H]; b2 [S] -> p [S, L]."""
    h = torch.einsum("ld,sdh->slh", u, w1) + b1.unsqueeze(1)
    h = torch.where(h >= 0, h, h * prelu.reshape(-1, 1, 1))
    return torch.sigmoid(torch.einsum("slh,sh->sl", h, w2) + b2.unsqueeze(1))


def explainer_loss(lm: AudioLM, tokens, u, text_mask, step_mask, reference, token_weights, params, noise, coef):
    """The loss and its named terms (unweighted) for one (shared) Gumbel sample.
    token_weights [S, L]; coef = [alpha, beta, factual, counterfactual]."""
    valid = step_mask.unsqueeze(1) * text_mask  # [S, L]
    p = mask_probabilities(u[0], *params) * valid
    logit = torch.log(p + 1e-7) - torch.log(1 - p + 1e-7) + torch.log(noise + 1e-7) - torch.log(1 - noise + 1e-7)
    m = torch.sigmoid(logit) * valid
    weights = torch.stack([token_weights * m, token_weights * (1.0 - m)])
    hidden = lm.forward_seq(tokens.expand(2, -1, -1), u.expand(2, -1, -1), text_mask.expand(2, -1), weights)
    cos = F.cosine_similarity(hidden, reference.unsqueeze(0).expand(2, -1, -1), dim=-1, eps=1e-8) * step_mask
    sign = torch.tensor([-1.0, 1.0])
    fact_cf = (cos * sign.unsqueeze(1)).sum(1)  # [-sum cos_f, +sum cos_cf]
    l1 = p.abs().sum()
    l2 = torch.sqrt((p * p).sum() + 1e-12)
    loss = (fact_cf * coef[2:4]).sum() + coef[0] * l1 + coef[1] * l2  # no indexing of fact_cf: select_backward has no export
    terms = torch.stack([-fact_cf[0], fact_cf[1], l1, l2])
    return loss, terms, p, m


def step_function(lm: AudioLM):
    """The traced function: (inputs..., params, adam m, adam v, step, noise, hyper) -> updates."""

    def fn(tokens, u, text_mask, step_mask, reference, token_weights, w1, b1, prelu, w2, b2,
           m_w1, m_b1, m_prelu, m_w2, m_b2, v_w1, v_b1, v_prelu, v_w2, v_b2, step, noise, hyper):
        params = [x.detach().requires_grad_(True) for x in (w1, b1, prelu, w2, b2)]
        lr, wd = hyper[0], hyper[1]
        loss, terms, p, m = explainer_loss(lm, tokens, u, text_mask, step_mask, reference, token_weights, params, noise,
                                           hyper[2:6])
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
        valid = step_mask.unsqueeze(1) * text_mask
        p_next = mask_probabilities(u[0], *new_p) * valid
        return (*new_p, *new_m, *new_v, p.detach(), m.detach(), p_next, terms.detach(), loss.detach(),
                grads[4], grads[2])

    return fn


INPUTS = (["tokens", "text_vectors", "text_mask", "step_mask", "reference", "token_weights"] + PARAMS
          + [f"m_{n}" for n in PARAMS] + [f"v_{n}" for n in PARAMS] + ["step", "noise", "hyper"])
OUTPUTS = ([f"new_{n}" for n in PARAMS] + [f"new_m_{n}" for n in PARAMS] + [f"new_v_{n}" for n in PARAMS]
           + ["p", "mask", "p_next", "terms", "loss", "grad_b2", "grad_prelu"])


def init_params(steps: int, d: int, gen: torch.Generator) -> list[torch.Tensor]:
    """PyTorch's default Linear init (uniform +-1/sqrt(fan_in)), PReLU 0.25: what the TS side draws."""
    k1, k2 = 1 / d ** 0.5, 1 / HIDDEN ** 0.5
    return [(torch.rand(steps, d, HIDDEN, generator=gen) * 2 - 1) * k1, (torch.rand(steps, HIDDEN, generator=gen) * 2 - 1) * k1,
            torch.full((steps,), 0.25), (torch.rand(steps, HIDDEN, generator=gen) * 2 - 1) * k2,
            (torch.rand(steps, generator=gen) * 2 - 1) * k2]


def example(lm: AudioLM, steps: int, tokens: int):
    cfg = lm.cfg
    g = torch.Generator().manual_seed(8)
    params = init_params(steps, cfg.d, g)
    zeros = [torch.zeros_like(x) for x in params]
    return (torch.randint(0, cfg.card, (1, cfg.n_codebooks, steps), generator=g), torch.randn(1, tokens, cfg.d, generator=g),
            torch.cat([torch.ones(1, 5), torch.zeros(1, tokens - 5)], 1), torch.cat([torch.ones(steps - 8), torch.zeros(8)]),
            torch.randn(steps, cfg.d, generator=g), torch.ones(steps, tokens), *params, *zeros, *[z.clone() for z in zeros],
            torch.zeros(1), torch.rand(steps, tokens, generator=g), torch.tensor([1e-3, 1e-3, 1e-3, 1e-1, 1.0, 1.0]))
