"""Writes a tiny random-weight model, converts it with agx_convert.export, and records what the independent
reference (convert_reference.py) says the bundle's graphs must output: test/node/convert-modules.test.ts
runs the graphs with onnxruntime-node and compares.

    PYTHONPATH=native-models/convert:test/python /usr/bin/python3 test/python/convert_fixture.py OUT

The shapes are toy ones chosen to reach every branch: T5 with 8 relative buckets up to distance 12 and
prompts of 20 tokens (exact, log-spaced and clipped buckets), padding and the null prompt; an EnCodec
with non-trivial shortcuts, an LSTM, reflect padding, dilations 1 and 2 and strides 5 and 2 (odd
paddings, split unevenly as audiocraft splits them); the delay pattern over 8 frames.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch

import onnx

import convert_reference as ref
from agx_convert.export import OPSET, TextEncoderGraph, export_bundle
from agx_convert.fixtures import random_state, t5_config, tokenizer_json
from agx_convert.modules.lm import LMConfig, LMGraph
from agx_convert.modules.t5 import T5Config, T5Encoder, relative_buckets
from agx_convert.safetensors import write_file
from agx_convert.spec import codec_spec, lm_spec, t5_encoder_spec
from agx_convert.weights import link_duplicates, share_weights

LM_CFG = {"family": "audiogen", "dim": 16, "num_heads": 2, "num_layers": 2, "ffn_dim": 64, "n_q": 4, "card": 32,
          "text_dim": 8, "t5_name": "t5-tiny", "delays": [0, 1, 2, 3], "cfg_coef": 3.0, "max_period": 10000.0,
          "positional_scale": 1.0, "norm_eps": 1e-5, "sample_rate": 8000, "segment_duration": 2.0,
          "generation": {"use_sampling": True, "top_k": 250, "top_p": 0.0, "temperature": 1.0},
          "licence": "CC-BY-NC-4.0", "sources": []}
CODEC_CFG = {"source": "audiocraft", "sample_rate": 8000, "channels": 1, "dimension": 8, "n_filters": 2,
             "n_residual_layers": 2, "ratios": [5, 2], "elu_alpha": 1.0, "norm": "weight_norm", "kernel_size": 7,
             "residual_kernel_size": 3, "last_kernel_size": 7, "dilation_base": 2, "pad_mode": "reflect",
             "causal": False, "true_skip": False, "compress": 2, "lstm": 1, "trim_right_ratio": 1.0, "n_q": 4,
             "bins": 32, "frame_rate": 800.0}
BUCKETS, MAX_DISTANCE = 8, 12
EXPLAIN = (12, 8)  # LM steps x prompt tokens of the one lm_explain bucket
FRAMES = 8


def flat(x) -> dict:
    a = np.asarray(x)
    return {"shape": list(a.shape), "data": a.astype(np.float64).ravel().tolist()}


def main(out: Path) -> None:
    gen = torch.Generator().manual_seed(11)
    rng = np.random.default_rng(11)
    lm_w = random_state(lm_spec(LM_CFG), gen, scale=0.3)
    codec_w = random_state(codec_spec(CODEC_CFG), gen, scale=0.4)
    t5_json = {**t5_config("t5-tiny"), "relative_attention_num_buckets": BUCKETS, "relative_attention_max_distance": MAX_DISTANCE}
    t5_w = random_state(t5_encoder_spec(t5_json), gen, scale=0.4)
    t5_dir = out / "t5-tiny"
    t5_dir.mkdir(parents=True, exist_ok=True)
    (t5_dir / "config.json").write_text(json.dumps(t5_json))
    (t5_dir / "tokenizer.json").write_text(json.dumps(tokenizer_json()))
    write_file(t5_dir / "model.safetensors", t5_w)
    bundle = export_bundle(dict(lm_w), LM_CFG, t5_dir, codec_w, CODEC_CFG, out / "bundle",  # the export empties its copy
                           lambda msg, frac: print(f"export: {msg}", file=sys.stderr),
                           max_text_tokens=24, explain_buckets=[EXPLAIN], external_min_bytes=64)
    cfg, t5cfg = LM_CFG, t5_json

    # Above 2 GB torch.onnx writes one external file per tensor beside the graph: the same layout,
    # made here from the text encoder, must consolidate into a working graph too
    # (written twice, as two graphs would be: the second's files become hard links into one store)
    rejoined = out / "rejoined"
    rejoined.mkdir()
    for name in ("per-tensor-a", "per-tensor-b"):
        (out / name).mkdir()
        model = onnx.load(str(bundle / "text_encoder.onnx"))  # saving as external data empties the proto
        onnx.save_model(model, str(out / name / "text_encoder.onnx"), save_as_external_data=True,
                        all_tensors_to_one_file=False, size_threshold=64)
        linked = link_duplicates(out / name, out / "store", min_bytes=64)
    share_weights([out / "per-tensor-b" / "text_encoder.onnx"], rejoined, "lm_weights.bin", 64)
    fx: dict = {"bundle": str(bundle), "rejoined": str(rejoined), "linked": linked, "cfgCoef": cfg["cfg_coef"], "card": cfg["card"], "codebooks": cfg["n_q"]}

    # T5 buckets: the converter's in-graph formula against the reference's scalar one, for the toy
    # encoder's (8, 12) and the released T5s' (32, 128)
    fx["buckets"] = []
    for n, dist in ((BUCKETS, MAX_DISTANCE), (32, 128)):
        rel = np.arange(-3 * dist, 3 * dist + 1)
        fx["buckets"].append({"numBuckets": n, "maxDistance": dist, "rel": rel.tolist(),
                              "reference": [ref.t5_bucket(int(r), n, dist) for r in rel],
                              "converter": relative_buckets(torch.from_numpy(rel), n, dist).tolist()})

    # text encoder: a 20-token prompt, a padded one, and the engine's null row ([pad], mask [1, 0, ...])
    L = 20
    vocab = t5cfg["vocab_size"]
    ids = np.zeros((3, L), dtype=np.int64)
    ids[0, :L - 1] = rng.integers(3, vocab, L - 1)
    ids[0, L - 1] = 1
    ids[1, :6] = rng.integers(3, vocab, 6)
    ids[1, 6] = 1
    graph_mask = np.zeros((3, L))
    graph_mask[0] = 1
    graph_mask[1, :7] = 1
    graph_mask[2, 0] = 1
    audiocraft_mask = graph_mask.copy()
    audiocraft_mask[2] = 0  # audiocraft's null condition: the empty description with its mask zeroed
    u = ref.condition(lm_w, ref.t5_encoder(t5_w, t5cfg, ids, audiocraft_mask), audiocraft_mask)
    heads, dh = cfg["num_heads"], cfg["dim"] // cfg["num_heads"]
    ck = np.stack([(u @ np.split(ref.arr(lm_w[f"transformer.layers.{i}.cross_attention.in_proj_weight"]), 3)[1].T)
                   .reshape(3, L, heads, dh).transpose(0, 2, 1, 3) for i in range(cfg["num_layers"])])
    fx["text"] = {"ids": ids.tolist(), "mask": graph_mask.tolist(), "textVectors": flat(u), "crossKey": flat(ck)}

    # a gated-GELU T5 (v1.1 / flan: what xp.cfg's flan names use), its text encoder graph alone
    gated_json = {**t5_json, "feed_forward_proj": "gated-gelu"}
    gated_w = random_state(t5_encoder_spec(gated_json), gen, scale=0.4)
    gated = TextEncoderGraph(T5Encoder(T5Config.from_json(gated_json), dict(gated_w)),
                             LMGraph(LMConfig.from_dict(cfg), dict(lm_w)).text_side, 0).eval()
    gated_dir = out / "gated"
    gated_dir.mkdir()
    with torch.no_grad():
        torch.onnx.export(gated, (torch.from_numpy(ids), torch.from_numpy(graph_mask).float()), str(gated_dir / "text_encoder.onnx"),
                          opset_version=OPSET, input_names=["ids", "text_mask"],
                          output_names=["text_vectors", "cross_key", "cross_value"],
                          dynamic_axes={"ids": {0: "batch", 1: "tokens"}, "text_mask": {0: "batch", 1: "tokens"}})
    ug = ref.condition(lm_w, ref.t5_encoder(gated_w, gated_json, ids, audiocraft_mask), audiocraft_mask)
    fx["gated"] = {"graph": str(gated_dir / "text_encoder.onnx"), "textVectors": flat(ug)}

    # greedy decoding with CFG 3 over the delay pattern, full recompute: the reference sees prompt 1's
    # 7 real tokens, the graphs get it padded to 20 (and the null row)
    codes, seq, guided, cond, uncond, margin = ref.greedy_cfg(lm_w, cfg, u[1][:7], FRAMES, cfg["cfg_coef"])
    if margin < 1e-3:
        raise SystemExit(f"seed gives a near tie ({margin:.2e}) in greedy decoding: pick another")
    fx["greedy"] = {"frames": FRAMES, "codes": codes.tolist(), "pattern": seq.tolist(), "guided": flat(guided),
                    "cond": flat(cond), "uncond": flat(uncond), "margin": margin}

    # codec: decode random codes; encode a waveform of whole frames
    hop = int(np.prod(CODEC_CFG["ratios"]))
    dec_codes = rng.integers(0, CODEC_CFG["bins"], (cfg["n_q"], 10))
    audio = ref.seanet_decode(codec_w, CODEC_CFG, ref.rvq_decode(codec_w, dec_codes))
    wav = np.convolve(rng.standard_normal(hop * 12 + 4), np.ones(5) / 5, mode="valid") * 0.8
    enc_codes, gap = ref.rvq_encode(codec_w, ref.seanet_encode(codec_w, CODEC_CFG, wav), cfg["n_q"])
    if gap < 1e-4:
        raise SystemExit(f"seed gives a near tie ({gap:.2e}) in the quantizer: pick another")
    fx["codec"] = {"hop": hop, "codes": dec_codes.tolist(), "audio": flat(audio), "wav": wav.tolist(),
                   "encoded": enc_codes.tolist(), "gap": gap}

    # AudioGenX's mask gradient against central finite differences of the reference loss
    S, T = EXPLAIN
    tokens = rng.integers(0, cfg["card"] + 1, (cfg["n_q"], S))
    valid = 5
    text_mask = np.array([1.0] * valid + [0.0] * (T - valid))
    uu = rng.standard_normal((T, cfg["dim"]))  # padded rows not zero: the graph must ignore them
    step_mask = np.array([1.0] * (S - 2) + [0.0] * 2)
    mask = rng.uniform(0.05, 0.95, (S, T))
    reference = rng.standard_normal((S, cfg["dim"]))
    loss, hf, hc = ref.explain_loss(lm_w, cfg, tokens, uu, text_mask, step_mask, mask, reference)
    entries = [(int(i), int(j)) for i, j in zip(rng.integers(0, S - 2, 10), rng.integers(0, valid, 10))]
    entries += [(0, valid), (S - 1, 0)]  # a padded token and a masked-out step: the gradient is 0 there
    eps, fd = 1e-5, []
    for i, j in entries:
        up, dn = mask.copy(), mask.copy()
        up[i, j] += eps
        dn[i, j] -= eps
        fd.append((ref.explain_loss(lm_w, cfg, tokens, uu, text_mask, step_mask, up, reference)[0]
                   - ref.explain_loss(lm_w, cfg, tokens, uu, text_mask, step_mask, dn, reference)[0]) / (2 * eps))
    fx["explain"] = {"file": f"lm_explain_s{S}_l{T}.onnx", "tokens": tokens.tolist(), "textVectors": flat(uu),
                     "textMask": text_mask.tolist(), "stepMask": step_mask.tolist(), "mask": flat(mask),
                     "reference": flat(reference), "loss": loss, "hidden": flat(np.stack([hf, hc])),
                     "entries": entries, "finiteDifference": fd}

    # one AudioGenX epoch (explainer_step): p, M, the loss terms, and every parameter's gradient against
    # finite differences of the reference loss (W1, b1 and w2 along each step's whole slice: the sum of
    # that step's gradient entries), with uneven token weights, term coefficients and the prior's term
    hidden = max(8, cfg["dim"] // 3)
    k1, k2 = 1 / np.sqrt(cfg["dim"]), 1 / np.sqrt(hidden)
    params = [rng.uniform(-k1, k1, (S, cfg["dim"], hidden)), rng.uniform(-k1, k1, (S, hidden)), np.full(S, 0.25),
              rng.uniform(-k2, k2, (S, hidden)), rng.uniform(-k2, k2, S) + 0.3]
    noise = rng.uniform(0.02, 0.98, (S, T))
    token_weights = rng.uniform(0.3, 1.6, (S, T))
    token_weights[:, 1] = 0.0  # a muted word
    prior = rng.uniform(0.0, 1.0, (S, T))
    hyper = [1e-3, 1e-1, 1.0, 0.7, 0.05]  # alpha, beta, c_f, c_cf, gamma
    args = (lm_w, cfg, tokens, uu, text_mask, step_mask, reference, token_weights)
    eloss, p, m, terms = ref.explainer_loss(*args, params, noise, hyper, prior)

    def fd_of(which: int) -> list[float]:
        out_ = []
        for s in range(S):
            up = [x.copy() for x in params]
            dn = [x.copy() for x in params]
            up[which][s] += eps
            dn[which][s] -= eps
            out_.append((ref.explainer_loss(*args, up, noise, hyper, prior)[0]
                         - ref.explainer_loss(*args, dn, noise, hyper, prior)[0]) / (2 * eps))
        return out_

    fx["explainerStep"] = {"file": f"explainer_step_s{S}_l{T}.onnx", "hidden": hidden,
                           "params": {n: flat(x) for n, x in zip(["w1", "b1", "prelu", "w2", "b2"], params)},
                           "noise": flat(noise), "tokenWeights": flat(token_weights), "prior": flat(prior), "hyper": hyper,
                           "loss": eloss, "p": flat(p), "mask": flat(m), "terms": [float(t) for t in terms],
                           "gradSums": {n: fd_of(i) for i, n in enumerate(["w1", "b1", "prelu", "w2", "b2"])}}
    (out / "fixture.json").write_text(json.dumps(fx))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
