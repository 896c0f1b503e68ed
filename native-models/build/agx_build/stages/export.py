"""Stage export: every graph of the bundle contract (docs/architecture.md), tokenizer, manifest, fixtures.

lm_explain.onnx holds the exact gradient of the explainer's cosine loss w.r.t. the mask: make_fx traces
a function that calls torch.autograd.grad into plain aten ops (weights frozen), which
torch.onnx.export then writes as an ordinary inference graph that onnxruntime runs.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper
from torch._decomp import get_decompositions
from torch.fx.experimental.proxy_tensor import make_fx

from agx_build import config
from agx_build.lib import bundle_io, explainer, world
from agx_build.lib.audio import CODE_HOP, SR
from agx_build.lib.checkpoints import load_classifier, load_lm, threshold
from agx_build.lib.classifier import WaveClassifier
from agx_build.lib.codec import CodecDecoder, CodecEncoder
from agx_build.lib.lm import NULL_ID, PAD_ID, UNK_ID, AudioLM, LMConfig
from agx_build.lib.text import SPECIALS, vocab
from agx_build.stages import gt_fixtures, parity_fixture


# ------------------------------------------------------------------ graph modules

class TextEncoderGraph(nn.Module):
    def __init__(self, lm: AudioLM) -> None:
        super().__init__()
        self.lm = lm

    def forward(self, ids, text_mask):
        u = self.lm.text(ids, text_mask)
        ck, cv = self.lm.cross_kv(u)
        return u, ck, cv


class ProbeGraph(nn.Module):
    def __init__(self, lm: AudioLM) -> None:
        super().__init__()
        self.lm = lm

    def forward(self, tokens, text_vectors, text_mask, score_scale, targets):
        return self.lm.probe(tokens, text_vectors, text_mask, score_scale, targets)


class StepGraph(nn.Module):
    def __init__(self, lm: AudioLM) -> None:
        super().__init__()
        self.lm = lm

    def forward(self, tokens, step, cache_key, cache_value, cross_key, cross_value, text_mask, token_weights):
        return self.lm.step_cached(tokens, step.to(torch.float32).reshape(()), cache_key, cache_value, cross_key,
                                   cross_value, text_mask, token_weights)


def explain_function(lm: AudioLM):
    """(tokens [1,K,S], U [1,L,d], text_mask [1,L], step_mask [S], mask [S,L], reference [S,d]) ->
    hidden [2,S,d] (factual, counterfactual), cos_factual [S], cos_counterfactual [S], loss [], grad [S,L].

    loss = -sum_t cos(e_t, e~_t(M)) + sum_t cos(e_t, e~_t(1 - M)) over valid steps; both passes share
    one batch. Written without integer indexing of grad-carrying tensors (select_backward has no
    ONNX export): the two rows are combined with a constant sign vector instead.
    """
    sign = torch.tensor([-1.0, 1.0])

    def fn(tokens, u, text_mask, step_mask, mask, reference):
        m = mask.detach().requires_grad_(True)
        mf = m * text_mask  # padded text tokens get no mask (their scores are -inf anyway)
        weights = torch.stack([mf, 1.0 - mf])
        b2 = (2, -1, -1)
        hidden = lm.forward_seq(tokens.expand(*b2), u.expand(*b2), text_mask.expand(2, -1), weights)
        cos = F.cosine_similarity(hidden, reference[None].expand(2, -1, -1), dim=-1, eps=1e-8)
        loss = (cos * sign[:, None] * step_mask[None]).sum()
        (grad,) = torch.autograd.grad(loss, m)
        return hidden, cos[0].detach(), cos[1].detach(), loss.detach(), grad

    return fn


def _register_symbolics() -> None:
    from torch.onnx import register_custom_op_symbolic, symbolic_helper, symbolic_opset9

    def reshape(g, self, size, stride=None):
        return symbolic_opset9.view(g, self, size)

    def identity(g, self):
        return g.op("Identity", self)

    def sign(g, self):
        return g.op("Sign", self)

    def softmax(g, self, dim, half_to_float):
        return g.op("Softmax", self, axis_i=symbolic_helper._maybe_get_const(dim, "i"))

    register_custom_op_symbolic("aten::_reshape_alias", reshape, config.OPSET)
    register_custom_op_symbolic("aten::_unsafe_view", lambda g, self, size: reshape(g, self, size), config.OPSET)
    register_custom_op_symbolic("aten::lift_fresh_copy", identity, config.OPSET)
    register_custom_op_symbolic("aten::sgn", sign, config.OPSET)
    register_custom_op_symbolic("aten::_softmax", softmax, config.OPSET)


# ------------------------------------------------------------------ export helpers

def _export(module, args, path: Path, inputs, outputs, dynamic) -> None:
    # No constant folding: folded (transposed) copies of the weights would not dedupe in
    # share_initializers; onnxruntime folds them in memory at load time anyway.
    torch.onnx.export(module, args, str(path), opset_version=config.OPSET, input_names=inputs, output_names=outputs,
                      dynamic_axes=dynamic, do_constant_folding=False)


def _hoist_constants(model: onnx.ModelProto, min_bytes: int) -> None:
    """Large Constant nodes (positional tables, causal masks traced once per layer) become
    initializers, so share_initializers stores each distinct one once."""
    keep = []
    for node in model.graph.node:
        t = node.attribute[0].t if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value" else None
        if t is not None and len(t.raw_data) >= min_bytes:
            t.name = node.output[0]
            model.graph.initializer.append(t)
        else:
            keep.append(node)
    del model.graph.node[:]
    model.graph.node.extend(keep)


def share_initializers(paths: list[Path], blob: Path, min_bytes: int = 4096) -> None:
    """Move every large initializer into one external file, stored once however many graphs use it.

    The LM's weights appear in text_encoder, lm_step and lm_explain; keeping one copy holds the bundle
    under its size budget. Identical tensors are found by content, so folded copies dedupe too.
    """
    offsets: dict[str, tuple[int, int]] = {}
    index: dict[str, dict] = {}
    with open(blob, "wb") as out:
        for p in paths:
            model = onnx.load(str(p))
            _hoist_constants(model, min_bytes)
            for init in model.graph.initializer:
                arr = numpy_helper.to_array(init)
                raw = arr.tobytes()
                if len(raw) < min_bytes:
                    continue
                key = hashlib.sha256(raw + str(arr.dtype).encode() + str(arr.shape).encode()).hexdigest()
                if key not in offsets:
                    pad = (-out.tell()) % 64
                    out.write(b"\0" * pad)
                    offsets[key] = (out.tell(), len(raw))
                    out.write(raw)
                off, length = offsets[key]
                entry = index.setdefault(key, {"offset": off, "bytes": length, "dtype": str(arr.dtype),
                                               "shape": list(arr.shape), "names": []})
                if init.name not in entry["names"]:
                    entry["names"].append(init.name)
                init.ClearField("raw_data")
                for f in ("float_data", "int32_data", "int64_data", "double_data"):
                    init.ClearField(f)
                init.data_location = onnx.TensorProto.EXTERNAL
                del init.external_data[:]
                for k, val in (("location", blob.name), ("offset", str(off)), ("length", str(length))):
                    e = init.external_data.add()
                    e.key, e.value = k, val
            onnx.save(model, str(p))
    # where each tensor lives in the blob: lets tools (and the randomised-model sanity check) work
    # on the weights without parsing ONNX
    index_path = blob.with_suffix(".index.json")
    index_path.write_text(json.dumps({"file": blob.name, "tensors": sorted(index.values(), key=lambda e: e["offset"])}, indent=1))


def tokenizer_json(v: dict[str, int]) -> dict:
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": v[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for s in SPECIALS],
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Lowercase"}]},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": None,
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": v, "unk_token": "[UNK]"},
    }


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ------------------------------------------------------------------ graphs
# Each exporter writes its graphs from the LM (or codec) alone and returns their file names, so the
# build (run) and tools/reexport.py (from the committed bundle) share one definition of every graph.

def export_text_encoder(lm: AudioLM, codec, bundle: Path) -> list[str]:
    ids, tmask = _text_example()
    _export(TextEncoderGraph(lm), (ids, tmask), bundle / "text_encoder.onnx", ["ids", "text_mask"],
            ["text_vectors", "cross_key", "cross_value"],
            {"ids": {0: "batch", 1: "tokens"}, "text_mask": {0: "batch", 1: "tokens"},
             "text_vectors": {0: "batch", 1: "tokens"}, "cross_key": {1: "batch", 3: "tokens"},
             "cross_value": {1: "batch", 3: "tokens"}})
    return ["text_encoder.onnx"]


def export_lm_step(lm: AudioLM, codec, bundle: Path) -> list[str]:
    cfg = lm.cfg
    H, dh = cfg.heads, cfg.d // cfg.heads
    ids, tmask = _text_example()
    with torch.no_grad():
        u, ck, cv = TextEncoderGraph(lm)(ids, tmask)
    cache = torch.zeros(cfg.layers, 2, H, 5, dh)
    step_args = (torch.full((2, cfg.n_codebooks), cfg.card), torch.tensor([3]), cache, cache.clone(), ck, cv, tmask,
                 torch.ones(2, 4))
    kv_axes = {1: "batch", 3: "capacity"}
    _export(StepGraph(lm), step_args, bundle / "lm_step.onnx",
            ["tokens", "step", "cache_key", "cache_value", "cross_key", "cross_value", "text_mask", "token_weights"],
            ["logits", "new_key", "new_value"],
            {"tokens": {0: "batch"}, "cache_key": kv_axes, "cache_value": kv_axes,
             "cross_key": {1: "batch", 3: "tokens"}, "cross_value": {1: "batch", 3: "tokens"},
             "text_mask": {0: "batch", 1: "tokens"}, "token_weights": {0: "batch", 1: "tokens"},
             "logits": {0: "batch"}, "new_key": {1: "batch"}, "new_value": {1: "batch"}})
    check_step(lm)
    return ["lm_step.onnx"]


def check_step(lm: AudioLM, steps: int = 6) -> None:
    """lm.step_cached (the exported graph's one-position code path) must agree with the full sequence
    pass teacher forcing and the explainers use: the same logits at every step, a muted token included,
    with the cache at its full capacity from the first step (positions not yet written hold junk)."""
    cfg = lm.cfg
    g = torch.Generator().manual_seed(3)
    ids, tmask = _text_example()
    inp = torch.randint(0, cfg.card + 1, (2, cfg.n_codebooks, steps), generator=g)
    weights = torch.ones(2, steps, ids.shape[1])
    weights[0, :, 1] = 0.0
    with torch.no_grad():
        u = lm.text(ids, tmask)
        ck, cv = lm.cross_kv(u)
        full = lm.logits(lm.forward_seq(inp, u, tmask, weights))  # [B, K, S, card]
        pk = torch.randn(cfg.layers, 2, cfg.heads, steps, cfg.d // cfg.heads, generator=g)
        pv = torch.randn(cfg.layers, 2, cfg.heads, steps, cfg.d // cfg.heads, generator=g)
        for s in range(steps):
            logits, k, v = lm.step_cached(inp[:, :, s], torch.tensor(float(s)), pk, pv, ck, cv, tmask, weights[:, s])
            pk[:, :, :, s:s + 1], pv[:, :, :, s:s + 1] = k, v
            err = float((logits - full[:, :, s]).abs().max())
            assert err < 1e-4, f"lm.step_cached differs from forward_seq at step {s}: {err}"


def export_lm_probe(lm: AudioLM, codec, bundle: Path) -> list[str]:
    cfg = lm.cfg
    torch.manual_seed(0)  # the example's values (the graph does not depend on them)
    S, L = 12, 5
    probe_args = (torch.randint(0, cfg.card, (2, cfg.n_codebooks, S)), torch.randn(2, L, cfg.d), torch.ones(2, L),
                  torch.ones(2, S, L), torch.randint(0, cfg.card + 1, (2, cfg.n_codebooks, S)))
    seq_axes = {0: "batch", 2: "steps"}
    _export(ProbeGraph(lm), probe_args, bundle / "lm_probe.onnx", ["tokens", "text_vectors", "text_mask", "score_scale", "targets"],
            ["cross_entropy", "attention"],
            {"tokens": seq_axes, "targets": seq_axes, "text_vectors": {0: "batch", 1: "tokens"}, "text_mask": {0: "batch", 1: "tokens"},
             "score_scale": {0: "batch", 1: "steps", 2: "tokens"}, "cross_entropy": {0: "batch", 1: "steps"},
             "attention": {0: "batch", 1: "steps", 2: "tokens"}})
    return ["lm_probe.onnx"]


def _decomposition():
    _register_symbolics()
    return get_decompositions([torch.ops.aten._softmax_backward_data, torch.ops.aten.native_layer_norm_backward,
                               torch.ops.aten.gelu_backward, torch.ops.aten.sigmoid_backward,
                               torch.ops.aten._log_softmax_backward_data])


def export_lm_explain(lm: AudioLM, codec, bundle: Path) -> list[str]:
    names = []
    for steps, tokens in config.EXPLAIN_BUCKETS:
        ex = explain_example(lm.cfg, steps, tokens)
        gm = make_fx(explain_function(lm), decomposition_table=_decomposition())(*ex)
        name = f"lm_explain_s{steps}_l{tokens}.onnx"
        torch.onnx.export(gm, ex, str(bundle / name), opset_version=config.OPSET,
                          input_names=["tokens", "text_vectors", "text_mask", "step_mask", "mask", "reference"],
                          output_names=["hidden", "cos_factual", "cos_counterfactual", "loss", "grad_mask"],
                          do_constant_folding=False)
        names.append(name)
    return names


def export_explainer_step(lm: AudioLM, codec, bundle: Path) -> list[str]:
    names = []
    for steps, tokens in config.EXPLAIN_BUCKETS:
        gm = make_fx(explainer.step_function(lm), decomposition_table=_decomposition())(*explainer.example(lm, steps, tokens))
        name = f"explainer_step_s{steps}_l{tokens}.onnx"
        torch.onnx.export(gm, explainer.example(lm, steps, tokens), str(bundle / name), opset_version=config.OPSET,
                          input_names=explainer.INPUTS, output_names=explainer.OUTPUTS, do_constant_folding=False)
        names.append(name)
    return names


def _gradient_example(lm: AudioLM, steps: int, tokens: int):
    ex = explain_example(lm.cfg, steps, tokens)
    targets = ex[0].clone()
    targets[:, :, -7:] = lm.cfg.card  # some unscored (padded) steps in the example
    return (ex[0], ex[1], ex[2], targets)


def export_lm_gradcam(lm: AudioLM, codec, bundle: Path) -> list[str]:
    names = []
    for steps, tokens in config.EXPLAIN_BUCKETS:
        args = _gradient_example(lm, steps, tokens)
        gm = make_fx(lambda *a: lm.gradcam(*a), decomposition_table=_decomposition())(*args)
        name = f"lm_gradcam_s{steps}_l{tokens}.onnx"
        torch.onnx.export(gm, args, str(bundle / name), opset_version=config.OPSET,
                          input_names=["tokens", "text_vectors", "text_mask", "targets"], output_names=["gradcam_a", "gradcam_e"],
                          do_constant_folding=False)
        names.append(name)
    return names


# Steps one lm_chefer run explains (its batch of sequence copies); the engine loops over `first`.
CHEFER_CHUNK = 8


def export_lm_chefer(lm: AudioLM, codec, bundle: Path) -> list[str]:
    names = []
    for steps, tokens in config.EXPLAIN_BUCKETS:
        args = (*_gradient_example(lm, steps, tokens), torch.tensor([CHEFER_CHUNK]))
        gm = make_fx(lambda *a: lm.chefer(*a, chunk=CHEFER_CHUNK), decomposition_table=_decomposition())(*args)
        name = f"lm_chefer_s{steps}_l{tokens}.onnx"
        torch.onnx.export(gm, args, str(bundle / name), opset_version=config.OPSET,
                          input_names=["tokens", "text_vectors", "text_mask", "targets", "first"],
                          output_names=["relevance"], do_constant_folding=False)
        names.append(name)
    return names


def export_codec_encoder(lm: AudioLM, codec, bundle: Path) -> list[str]:
    wav = torch.randn(1, CODE_HOP * 10, generator=torch.Generator().manual_seed(0)) * 0.1
    _export(CodecEncoder(codec), (wav,), bundle / "codec_encoder.onnx", ["audio"], ["codes"],
            {"audio": {0: "batch", 1: "samples"}, "codes": {0: "batch", 2: "frames"}})
    return ["codec_encoder.onnx"]


def export_codec_decoder(lm: AudioLM, codec, bundle: Path) -> list[str]:
    codes = torch.randint(0, lm.cfg.card, (1, lm.cfg.n_codebooks, 10), generator=torch.Generator().manual_seed(0))
    _export(CodecDecoder(codec), (codes,), bundle / "codec_decoder.onnx", ["codes"], ["audio"],
            {"codes": {0: "batch", 2: "frames"}, "audio": {0: "batch", 1: "samples"}})
    return ["codec_decoder.onnx"]


# name -> exporter, in the order their tensors enter the shared weight blobs (the blob's layout follows it)
LM_GRAPHS = {"text_encoder": export_text_encoder, "lm_step": export_lm_step, "lm_probe": export_lm_probe,
             "lm_explain": export_lm_explain, "explainer_step": export_explainer_step, "lm_gradcam": export_lm_gradcam,
             "lm_chefer": export_lm_chefer}
CODEC_GRAPHS = {"codec_encoder": export_codec_encoder, "codec_decoder": export_codec_decoder}


def _text_example():
    return torch.tensor([[5, 6, 7, 8], [NULL_ID, PAD_ID, PAD_ID, PAD_ID]]), torch.tensor([[1.0, 1, 1, 1], [1, 0, 0, 0]])


def share_bundle_weights(bundle: Path, names: dict[str, list[str]]) -> None:
    """The LM's and the codec's large initializers into lm_weights.bin / codec_weights.bin."""
    share_initializers([bundle / f for k in LM_GRAPHS for f in names[k]], bundle / "lm_weights.bin")
    share_initializers([bundle / f for k in CODEC_GRAPHS for f in names[k]], bundle / "codec_weights.bin")


# ------------------------------------------------------------------ main

def run(work: Path, bundle: Path, codec, log, lm: AudioLM | None = None) -> None:
    bundle.mkdir(parents=True, exist_ok=True)
    previous = json.loads((bundle / "manifest.json").read_text()) if (bundle / "manifest.json").exists() else None
    for stale in bundle.glob("*.onnx"):
        stale.unlink()
    lm = lm or load_lm(work)
    for p in lm.parameters():
        p.requires_grad_(False)
    codec.eval()
    clf = load_classifier(work)
    v = vocab()
    names: dict[str, list[str]] = {}
    for kind, exporter in {**LM_GRAPHS, **CODEC_GRAPHS}.items():
        log(f"export: {kind}")
        names[kind] = exporter(lm, codec, bundle)
    log("export: classifier")
    _export(WaveClassifier(clf), (torch.randn(1, SR, generator=torch.Generator().manual_seed(0)) * 0.1,),
            bundle / "classifier.onnx", ["audio"], ["probabilities", "activity"],
            {"audio": {0: "batch", 1: "samples"}, "probabilities": {0: "batch"}, "activity": {0: "batch", 2: "frames"}})

    share_bundle_weights(bundle, names)
    (bundle / "tokenizer.json").write_text(json.dumps(tokenizer_json(v), indent=1, ensure_ascii=False))

    log("export: parity fixtures")
    parity_fixture.write(lm, codec, clf, v, bundle, explain_function, explain_example, config.PARITY_BUCKET)

    write_manifest(bundle, lm.cfg, threshold(work), names, model_identity(lm, codec, bundle, previous))
    gt_fixtures.write(work)
    # the committed bundle must be enough to re-export later: check the round trip
    ids, tmask = _text_example()
    again = bundle_io.lm_from_bundle(bundle)
    with torch.no_grad():
        a = lm.text(ids, tmask)
        b = again.text(ids, tmask)
    assert torch.equal(a, b), "bundle_io could not rebuild the LM from the bundle"
    log("export: done")


def explain_example(cfg: LMConfig, steps: int, tokens: int):
    g = torch.Generator().manual_seed(5)
    return (torch.randint(0, cfg.card, (1, cfg.n_codebooks, steps), generator=g),
            torch.randn(1, tokens, cfg.d, generator=g),
            torch.cat([torch.ones(1, 6), torch.zeros(1, tokens - 6)], 1),
            torch.cat([torch.ones(steps - 10), torch.zeros(10)]),
            torch.rand(steps, tokens, generator=g),
            torch.randn(steps, cfg.d, generator=g))


GENERATION = {"cfg": config.CFG, "topK": config.TOP_K, "topP": 0.0, "temperature": 1.0}


def weights_sha256(lm: AudioLM, codec, tokenizer: bytes) -> str:
    """sha256 of what makes a take: the LM's and the codec's tensors by name in one canonical layout
    (sorted names; name, dtype and shape, then the little-endian bytes), the tokenizer file and the
    generation defaults. Graph files, their layout and the weight blobs' order do not enter it."""
    h = hashlib.sha256()
    tensors = {**{f"lm.{k}": v for k, v in lm.state_dict().items()}, **{f"codec.{k}": v for k, v in codec.state_dict().items()}}
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        h.update(f"{name}\0{t.dtype}\0{list(t.shape)}\0".encode())
        h.update(t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes())
    h.update(tokenizer)
    h.update(json.dumps(GENERATION, sort_keys=True).encode())
    return h.hexdigest()


def model_identity(lm: AudioLM, codec, bundle: Path, previous: dict | None, previous_sha256: str | None = None) -> dict:
    """The generating model's identity, which a take records and the studio compares ("identity" in the
    manifest): {"id", "weightsSha256"}. It survives a re-export: the same weights keep the previous
    manifest's id. previous_sha256: the sha256 of a previous manifest without an identity (bundle 2.0.0,
    whose takes recorded that sha256), given only where its weights are known to be these (a re-export
    from that bundle); otherwise new weights get their digest as the id."""
    digest = weights_sha256(lm, codec, (bundle / "tokenizer.json").read_bytes())
    old = (previous or {}).get("identity")
    if old is not None and old["weightsSha256"] == digest:
        return old
    if old is None and previous_sha256 is not None:
        return {"id": previous_sha256, "weightsSha256": digest}
    return {"id": digest, "weightsSha256": digest}


def write_manifest(bundle: Path, cfg: LMConfig, classifier_threshold: float, names: dict[str, list[str]], identity: dict,
                   carry: dict | None = None) -> None:
    """carry: fields other stages put in the manifest (for example the judge's calibration), kept as they are."""
    files = sorted(p for p in bundle.iterdir() if p.is_file() and p.name not in ("manifest.json", "README.md"))
    manifest = {
        "name": bundle.name,
        "version": config.BUNDLE_VERSION,
        "licence": "MIT",
        "description": "AudioGen-shaped text-to-audio model trained on the synthesised tiny-foley sound world",
        "sampleRate": SR,
        "frameRate": SR // CODE_HOP,
        "codebooks": cfg.n_codebooks,
        "cardinality": cfg.card,
        "pattern": "delay",
        "maxDurationSec": config.MAX_DURATION,
        "maxTextTokens": cfg.max_text,
        "hiddenSize": cfg.d,
        "layers": cfg.layers,
        "heads": cfg.heads,
        "specialTokens": {"pad": PAD_ID, "unk": UNK_ID, "null": NULL_ID, "audioEmpty": cfg.card},
        "labels": world.LABELS,
        "classifierThreshold": classifier_threshold,
        "generation": GENERATION,
        "identity": identity,
        "graphs": {
            "textEncoder": "text_encoder.onnx",
            "lmStep": "lm_step.onnx",
            "lmProbe": "lm_probe.onnx",
            "lmExplain": [{"file": n, "steps": s, "tokens": t} for n, (s, t) in zip(names["lm_explain"], config.EXPLAIN_BUCKETS)],
            # nullPrior: the graph takes `prior` (AudioGenX + null-effect prior, ours); a converted bundle's does not
            "explainerStep": [{"file": n, "steps": s, "tokens": t, "hidden": explainer.HIDDEN, "nullPrior": True}
                              for n, (s, t) in zip(names["explainer_step"], config.EXPLAIN_BUCKETS)],
            "lmGradcam": [{"file": n, "steps": s, "tokens": t} for n, (s, t) in zip(names["lm_gradcam"], config.EXPLAIN_BUCKETS)],
            "lmChefer": [{"file": n, "steps": s, "tokens": t} for n, (s, t) in zip(names["lm_chefer"], config.EXPLAIN_BUCKETS)],
            "codecEncoder": "codec_encoder.onnx",
            "codecDecoder": "codec_decoder.onnx",
            "classifier": "classifier.onnx",
            "tokenizer": "tokenizer.json",
        },
        **(carry or {}),
        "files": {p.name: {"sha256": sha256(p), "bytes": p.stat().st_size} for p in files},
    }
    (bundle / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
