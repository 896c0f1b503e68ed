"""AudioGenX's explainer as one ONNX graph per optimisation step (docs/method.md: how the mask is found).

explainer_step(...) = the loss of one epoch and its gradients w.r.t. the per-step mask generators:
  p[t, i]  = sigmoid(w2_t . PReLU_t(W1_t u_i + b1_t) + b2_t)           (one MLP per LM step t)
  M        = sigmoid(logit(p) + logit(noise)) / tau = 1                 (binary Concrete, soft)
  L        = -c_f sum_t cos(e_t, e~_t(W M)) + c_cf sum_t cos(e_t, e~_t(W (1 - M))) + alpha sum|p| + beta sqrt(sum p^2)
             + gamma sum_(t, i) p[t, i] (1 - prior[t, i])
W [S, L] are the take's token weights per step (generate's; ones when none): the masked passes scale the
cross-attention by W M and W (1 - M), as generation scaled it by W. c_f, c_cf (default 1, 1) weight the
two cosine terms, so the paper's factual-only and counterfactual-only ablations run on the same graph.
The gamma term is ours, not the paper's ("AudioGenX + null-effect prior", docs/method.md): prior [S, L] is
the effect of muting word i on the LM at step t, 1 - cos(e_t, e_t with w_i = 0), over the clip's largest
(the engine's teacher.ts). It sums over real (t, i) like the L1 term, so gamma is a pull per entry as alpha
is, here only where muting the word changes nothing. gamma 0 is the paper's loss: adding exact zeros.
The Adam update (as torch.optim.Adam: coupled weight decay, betas 0.9 / 0.999, eps 1e-8) is the
engine's (electron/engine/explain/adam.ts), not the graph's: the generators' first layer W1 is
T x d x hidden, the largest tensor of an explanation, and an update written as graph operators made
~15 passes over it per epoch (most of an epoch's time, docs/decisions.md). W1's gradient is formed
from the gradient w.r.t. the pre-activation h = W1 u + b1 as one batched product, sum_i u_i (x) grad_h[t, i],
written in W1's own layout.
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
LOSS_TERMS = ["factual_cos", "counterfactual_cos", "l1", "l2", "null_prior"]
HYPER = ["alpha", "beta", "factual", "counterfactual", "gamma"]


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


def mask_probabilities(u, w1, b1, prelu, w2, b2):
    """u [L, d]; w1 [S, d, H]; b1 [S, H]; prelu [S]; w2 [S, H]; b2 [S] -> p [S, L]."""
    return probabilities_from(pre_activation(u, w1, b1), prelu, w2, b2)


def loss_of(lm: AudioLM, tokens, u, text_mask, step_mask, reference, token_weights, p_raw, noise, coef, prior):
    """The loss and its named terms (unweighted) for one (shared) Gumbel sample, from the generators'
    output p_raw [S, L]. token_weights, prior [S, L]; coef = [alpha, beta, factual, counterfactual, gamma]."""
    valid = step_mask.unsqueeze(1) * text_mask  # [S, L]
    p = p_raw * valid
    logit = torch.log(p + 1e-7) - torch.log(1 - p + 1e-7) + torch.log(noise + 1e-7) - torch.log(1 - noise + 1e-7)
    m = torch.sigmoid(logit) * valid
    weights = torch.stack([token_weights * m, token_weights * (1.0 - m)])
    hidden = lm.forward_seq(tokens.expand(2, -1, -1), u.expand(2, -1, -1), text_mask.expand(2, -1), weights)
    cos = F.cosine_similarity(hidden, reference.unsqueeze(0).expand(2, -1, -1), dim=-1, eps=1e-8) * step_mask
    sign = torch.tensor([-1.0, 1.0])
    fact_cf = (cos * sign.unsqueeze(1)).sum(1)  # [-sum cos_f, +sum cos_cf]
    l1 = p.abs().sum()
    l2 = torch.sqrt((p * p).sum() + 1e-12)
    null_prior = (p * (1.0 - prior)).sum()  # p is 0 off the real entries
    # no indexing of fact_cf: select_backward has no export
    loss = (fact_cf * coef[2:4]).sum() + coef[0] * l1 + coef[1] * l2 + coef[4] * null_prior
    terms = torch.stack([-fact_cf[0], fact_cf[1], l1, l2, null_prior])
    return loss, terms, p, m


def explainer_loss(lm: AudioLM, tokens, u, text_mask, step_mask, reference, token_weights, params, noise, coef, prior):
    """loss_of with the generators' parameters (w1, b1, prelu, w2, b2): what the PyTorch reference differentiates."""
    return loss_of(lm, tokens, u, text_mask, step_mask, reference, token_weights, mask_probabilities(u[0], *params), noise, coef,
                   prior)


def step_function(lm: AudioLM):
    """The traced function: (inputs..., params, noise, hyper) -> p, mask, terms, loss and the gradients."""

    def fn(tokens, u, text_mask, step_mask, reference, token_weights, w1, b1, prelu, w2, b2, noise, hyper, prior):
        h = pre_activation(u[0], w1, b1).detach().requires_grad_(True)
        rest = [x.detach().requires_grad_(True) for x in (prelu, w2, b2)]
        loss, terms, p, m = loss_of(lm, tokens, u, text_mask, step_mask, reference, token_weights,
                                    probabilities_from(h, *rest), noise, hyper, prior)
        grad_h, grad_prelu, grad_w2, grad_b2 = torch.autograd.grad(loss, [h] + rest)
        # [S, d, L] @ [S, L, H]: W1's gradient in W1's layout, no transpose of the large tensor
        grad_w1 = torch.matmul(u[0].t().unsqueeze(0).expand(h.shape[0], -1, -1), grad_h)
        return p.detach(), m.detach(), terms.detach(), loss.detach(), grad_w1, grad_h.sum(1), grad_prelu, grad_w2, grad_b2

    return fn


INPUTS = ["tokens", "text_vectors", "text_mask", "step_mask", "reference", "token_weights"] + PARAMS + ["noise", "hyper", "prior"]
OUTPUTS = ["p", "mask", "terms", "loss", "grad_w1", "grad_b1", "grad_prelu", "grad_w2", "grad_b2"]


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
    return (torch.randint(0, cfg.card, (1, cfg.n_codebooks, steps), generator=g), torch.randn(1, tokens, cfg.d, generator=g),
            torch.cat([torch.ones(1, 5), torch.zeros(1, tokens - 5)], 1), torch.cat([torch.ones(steps - 8), torch.zeros(8)]),
            torch.randn(steps, cfg.d, generator=g), torch.ones(steps, tokens), *params,
            torch.rand(steps, tokens, generator=g), torch.tensor([1e-3, 1e-1, 1.0, 1.0, 0.1]), torch.rand(steps, tokens, generator=g))
