"""PyTorch reference outputs for fixed inputs, so the TypeScript tests check ONNX Runtime against them.

Inputs are closed-form (written out in `inputs` of the fixture) so the fixture stays small:
- explain tokens[k, s] = (37 * s + 11 * k) % card; mask[s, i] = 0.5 + 0.4 * sin(0.37 * s + 1.3 * i);
  reference = the unmasked pass's hidden states (mask of ones, factual row).
- audio[n] = 0.3 * sin(2 pi 440 n / sr) + 0.2 * sin(2 pi 1250 n / sr) * (n / sr < 0.5).
- decoder codes[k, t] = (7 * t + 53 * k) % card.
- gradcam: the explain inputs; targets = the explain tokens, unscored (= card) from valid_steps on.
- probe: the explain tokens' first 20 steps as input and as targets, the prompt's text vectors,
  score_scale[s, i] = 1 - 0.9 * (i == s % n_tokens).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import torch
import torch.nn.functional as F

from agx_build import config
from agx_build.lib import bundle_io, explainer
from agx_build.lib.audio import SR
from agx_build.lib.classifier import WaveClassifier
from agx_build.lib.lm import NULL_ID, PAD_ID

# The module docstring above is written into the fixture as its "inputs": change it only with the formulas.
FIXTURE = config.FIXTURES / "parity"
PROMPT = "a dog barks while rain falls"


def _r(t: torch.Tensor) -> list:
    return [float(f"{x:.6g}") for x in t.detach().reshape(-1).tolist()]


def fixture_audio(n: int) -> torch.Tensor:
    i = torch.arange(n, dtype=torch.float64)
    x = 0.3 * torch.sin(2 * math.pi * 440 * i / SR) + 0.2 * torch.sin(2 * math.pi * 1250 * i / SR) * (i / SR < 0.5)
    return x.float()[None]


def write(lm, codec, clf, vocab, bundle: Path, explain_function, explain_example, bucket) -> None:
    """clf None (a re-export from the bundle, which cannot rebuild the judge): its section is kept from the fixture."""
    cfg = lm.cfg
    steps, L = bucket
    ids = [vocab[w] for w in PROMPT.split()]
    with torch.no_grad():
        idt = torch.tensor([ids, [NULL_ID] + [PAD_ID] * (len(ids) - 1)])
        mask = torch.tensor([[1.0] * len(ids), [1.0] + [0.0] * (len(ids) - 1)])
        u = lm.text(idt, mask)
        ck, cv = lm.cross_kv(u)
        H, dh = cfg.heads, cfg.d // cfg.heads
        pk = torch.zeros(cfg.layers, 2, H, 0, dh)
        pv = pk.clone()
        step_logits = []
        tok = torch.full((2, cfg.n_codebooks), cfg.card)
        weights = torch.ones(2, len(ids))
        weights[0, 1] = 0.0  # mute "dog" in the conditional row: the fixture covers token weights
        for s in range(3):
            logits, pk, pv = lm.step(tok, torch.tensor(float(s)), pk, pv, ck, cv, mask, weights)
            step_logits.append(_r(logits))
            tok = torch.stack([(torch.arange(cfg.n_codebooks) * 17 + s * 5) % cfg.card] * 2)

    tokens = torch.tensor([[[(37 * s + 11 * k) % cfg.card for s in range(steps)] for k in range(cfg.n_codebooks)]])
    u_pad = torch.zeros(1, L, cfg.d)
    u_pad[0, :len(ids)] = u[0]
    tmask = torch.zeros(1, L)
    tmask[0, :len(ids)] = 1
    valid_steps = steps - 20
    step_mask = torch.cat([torch.ones(valid_steps), torch.zeros(steps - valid_steps)])
    m = torch.tensor([[0.5 + 0.4 * math.sin(0.37 * s + 1.3 * i) for i in range(L)] for s in range(steps)])
    fn = explain_function(lm)
    hidden_ref = fn(tokens, u_pad, tmask, step_mask, torch.ones(steps, L), torch.ones(steps, cfg.d))[0][0]
    hidden, cos_f, cos_cf, loss, grad = fn(tokens, u_pad, tmask, step_mask, m, hidden_ref.detach())

    gc_targets = tokens.clone()
    gc_targets[:, :, valid_steps:] = cfg.card
    gradcam_a, gradcam_e = lm.gradcam(tokens, u_pad, tmask, gc_targets)
    chefer = lm.chefer(tokens, u_pad, tmask, gc_targets).detach()
    with torch.no_grad():
        # probe: 20 steps, the prompt's tokens, score_scale[s, i] = 1 - 0.9 * (i == s % n), targets = tokens
        ps = 20
        n = len(ids)
        probe_tokens = tokens[:, :, :ps]
        probe_scale = torch.tensor([[1.0 - 0.9 * (i == s % n) for i in range(n)] for s in range(ps)])[None]
        probe_ce, probe_att = lm.probe(probe_tokens, u[:1], torch.ones(1, n), probe_scale, probe_tokens)
        audio = fixture_audio(SR)
        codes = codec.encode(audio)
        dec_codes = torch.tensor([[[(7 * t + 53 * k) % cfg.card for t in range(10)] for k in range(cfg.n_codebooks)]])
        decoded = codec.decode(dec_codes)
        if clf is not None:
            probs, activity = WaveClassifier(clf).eval()(audio)

    out = {
        "bundle": bundle.name,
        "prompt": PROMPT,
        "inputs": __doc__,
        "text": {"ids": ids, "text_vectors": _r(u[0]), "cross_key_layer0_row0": _r(ck[0, 0])},
        "step": {"weights_row0": _r(weights[0]), "logits": step_logits,
                 "next_tokens": "tokens after step s: (17 * k + 5 * s) % card for both rows"},
        "explain": {"steps": steps, "tokens": L, "valid_steps": valid_steps, "loss": float(loss),
                    "cos_factual": _r(cos_f), "cos_counterfactual": _r(cos_cf), "grad_mask": _r(grad),
                    "hidden_ref_step0": _r(hidden_ref[0])},
        "gradcam": {"a": _r(gradcam_a[0]), "e": _r(gradcam_e[0]), "chefer": _r(chefer[0])},
        "probe": {"steps": ps, "cross_entropy": _r(probe_ce[0]), "attention": _r(probe_att[0])},
        "codec": {"encoded_codes": codes[0].tolist(), "decoder_codes_frames": 10, "decoded": _r(decoded[0])},
        "classifier": ({"probabilities": _r(probs[0]), "activity_frames": int(activity.shape[-1])} if clf is not None
                       else json.loads((FIXTURE / f"{bundle.name}.json").read_text())["classifier"]),
    }
    FIXTURE.mkdir(parents=True, exist_ok=True)
    (FIXTURE / f"{bundle.name}.json").write_text(json.dumps(out))
    write_explainer_step(lm, bundle, bucket)


EXPLAINER_INPUTS = """explainer_step (one AudioGenX epoch: loss and gradients) and one torch.optim.Adam step on them, bucket steps x tokens,
d = hidden size, H = generator width:
- tokens[k, s] = (37 * s + 11 * k) % card; text_vectors[i, j] = 0.5 * sin(0.3 * i + 0.11 * j) for i < 6, 0 after;
  text_mask[i] = (i < 6); step_mask[s] = (s < steps - 10); reference[s, j] = cos(0.05 * s + 0.21 * j).
