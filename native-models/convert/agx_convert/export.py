"""The bundle: ONNX graphs, shared weights, tokenizer, manifest and model card, from converted tensors.

Writes the contract of native-models/tiny-foley (docs/architecture.md, "The model bundle contract";
electron/engine/manifest.ts) for an audiocraft AudioGen / MusicGen model:
- text_encoder.onnx: T5 -> output_proj -> U (zero where masked), and every layer's cross keys/values;
- lm_step.onnx: one generation step against a fixed-capacity KV cache (it returns only the step's
  keys and values); the batch carries the CFG rows (prompt rows first, null rows after), combined by
  the engine;
- lm_probe.onnx and lm_explain_s{S}_l{L}.onnx: a teacher-forced pass, and AudioGenX's gradient graph
  (the exact gradient of the factual / counterfactual cosine loss w.r.t. the mask): make_fx traces a
  function calling torch.autograd.grad into plain aten ops (weights frozen), which torch.onnx exports
  as an inference graph, as native-models/build/agx_build/stages/export.py does for tiny-foley;
- codec_encoder.onnx / codec_decoder.onnx: EnCodec;
- lm_weights.bin / codec_weights.bin: every weight once, in the layout its node reads, so
  onnxruntime can memory-map one file shared by all graphs and sessions (weights.py);
- tokenizer.json (the T5 folder's), manifest.json (sha256 of every file), README.md (model card).
Each graph is first written to out_dir/.parts/ and marked done, so a killed conversion resumes with
the graphs it had not finished.
"""
from __future__ import annotations

import ctypes
import hashlib
import json
import shutil
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch._decomp import get_decompositions
from torch.fx.experimental.proxy_tensor import make_fx

from agx_convert import LICENCE, VERSION, explainer
from agx_convert.formats.t5 import t5_encoder_state, weights_file
from agx_convert.modules.encodec import CodecDecoder, CodecEncoder
from agx_convert.modules.lm import LMConfig, LMGraph, TextSide
from agx_convert.modules.t5 import T5Config, T5Encoder
from agx_convert.weights import link_duplicates, share_weights

OPSET = 17
# A graph's export revision: bump it when what a graph file holds changes, so a conversion resumed with
# a newer converter re-exports exactly those graphs (the others take tens of minutes at full size).
# explainer_step 2: the engine's Adam, token weights, term coefficients and the null-effect prior;
# 3: the generators' first layer as a batched product (no per-epoch copy of W1; same outputs).
GRAPH_REVISIONS = {"explainer_step": 3}
Progress = Callable[[str, "float | None"], None]


# ------------------------------------------------------------------ graph modules

class TextEncoderGraph(nn.Module):
    """ids [B, L], text_mask [B, L] -> text_vectors [B, L, d], cross_key / cross_value [layers, B, H, L, dh].

    Holds only the T5 encoder and the LM's text side (not the LM: the export would copy all of it).
    A pad id counts as masked whatever text_mask says: the engine's null row ([null] = pad, mask 1)
    then gets all-zero vectors, which is audiocraft's unconditional prompt (an empty description
    with its mask zeroed)."""

    def __init__(self, t5: T5Encoder, text_side: TextSide, pad_id: int) -> None:
        super().__init__()
        self.t5, self.text_side, self.pad_id = t5, text_side, pad_id

    def forward(self, ids, text_mask):
        mask = text_mask * (ids != self.pad_id).to(torch.float32)
        u = self.text_side.condition(self.t5(ids, mask), mask)
        ck, cv = self.text_side.cross_kv(u)
        return u, ck, cv


class StepGraph(nn.Module):
    def __init__(self, lm: LMGraph) -> None:
        super().__init__()
        self.lm = lm

    def forward(self, tokens, step, cache_key, cache_value, cross_key, cross_value, text_mask, token_weights):
        return self.lm.step(tokens, step.to(torch.float32).reshape(()), cache_key, cache_value, cross_key,
                            cross_value, text_mask, token_weights)


class ProbeGraph(nn.Module):
    def __init__(self, lm: LMGraph) -> None:
        super().__init__()
        self.lm = lm

    def forward(self, tokens, text_vectors, text_mask, score_scale, targets):
        return self.lm.probe(tokens, text_vectors, text_mask, score_scale, targets)