- token_weights[s, i] = 1 + 0.5 * sin(0.19 * s + 0.9 * i), except token 1 at 0 for s < 20 (a word muted in a span).
- w1[s, j, h] = sin(1.7 * s + 0.31 * j + 0.53 * h) / sqrt(d); b1[s, h] = 0.1 * cos(0.7 * s + 0.9 * h); prelu[s] = 0.25;
  w2[s, h] = sin(0.45 * s + 1.9 * h) / sqrt(H); b2[s] = 0.1 * sin(0.8 * s).
- noise[s, i] = 0.5 + 0.45 * sin(0.23 * s + 0.71 * i); hyper = [alpha 1e-3, beta 1e-1, factual 1, counterfactual 0.5, gamma 0.3];
  prior[s, i] = 0.5 + 0.5 * cos(0.41 * s + 1.1 * i) (the null-effect prior, ours).
- Adam: torch.optim.Adam(lr 1e-3, weight decay 1e-3), its first step on the graph's gradients.
Outputs kept: p, mask, terms, loss, grad_b2, grad_prelu; after the Adam step new_b2, new_prelu, new_w2, new_m_b2,
new_v_b2 (Adam's moments), new_w1[0, :8, :] (step 0's first 8 rows; the whole tensor is steps x d x H) and p_next
(the generators' p with the updated parameters). gamma0: loss, terms, grad_b2 and grad_prelu with gamma 0 (the paper's
loss: the prior must change nothing)."""


def explainer_inputs(lm, steps: int, tokens: int) -> tuple:
    """The closed-form inputs of EXPLAINER_INPUTS, in explainer.INPUTS order."""
    cfg = lm.cfg
    d, H, n = cfg.d, explainer.HIDDEN, 6
    s = torch.arange(steps, dtype=torch.float64)
    j = torch.arange(d, dtype=torch.float64)
    h = torch.arange(H, dtype=torch.float64)
    i = torch.arange(tokens, dtype=torch.float64)
    tok = torch.tensor([[[(37 * t + 11 * k) % cfg.card for t in range(steps)] for k in range(cfg.n_codebooks)]])
    u = (0.5 * torch.sin(0.3 * i[:, None] + 0.11 * j[None]) * (i[:, None] < n)).float()[None]
    params = [
        (torch.sin(1.7 * s[:, None, None] + 0.31 * j[None, :, None] + 0.53 * h[None, None]) / math.sqrt(d)).float(),
        (0.1 * torch.cos(0.7 * s[:, None] + 0.9 * h[None])).float(),
        torch.full((steps,), 0.25),
        (torch.sin(0.45 * s[:, None] + 1.9 * h[None]) / math.sqrt(H)).float(),
        (0.1 * torch.sin(0.8 * s)).float(),
    ]
    weights = 1 + 0.5 * torch.sin(0.19 * s[:, None] + 0.9 * i[None])
    weights[:20, 1] = 0.0
    return (tok, u, (i < n).float()[None], (s < steps - 10).float(), torch.cos(0.05 * s[:, None] + 0.21 * j[None]).float(),
            weights.float(), *params, (0.5 + 0.45 * torch.sin(0.23 * s[:, None] + 0.71 * i[None])).float(),
            torch.tensor([1e-3, 1e-1, 1.0, 0.5, 0.3]), (0.5 + 0.5 * torch.cos(0.41 * s[:, None] + 1.1 * i[None])).float())


def write_explainer_step(lm, bundle: Path, bucket) -> None:
    """The explainer_step fixture (the graph AudioGenX runs each epoch, then torch's Adam), beside the bundle's main fixture."""
    steps, tokens = bucket
    inputs = explainer_inputs(lm, steps, tokens)
    out = dict(zip(explainer.OUTPUTS, explainer.step_function(lm)(*inputs)))
    hyper0 = inputs[-2].clone()
    hyper0[4] = 0.0
    out0 = dict(zip(explainer.OUTPUTS, explainer.step_function(lm)(*inputs[:-2], hyper0, inputs[-1])))
    u, text_mask, step_mask = inputs[1], inputs[2], inputs[3]
    params = [x.clone().requires_grad_(True) for x in inputs[6:11]]
    grads = [out[f"grad_{n}"] for n in explainer.PARAMS]
    for prm, g in zip(params, grads):
        prm.grad = g.detach().clone()
    opt = torch.optim.Adam(params, lr=1e-3, weight_decay=1e-3)
    opt.step()
    new = dict(zip(explainer.PARAMS, params))
    state = opt.state[new["b2"]]
    with torch.no_grad():
        p_next = explainer.mask_probabilities(u[0], *params) * (step_mask.unsqueeze(1) * text_mask)
    keep = {**{k: out[k] for k in ("p", "mask", "terms", "loss", "grad_b2", "grad_prelu")},
            "new_b2": new["b2"], "new_prelu": new["prelu"], "new_w2": new["w2"], "new_m_b2": state["exp_avg"],
            "new_v_b2": state["exp_avg_sq"], "p_next": p_next}
    fx = {"bundle": bundle.name, "inputs": EXPLAINER_INPUTS, "steps": steps, "tokens": tokens, "hidden": explainer.HIDDEN,
          **{k: _r(v) for k, v in keep.items()}, "new_w1_step0_rows8": _r(new["w1"][0, :8]),
          "gamma0": {k: _r(out0[k]) for k in ("loss", "terms", "grad_b2", "grad_prelu")}}
    FIXTURE.mkdir(parents=True, exist_ok=True)
    (FIXTURE / f"{bundle.name}.explainer_step.json").write_text(json.dumps(fx))


if __name__ == "__main__":
    # Writes the explainer_step fixture from the committed bundle (no rebuild): python3 -m agx_build.stages.parity_fixture
    torch.manual_seed(0)
    write_explainer_step(bundle_io.lm_from_bundle(config.BUNDLE), config.BUNDLE, config.PARITY_BUCKET)