def explain_function(lm: LMGraph):
    """(tokens [1,K,S], U [1,L,d], text_mask [1,L], step_mask [S], mask [S,L], reference [S,d]) ->
    hidden [2,S,d], cos_factual [S], cos_counterfactual [S], loss [], grad_mask [S,L]; the same
    inputs, outputs and loss as tiny-foley's lm_explain (docs/method.md): the factual pass weights
    the cross-attention by M, the counterfactual by 1 - M, in one batch of two."""
    sign = torch.tensor([-1.0, 1.0])

    def fn(tokens, u, text_mask, step_mask, mask, reference):
        m = mask.detach().requires_grad_(True)
        mf = m * text_mask
        weights = torch.stack([mf, 1.0 - mf])
        hidden = lm.forward_seq(tokens.expand(2, -1, -1), u.expand(2, -1, -1), text_mask.expand(2, -1), weights)
        cos = F.cosine_similarity(hidden, reference[None].expand(2, -1, -1), dim=-1, eps=1e-8)
        loss = (cos * sign[:, None] * step_mask[None]).sum()
        (grad,) = torch.autograd.grad(loss, m)
        return hidden, cos[0].detach(), cos[1].detach(), loss.detach(), grad

    return fn


def explain_example(cfg: LMConfig, steps: int, tokens: int):
    g = torch.Generator().manual_seed(5)
    n = min(6, tokens)
    return (torch.randint(0, cfg.card, (1, cfg.n_q, steps), generator=g), torch.randn(1, tokens, cfg.dim, generator=g),
            torch.cat([torch.ones(1, n), torch.zeros(1, tokens - n)], 1),
            torch.cat([torch.ones(steps - steps // 8), torch.zeros(steps // 8)]),
            torch.rand(steps, tokens, generator=g), torch.randn(steps, cfg.dim, generator=g))


_SYMBOLICS_DONE = False


def _register_symbolics() -> None:
    """aten ops make_fx emits that torch 1.13's ONNX exporter has no symbolic for."""
    global _SYMBOLICS_DONE
    if _SYMBOLICS_DONE:
        return
    from torch.onnx import register_custom_op_symbolic, symbolic_helper, symbolic_opset9

    def reshape(g, self, size, stride=None):
        return symbolic_opset9.view(g, self, size)

    register_custom_op_symbolic("aten::_reshape_alias", reshape, OPSET)
    register_custom_op_symbolic("aten::_unsafe_view", lambda g, self, size: reshape(g, self, size), OPSET)
    register_custom_op_symbolic("aten::lift_fresh_copy", lambda g, self: g.op("Identity", self), OPSET)
    register_custom_op_symbolic("aten::sgn", lambda g, self: g.op("Sign", self), OPSET)
    register_custom_op_symbolic("aten::_softmax", lambda g, self, dim, half: g.op(
        "Softmax", self, axis_i=symbolic_helper._maybe_get_const(dim, "i")), OPSET)
    _SYMBOLICS_DONE = True


DECOMPOSE = [torch.ops.aten._softmax_backward_data, torch.ops.aten.native_layer_norm_backward,
             torch.ops.aten.gelu_backward, torch.ops.aten.sigmoid_backward, torch.ops.aten._log_softmax_backward_data]


# ------------------------------------------------------------------ memory

def return_freed_memory() -> None:
    """glibc only: serve every allocation of 1 MiB or more from its own mapping, returned to the OS when
    freed. By default glibc raises that threshold as large blocks are freed, and at full size the
    exports' freed tensors then stayed in the heap: 15.6 GB of private memory held after lm_explain's
    export, so the next export ran out of memory (docs/results.md, "Real models at full size")."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD; setting it also turns off glibc's dynamic raising


def map_parameters(module: nn.Module, path: Path) -> None:
    """Moves every parameter into one file and maps it back copy-on-write. The weights then live in the
    page cache, which the kernel can drop and read again, not in private memory: each graph's export
    makes its own copy of the parameters, and at full size (a 7.4 GB LM) two private copies do not fit
    in 24 GB beside the explainer's tensors."""
    params = list(module.parameters())
    if any(p.dtype != torch.float32 for p in params):
        raise ValueError("map_parameters: every parameter must be fp32")
    with open(path, "wb") as f:
        for p in params:
            f.write(p.detach().contiguous().numpy().tobytes())
    mapped = np.memmap(path, dtype=np.float32, mode="c")
    offset = 0
    for p in params:
        p.data = torch.from_numpy(mapped[offset:offset + p.numel()].reshape(p.shape))
        offset += p.numel()


# ------------------------------------------------------------------ main

def export_bundle(lm_state: dict, lm_cfg: dict, t5_dir, codec_state: dict, codec_cfg: dict, out_dir,
                  progress: Progress, *, name: str | None = None, max_text_tokens: int | None = None,
                  explain_buckets: list[tuple[int, int]] | None = None, max_duration: float | None = None,
                  external_min_bytes: int = 4096, explainer_hidden: int | None = None) -> Path:
    """Writes the bundle into out_dir and returns it; lm_state is emptied on the way (memory). explain_buckets: (LM steps, prompt tokens) per
    lm_explain graph; by default 5 s of frames plus the delay steps, by 32 tokens. Initializers of at
    least external_min_bytes go to the shared weight files (the tests lower it to reach toy weights).
    explainer_hidden: the AudioGenX mask generators' width (default d / 3, the paper's 512 at d = 1536).
    max_text_tokens: the longest prompt (default the widest bucket's tokens, so every prompt that
    generates can be explained)."""
    out, t5_dir = Path(out_dir), Path(t5_dir)
    parts = out / ".parts"
    parts.mkdir(parents=True, exist_ok=True)
    cfg = LMConfig.from_dict(lm_cfg)
    hidden = explainer_hidden or explainer.default_hidden(cfg.dim)
    fingerprint = _fingerprint(lm_state, lm_cfg, codec_state, codec_cfg, t5_dir, max_text_tokens, [explain_buckets, hidden])
    stamp = parts / "inputs.sha256"
    if not stamp.exists() or stamp.read_text() != fingerprint:
        shutil.rmtree(parts)
        parts.mkdir(parents=True)
        stamp.write_text(fingerprint)
    frame_rate = float(codec_cfg["frame_rate"])
    if explain_buckets is None:
        explain_buckets = [(round(5 * frame_rate) + cfg.n_q - 1, 32)]
    max_text_tokens = max_text_tokens or max(t for _, t in explain_buckets)
    if codec_cfg["n_q"] < cfg.n_q or codec_cfg["bins"] != cfg.card:
        raise ValueError(f"the codec has {codec_cfg['n_q']} codebooks of {codec_cfg['bins']}; the LM reads {cfg.n_q} of {cfg.card}")

    t5_json = json.loads((t5_dir / "config.json").read_text())
    t5_cfg = T5Config.from_json(t5_json)
    if t5_cfg.d_model != cfg.text_dim:
        raise ValueError(f"T5 d_model {t5_cfg.d_model} but output_proj takes {cfg.text_dim}")
    return_freed_memory()
    progress("building the LM", 0.0)
    lm = LMGraph(cfg, lm_state).eval()  # empties lm_state: one copy of the weights in memory
    map_parameters(lm, parts / "lm_parameters.f32")
    H, dh = cfg.num_heads, cfg.dim // cfg.num_heads
    graphs: list[tuple[str, Callable[[Path], None]]] = []

    def text_encoder(path: Path) -> None:
        # T5 is read here, not above: only this graph uses it, and it is freed when the export returns
        t5 = T5Encoder(t5_cfg, t5_encoder_state(weights_file(t5_dir))).eval()
        ids = torch.tensor([[5, 6, 7, t5_cfg.eos_id], [t5_cfg.pad_id] * 4])
        tmask = torch.tensor([[1.0, 1, 1, 1], [1, 0, 0, 0]])
        torch.onnx.export(TextEncoderGraph(t5, lm.text_side, t5_cfg.pad_id), (ids, tmask), str(path), opset_version=OPSET,
                          input_names=["ids", "text_mask"], output_names=["text_vectors", "cross_key", "cross_value"],
                          dynamic_axes={"ids": {0: "batch", 1: "tokens"}, "text_mask": {0: "batch", 1: "tokens"},
                                        "text_vectors": {0: "batch", 1: "tokens"}, "cross_key": {1: "batch", 3: "tokens"},
                                        "cross_value": {1: "batch", 3: "tokens"}}, do_constant_folding=False)

    def lm_step(path: Path) -> None:
        L = 4
        cache = torch.zeros(cfg.num_layers, 2, H, 5, dh)
        cross = torch.randn(cfg.num_layers, 2, H, L, dh)
        args = (torch.full((2, cfg.n_q), cfg.card), torch.tensor([3]), cache, cache.clone(), cross, cross.clone(),
                torch.ones(2, L), torch.ones(2, L))
        kv = {1: "batch", 3: "capacity"}
        torch.onnx.export(StepGraph(lm), args, str(path), opset_version=OPSET,
                          input_names=["tokens", "step", "cache_key", "cache_value", "cross_key", "cross_value",
                                       "text_mask", "token_weights"], output_names=["logits", "new_key", "new_value"],
                          dynamic_axes={"tokens": {0: "batch"}, "cache_key": kv, "cache_value": kv,
                                        "cross_key": {1: "batch", 3: "tokens"}, "cross_value": {1: "batch", 3: "tokens"},
                                        "text_mask": {0: "batch", 1: "tokens"}, "token_weights": {0: "batch", 1: "tokens"},
                                        "logits": {0: "batch"}, "new_key": {1: "batch"}, "new_value": {1: "batch"}},
                          do_constant_folding=False)

    def lm_probe(path: Path) -> None:
        S, L = 6, 4
        args = (torch.randint(0, cfg.card, (2, cfg.n_q, S)), torch.randn(2, L, cfg.dim), torch.ones(2, L),
                torch.ones(2, S, L), torch.randint(0, cfg.card + 1, (2, cfg.n_q, S)))
        seq = {0: "batch", 2: "steps"}
        torch.onnx.export(ProbeGraph(lm), args, str(path), opset_version=OPSET,
                          input_names=["tokens", "text_vectors", "text_mask", "score_scale", "targets"],
                          output_names=["cross_entropy", "attention"],
                          dynamic_axes={"tokens": seq, "targets": seq, "text_vectors": {0: "batch", 1: "tokens"},
                                        "text_mask": {0: "batch", 1: "tokens"},
                                        "score_scale": {0: "batch", 1: "steps", 2: "tokens"},
                                        "cross_entropy": {0: "batch", 1: "steps"},
                                        "attention": {0: "batch", 1: "steps", 2: "tokens"}}, do_constant_folding=False)

    def lm_explain(steps: int, tokens: int) -> Callable[[Path], None]:
        def run(path: Path) -> None:
            _register_symbolics()
            ex = explain_example(cfg, steps, tokens)
            gm = make_fx(explain_function(lm), decomposition_table=get_decompositions(DECOMPOSE))(*ex)
            torch.onnx.export(gm, ex, str(path), opset_version=OPSET,
                              input_names=["tokens", "text_vectors", "text_mask", "step_mask", "mask", "reference"],
                              output_names=["hidden", "cos_factual", "cos_counterfactual", "loss", "grad_mask"],
                              do_constant_folding=False)
        return run

    def explainer_step(steps: int, tokens: int) -> Callable[[Path], None]:
        def run(path: Path) -> None:
            _register_symbolics()
            ex = explainer.example(lm, steps, tokens, hidden)
            gm = make_fx(explainer.step_function(lm), decomposition_table=get_decompositions(DECOMPOSE))(*ex)
            torch.onnx.export(gm, ex, str(path), opset_version=OPSET, input_names=explainer.INPUTS,
                              output_names=explainer.OUTPUTS, do_constant_folding=False)
        return run

    hop = int(round(codec_cfg["sample_rate"] / frame_rate))

    def codec_encoder(path: Path) -> None:
        torch.onnx.export(CodecEncoder(codec_state, codec_cfg, cfg.n_q).eval(), (torch.randn(1, hop * 6) * 0.1,), str(path),
                          opset_version=OPSET, input_names=["audio"], output_names=["codes"],
                          dynamic_axes={"audio": {0: "batch", 1: "samples"}, "codes": {0: "batch", 2: "frames"}},
                          do_constant_folding=False)

    def codec_decoder(path: Path) -> None:
        codes = torch.randint(0, cfg.card, (1, cfg.n_q, 6))
        torch.onnx.export(CodecDecoder(codec_state, codec_cfg, cfg.n_q).eval(), (codes,), str(path), opset_version=OPSET,
                          input_names=["codes"], output_names=["audio"],
                          dynamic_axes={"codes": {0: "batch", 2: "frames"}, "audio": {0: "batch", 1: "samples"}},
                          do_constant_folding=False)

    explain_names = [f"lm_explain_s{s}_l{t}.onnx" for s, t in explain_buckets]
    explainer_names = [f"explainer_step_s{s}_l{t}.onnx" for s, t in explain_buckets]
    graphs = [("text_encoder.onnx", text_encoder), ("lm_step.onnx", lm_step), ("lm_probe.onnx", lm_probe),
              *[(n, lm_explain(s, t)) for n, (s, t) in zip(explain_names, explain_buckets)],
              *[(n, explainer_step(s, t)) for n, (s, t) in zip(explainer_names, explain_buckets)],
              ("codec_encoder.onnx", codec_encoder), ("codec_decoder.onnx", codec_decoder)]
    with torch.no_grad():
        for i, (file, export) in enumerate(graphs):
            folder = parts / file[:-len(".onnx")]
            revision = next((r for prefix, r in GRAPH_REVISIONS.items() if file.startswith(prefix)), 1)
            if _done_revision(folder / "done") == revision:
                progress(f"{file}: already exported (resuming)", (i + 1) / (len(graphs) + 2))
                continue
            progress(f"exporting {file}", i / (len(graphs) + 2))
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            t0 = time.time()
            if file.startswith(("lm_explain", "explainer_step")):
                with torch.enable_grad():
                    export(folder / file)
            else:
                export(folder / file)
            link_duplicates(folder, parts / "store")
            (folder / "done").write_text(json.dumps({"seconds": round(time.time() - t0, 1), "revision": revision}) + "\n")

    progress("writing the shared weight files", len(graphs) / (len(graphs) + 2))
    for stale in out.glob("*.onnx"):
        stale.unlink()
    lm_graphs = ["text_encoder.onnx", "lm_step.onnx", "lm_probe.onnx", *explain_names, *explainer_names]
    lm_report = share_weights([parts / f[:-5] / f for f in lm_graphs], out, "lm_weights.bin", external_min_bytes)
    codec_report = share_weights([parts / f[:-5] / f for f in ("codec_encoder.onnx", "codec_decoder.onnx")], out,
                                 "codec_weights.bin", external_min_bytes)
    for report in (lm_report, codec_report):
        if report["stored_twice"]:
            progress(f"{report['file']}: {len(report['stored_twice'])} weight(s) stored in both layouts", None)
    shutil.copyfile(t5_dir / "tokenizer.json", out / "tokenizer.json")
    tok = json.loads((out / "tokenizer.json").read_text())
    unk = _token_id(tok, "<unk>", 2)

    progress("writing the manifest and model card", (len(graphs) + 1) / (len(graphs) + 2))
    duration = max_duration or float(lm_cfg.get("segment_duration", 10.0))
    gen = lm_cfg.get("generation", {})
    manifest = {
        "name": name or out.name,
        "version": VERSION,
        "licence": lm_cfg.get("licence", LICENCE),
        "description": f"{lm_cfg.get('family', 'audiocraft')} converted by agx_convert {VERSION} "
                       f"({cfg.num_layers} layers x {cfg.dim}, T5 {t5_json.get('_name_or_path') or t5_dir.name})",
        "sampleRate": int(codec_cfg["sample_rate"]),
        "frameRate": frame_rate,
        "codebooks": cfg.n_q,
        "cardinality": cfg.card,
        "pattern": "delay",
        "maxDurationSec": duration,
        "maxTextTokens": max_text_tokens,
        "hiddenSize": cfg.dim,
        "layers": cfg.num_layers,
        "heads": cfg.num_heads,
        "specialTokens": {"pad": t5_cfg.pad_id, "unk": unk, "null": t5_cfg.pad_id, "audioEmpty": cfg.card},
        "generation": {"cfg": float(lm_cfg["cfg_coef"]), "topK": int(gen.get("top_k", 250)),
                       "topP": float(gen.get("top_p", 0.0)), "temperature": float(gen.get("temperature", 1.0))},
        "graphs": {
            "textEncoder": "text_encoder.onnx",
            "lmStep": "lm_step.onnx",
            "lmProbe": "lm_probe.onnx",
            "lmExplain": [{"file": n, "steps": s, "tokens": t} for n, (s, t) in zip(explain_names, explain_buckets)],
            "explainerStep": [{"file": n, "steps": s, "tokens": t, "hidden": hidden, "nullPrior": True}
                              for n, (s, t) in zip(explainer_names, explain_buckets)],
            "codecEncoder": "codec_encoder.onnx",
            "codecDecoder": "codec_decoder.onnx",
            "tokenizer": "tokenizer.json",
        },
        "hopLength": hop,
        "weightBytes": {"lm": lm_report["bytes"], "codec": codec_report["bytes"]},
        "source": {"family": lm_cfg.get("family"), "t5": t5_json.get("_name_or_path") or t5_dir.name,
                   "files": lm_cfg.get("sources", [])},
    }
    files = sorted(p for p in out.iterdir() if p.is_file() and p.name not in ("manifest.json", "README.md"))
    manifest["files"] = {p.name: {"sha256": sha256(p), "bytes": p.stat().st_size} for p in files}
    (out / "README.md").write_text(model_card(manifest))
    tmp = out / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=1) + "\n")
    tmp.replace(out / "manifest.json")  # last: a bundle with a manifest is complete
    shutil.rmtree(parts)
    progress("done", 1.0)
    return out


def _done_revision(done: Path) -> int | None:
    """The revision a finished graph was exported at (1 for markers written before revisions), None if unfinished."""
    if not done.is_file():
        return None
    try:
        return int(json.loads(done.read_text()).get("revision", 1))
    except (ValueError, AttributeError):
        return 1


def _token_id(tok: dict, piece: str, default: int) -> int:
    for t in tok.get("added_tokens", []):
        if t.get("content") == piece:
            return int(t["id"])
    vocab = tok.get("model", {}).get("vocab")
    if isinstance(vocab, list):  # Unigram: [[piece, score], ...]
        for i, entry in enumerate(vocab):
            if entry[0] == piece:
                return i
    elif isinstance(vocab, dict) and piece in vocab:
        return int(vocab[piece])
    return default


def _fingerprint(lm_state, lm_cfg, codec_state, codec_cfg, t5_dir: Path, max_text_tokens, buckets) -> str:
    """What the .parts/ graphs depend on: configs, tensor names and shapes, source checksums, T5 folder
    (not the converter's version: GRAPH_REVISIONS says which graphs a newer converter exports differently)."""
    h = hashlib.sha256()
    h.update(json.dumps([lm_cfg, codec_cfg, max_text_tokens, buckets], sort_keys=True, default=str).encode())
    for state in (lm_state, codec_state):
        h.update(json.dumps(sorted((k, list(v.shape)) for k, v in state.items())).encode())
    if not lm_cfg.get("sources"):  # no checksums from the reader: sample the values themselves
        for state in (lm_state, codec_state):
            for k in sorted(state)[:: max(1, len(state) // 16)]:
                h.update(state[k].flatten()[:4096].float().numpy().tobytes())
    for p in sorted(t5_dir.iterdir()):
        if p.is_file():
            h.update(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}".encode())
    return h.hexdigest()


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def model_card(m: dict) -> str:
    src = m["source"]
    rows = "\n".join(f"| {s.get('file')} | {s.get('bytes', '')} | `{s.get('sha256', '')}` |" for s in src["files"]) or "| (not recorded) | | |"
    return f"""# {m['name']}

{m['description']}.

**Licence: {m['licence']}.** The weights are Meta's AudioGen / MusicGen release (CC-BY-NC 4.0: no
commercial use) and Google's T5; this bundle was converted on the user's machine from files the user
downloaded, and must not be redistributed beyond what those licences allow. AudioGenX Studio ships no
third-party weights.

| | |
|---|---|
| sample rate | {m['sampleRate']} Hz, {m['frameRate']:g} frames/s, {m['codebooks']} codebooks of {m['cardinality']} (delay pattern) |
| LM | {m['layers']} layers, width {m['hiddenSize']}, {m['heads']} heads |
| text encoder | {src['t5']} |
| generation defaults | CFG {m['generation']['cfg']:g}, top-k {m['generation']['topK']}, temperature {m['generation']['temperature']:g} |
| weights | LM {m['weightBytes']['lm'] / 2**30:.2f} GiB, codec {m['weightBytes']['codec'] / 2**20:.1f} MiB (fp32, memory-mapped) |

## Source files

| file | bytes | sha256 |
|---|---|---|
{rows}

Converted by agx_convert {m['version']} (native-models/convert/). Graph inputs and outputs are
those of docs/architecture.md, "The model bundle contract".
"""
