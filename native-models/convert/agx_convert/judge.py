"""A real-audio judge for the faithfulness protocol: PANNs CNN14 -> a judge bundle.

    python3 -m agx_convert judge CKPT --labels class_labels_indices.csv --out DIR [--arch cnn14]

CNN14 is the architecture of PANNs (Kong et al. 2020; qiuqiangkong/audioset_tagging_cnn,
pytorch/models.py `Cnn14`, front end from torchlibrosa's stft.py). The release checkpoint
(`Cnn14_mAP=0.431.pth`) is a torch.save dict whose 'model' entry is the state dict:
- `spectrogram_extractor.stft.conv_real.weight` / `conv_imag.weight` [n_fft/2+1, 1, n_fft]: the STFT
  as a strided Conv1d (hann window folded in), applied after reflect-padding n_fft/2 on each side;
- `logmel_extractor.melW` [n_fft/2+1, mels]: power spectrum @ melW, then 10 log10(max(x, 1e-10))
  (ref 1.0, no top_db);
- `bn0` over the mel bins; `conv_block1..6` (conv1, conv2: 3x3, padding 1, no bias; bn1, bn2; ReLU after
  each), 2x2 average pooling after blocks 1-5 and none after 6; mean over mel, then max + mean over time;
- `fc1` + ReLU, `fc_audioset` + sigmoid: one probability per AudioSet class (multi-label).
Sample rate and hop are not in the weights: they come from the released variant with that FFT size
(inference.py's defaults and the README's 16 kHz model), and the mel matrix is checked against the
filter bank those settings give (a warning where it differs: it then says which settings it was not).

The graph holds the whole forward, front end included (classifier.onnx: audio [1, samples] at the
judge's rate -> probabilities [1, classes]); the batch norms are folded into the preceding convolution.
"""
from __future__ import annotations

import csv
import hashlib
import json
import math
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from agx_convert import VERSION
from agx_convert.convert import Stages, check_out_folder, sha256_file, state_digest
from agx_convert.spec import count, diff

ARCHES = ("cnn14",)
# n_fft -> (sample rate, hop, fmin, fmax) of the released CNN14 checkpoints with that window
# (audioset_tagging_cnn: pytorch/inference.py defaults for Cnn14_mAP=0.431; README for Cnn14_16k_mAP=0.438)
RELEASED = {1024: (32000, 320, 50, 14000), 512: (16000, 160, 50, 8000)}
FULL_WIDTHS = (64, 128, 256, 512, 1024, 2048)
FULL_CLASSES = 527
FULL_MELS = 64
# trainable parameters of models.py's Cnn14(classes_num=527): the convolutions (75,461,184), batch
# norms (16,256), fc1 (4,196,352) and fc_audioset (1,079,823); the frozen front end (STFT kernels and
# mel matrix, 1,083,456 more) is counted apart. Computed from the constructor, term by term.
FULL_PARAMETERS = 80_753_615
FULL_FRONT_END = 1_083_456
LICENCE = "CC-BY-4.0"
BN_EPS = 1e-5  # nn.BatchNorm2d's default, which models.py does not change
AMIN = 1e-10
STFT = "spectrogram_extractor.stft"


class JudgeError(ValueError):
    pass


def cnn14_spec(n_fft: int, mels: int, widths: tuple, fc: int, classes: int, tracked: bool = True) -> dict:
    """Every tensor name and shape of models.py's Cnn14 state dict at these sizes (buffers included)."""
    s: dict = {}
    s[f"{STFT}.conv_real.weight"] = (n_fft // 2 + 1, 1, n_fft)
    s[f"{STFT}.conv_imag.weight"] = (n_fft // 2 + 1, 1, n_fft)
    s["logmel_extractor.melW"] = (n_fft // 2 + 1, mels)

    def bn(prefix: str, c: int) -> None:
        for k in ("weight", "bias", "running_mean", "running_var"):
            s[f"{prefix}.{k}"] = (c,)
        if tracked:
            s[f"{prefix}.num_batches_tracked"] = ()

    bn("bn0", mels)
    c_in = 1
    for i, c in enumerate(widths, start=1):
        s[f"conv_block{i}.conv1.weight"] = (c, c_in, 3, 3)
        s[f"conv_block{i}.conv2.weight"] = (c, c, 3, 3)
        bn(f"conv_block{i}.bn1", c)
        bn(f"conv_block{i}.bn2", c)
        c_in = c
    s["fc1.weight"] = (fc, widths[-1])
    s["fc1.bias"] = (fc,)
    s["fc_audioset.weight"] = (classes, fc)
    s["fc_audioset.bias"] = (classes,)
    return s


def trainable(spec: dict) -> int:
    """Parameters that training updates: everything but the frozen front end and the batch-norm buffers."""
    return count({n: shape for n, shape in spec.items()
                  if not n.startswith((STFT, "logmel_extractor.")) and not n.endswith(("running_mean", "running_var", "num_batches_tracked"))})


def sizes_from_shapes(shapes: dict) -> dict:
    """The sizes a (possibly toy-width) checkpoint was built with, read from its shapes; the full size where a tensor is missing."""
    def dim(name: str, axis: int, default: int) -> int:
        shape = shapes.get(name)
        return int(shape[axis]) if shape is not None and len(shape) > axis else default

    n_fft = dim(f"{STFT}.conv_real.weight", 2, 1024)
    widths = tuple(dim(f"conv_block{i}.conv1.weight", 0, FULL_WIDTHS[i - 1]) for i in range(1, 7))
    return {"n_fft": n_fft, "mels": dim("logmel_extractor.melW", 1, FULL_MELS), "widths": widths,
            "fc": dim("fc1.weight", 0, widths[-1]), "classes": dim("fc_audioset.weight", 0, FULL_CLASSES),
            "tracked": "bn0.num_batches_tracked" in shapes}


def read_checkpoint(path: Path) -> dict:
    """The state dict of a PANNs checkpoint ({'model': state dict, ...} or a bare state dict), fp32, without running pickled code."""
    try:
        pkg = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as e:  # an unpickling error, a truncated file or not a torch file at all
        raise JudgeError(f"{path.name} is not a PyTorch checkpoint that loads as plain tensors ({type(e).__name__}: "
                         f"{str(e).splitlines()[0][:200] if str(e) else 'no detail'})") from None
    state = pkg.get("model", pkg) if isinstance(pkg, dict) else None
    if not isinstance(state, dict) or not all(isinstance(t, torch.Tensor) for t in state.values()):
        keys = ", ".join(list(pkg)[:8]) if isinstance(pkg, dict) else type(pkg).__name__
        raise JudgeError(f"{path.name} holds no CNN14 state dict (expected a dict with a 'model' entry; found {keys})")
    # a checkpoint saved from nn.DataParallel prefixes every name with 'module.'
    if state and all(n.startswith("module.") for n in state):
        state = {n[len("module."):]: t for n, t in state.items()}
    return {n: (t.float() if t.is_floating_point() else t) for n, t in state.items()}


def check_cnn14(state: dict, what: str) -> dict:
    shapes = {n: list(t.shape) for n, t in state.items()}
    sizes = sizes_from_shapes(shapes)
    problems = diff(cnn14_spec(**sizes), shapes, f"{what} against CNN14 (audioset_tagging_cnn models.py)")
    if problems:
        raise JudgeError("\n".join(problems))
    if sizes["n_fft"] not in RELEASED:
        raise JudgeError(f"{what}: an STFT of {sizes['n_fft']} points matches no released CNN14 "
                         f"(windows {', '.join(map(str, RELEASED))}); its sample rate and hop are unknown")
    if sizes["mels"] < 32:
        raise JudgeError(f"{what}: {sizes['mels']} mel bins; CNN14's five 2x2 poolings need at least 32")
    return sizes


def read_labels(path: Path, classes: int) -> tuple[list[str], list[str]]:
    """AudioSet's class_labels_indices.csv (index, mid, display_name), in index order."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as e:
        raise JudgeError(f"cannot read the labels file {path} ({e})") from None
    header = [h.strip().lower() for h in (rows[0] if rows else [])]
    if header[:3] != ["index", "mid", "display_name"]:
        raise JudgeError(f"{path.name}: expected AudioSet's class_labels_indices.csv with the header index,mid,display_name; "
                         f"found {','.join(header) or 'an empty file'}")
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    for i, r in enumerate(body):
        if len(r) < 3 or r[0].strip() != str(i) or not r[2].strip():
            raise JudgeError(f"{path.name}: row {i + 2} should be class {i} with a mid and a display name; found {','.join(r)[:120]}")
    if len(body) != classes:
        raise JudgeError(f"{path.name} names {len(body)} classes; the checkpoint's fc_audioset has {classes} outputs")
    return [r[2].strip() for r in body], [r[1].strip() for r in body]


# ------------------------------------------------------------------ reference front end (numpy)

def _hz_to_mel(f):
    # librosa's Slaney scale (htk=False): linear to 1 kHz, logarithmic above
    f = np.asarray(f, dtype=np.float64)
    lin = f / (200.0 / 3)
    log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(f >= 1000.0, log, lin)


def _mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    lin = m * (200.0 / 3)
    log = 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0))
    return np.where(m >= 15.0, log, lin)


def mel_matrix(sr: int, n_fft: int, mels: int, fmin: float, fmax: float) -> np.ndarray:
    """librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax) (Slaney scale and area normalisation), transposed as melW: [n_fft/2+1, mels]."""
    freqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), mels + 2))
    fdiff = np.diff(edges)
    ramps = edges[:, None] - freqs[None, :]
    w = np.zeros((mels, len(freqs)))
    for i in range(mels):
        w[i] = np.maximum(0, np.minimum(-ramps[i] / fdiff[i], ramps[i + 2] / fdiff[i + 1]))
    w *= (2.0 / (edges[2:mels + 2] - edges[:mels]))[:, None]
    return w.T


def stft_kernels(n_fft: int) -> tuple[np.ndarray, np.ndarray]:
    """torchlibrosa's conv_real / conv_imag: the periodic hann window times the DFT's first n_fft/2+1 rows, [n_fft/2+1, 1, n_fft]."""
    n = np.arange(n_fft)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / n_fft)
    angle = 2 * np.pi * np.outer(np.arange(n_fft // 2 + 1), n) / n_fft
    return (np.cos(angle) * window)[:, None, :], (-np.sin(angle) * window)[:, None, :]


def front_end_warnings(state: dict, sizes: dict) -> list[str]:
    """Whether the checkpoint's STFT kernels and mel matrix are the ones its variant's settings give."""
    sr, hop, fmin, fmax = RELEASED[sizes["n_fft"]]
    warnings = []
    real, imag = stft_kernels(sizes["n_fft"])
    for name, ref in (("conv_real", real), ("conv_imag", imag)):
        got = state[f"{STFT}.{name}.weight"].double().numpy()
        if np.abs(got - ref).max() > 1e-4:
            warnings.append(f"{STFT}.{name} is not a hann-windowed DFT of {sizes['n_fft']} points (max difference "
                            f"{np.abs(got - ref).max():.3g}); it is used as it is")
    mel = mel_matrix(sr, sizes["n_fft"], sizes["mels"], fmin, fmax)
    got = state["logmel_extractor.melW"].double().numpy()
    err = np.abs(got - mel).max() / max(np.abs(mel).max(), 1e-12)
    if err > 1e-4:
        warnings.append(f"logmel_extractor.melW differs from the mel filter bank of {sr} Hz, {sizes['mels']} bins, "
                        f"{fmin}-{fmax} Hz (relative {err:.3g}): the checkpoint may expect another sample rate than {sr} Hz")
    return warnings


# ------------------------------------------------------------------ the graph

class Cnn14Graph(nn.Module):
    """audio [1, samples] -> probabilities [1, classes]: models.py's Cnn14.forward in eval mode, front end included."""

    def __init__(self, sizes: dict, hop: int, device: str = "cpu") -> None:
        super().__init__()
        n_fft, mels, widths = sizes["n_fft"], sizes["mels"], sizes["widths"]
        self.n_fft, self.hop, self.bins = n_fft, hop, n_fft // 2 + 1
        kw = {"device": device}
        # conv_real and conv_imag as one Conv1d: one pass over the framed audio instead of two
        self.stft = nn.Parameter(torch.empty(2 * self.bins, 1, n_fft, **kw), requires_grad=False)
        self.mel = nn.Parameter(torch.empty(self.bins, mels, **kw), requires_grad=False)
        self.bn0_scale = nn.Parameter(torch.empty(mels, **kw), requires_grad=False)
        self.bn0_shift = nn.Parameter(torch.empty(mels, **kw), requires_grad=False)
        convs, c_in = [], 1
        for c in widths:
            convs += [nn.Conv2d(c_in, c, 3, padding=1, device=device), nn.Conv2d(c, c, 3, padding=1, device=device)]
            c_in = c
        self.convs = nn.ModuleList(convs)
        self.fc1 = nn.Linear(widths[-1], sizes["fc"], device=device)
        self.fc_audioset = nn.Linear(sizes["fc"], sizes["classes"], device=device)

    @torch.no_grad()
    def load_cnn14(self, state: dict) -> None:
        self.stft.copy_(torch.cat([state[f"{STFT}.conv_real.weight"], state[f"{STFT}.conv_imag.weight"]]))
        self.mel.copy_(state["logmel_extractor.melW"])
        self.bn0_scale.copy_(state["bn0.weight"] / torch.sqrt(state["bn0.running_var"] + BN_EPS))
        self.bn0_shift.copy_(state["bn0.bias"] - state["bn0.running_mean"] * self.bn0_scale)
        for k, conv in enumerate(self.convs):
            p = f"conv_block{k // 2 + 1}"
            bn = f"{p}.bn{k % 2 + 1}"
            # eval-mode batch norm after a bias-free conv is an affine map per channel: fold it into the conv
            scale = state[f"{bn}.weight"].double() / torch.sqrt(state[f"{bn}.running_var"].double() + BN_EPS)
            conv.weight.copy_((state[f"{p}.conv{k % 2 + 1}.weight"].double() * scale[:, None, None, None]).float())
            conv.bias.copy_((state[f"{bn}.bias"].double() - state[f"{bn}.running_mean"].double() * scale).float())
        for name in ("fc1", "fc_audioset"):
            getattr(self, name).weight.copy_(state[f"{name}.weight"])
            getattr(self, name).bias.copy_(state[f"{name}.bias"])

    def forward(self, audio):
        x = F.pad(audio[:, None, :], (self.n_fft // 2, self.n_fft // 2), mode="reflect")
        spec = F.conv1d(x, self.stft, stride=self.hop)  # [1, 2 * bins, frames]
        power = spec[:, :self.bins] ** 2 + spec[:, self.bins:] ** 2
        mel = torch.matmul(power.transpose(1, 2), self.mel)  # [1, frames, mels]
        logmel = (10.0 / math.log(10.0)) * torch.log(torch.clamp(mel, min=AMIN))  # ref 1.0: nothing subtracted
        x = (logmel * self.bn0_scale + self.bn0_shift)[:, None]  # [1, 1, frames, mels]
        for k in range(0, len(self.convs), 2):
            x = F.relu(self.convs[k + 1](F.relu(self.convs[k](x))))
            if k + 2 < len(self.convs):
                x = F.avg_pool2d(x, 2)
        x = x.mean(dim=3)
        x = x.max(dim=2).values + x.mean(dim=2)
        return torch.sigmoid(self.fc_audioset(F.relu(self.fc1(x))))


def min_samples(n_fft: int, hop: int) -> int:
    """The shortest audio the graph takes: five 2x2 poolings need 32 frames (1 + samples // hop, centred), and reflect padding more than n_fft/2 samples."""
    return max(31 * hop, n_fft // 2 + 1)


def export_onnx(graph: Cnn14Graph, path: Path, samples: int) -> None:
    graph.eval()
    tmp = path.with_suffix(".onnx.tmp")
    torch.onnx.export(graph, (torch.zeros(1, samples),), str(tmp), input_names=["audio"], output_names=["probabilities"],
                      dynamic_axes={"audio": {1: "samples"}}, opset_version=17, do_constant_folding=True)
    os.replace(tmp, path)


def convert_judge(arch: str, ckpt: Path, labels_csv: Path, out: Path, progress, name: str | None = None) -> dict:
    if arch not in ARCHES:
        raise JudgeError(f"unknown judge architecture {arch}; supported: {', '.join(ARCHES)}")
    for p in (ckpt, labels_csv):
        if not p.is_file():
            raise JudgeError(f"{p} is not a file")
    check_out_folder(out, [ckpt, labels_csv])
    out.mkdir(parents=True, exist_ok=True)
    stages = Stages(out)
    progress("checksum sources")
    sums = [{"file": p.name, "bytes": p.stat().st_size, "sha256": sha256_file(p, p.name)} for p in (ckpt, labels_csv)]
    stages.key = hashlib.sha256(json.dumps({"arch": arch, "name": name, "sources": sums}, sort_keys=True).encode()).hexdigest()
    if (done := stages.done("judge")) is not None and (out / "manifest.json").is_file():
        progress(f"already converted into {out} (same sources); nothing to do")
        return {**done["report"], "resumed": True}
    progress(f"reading {ckpt.name}")
    state = read_checkpoint(ckpt)
    sizes = check_cnn14(state, ckpt.name)
    labels, mids = read_labels(labels_csv, sizes["classes"])
    sr, hop, fmin, fmax = RELEASED[sizes["n_fft"]]
    warnings = front_end_warnings(state, sizes)
    for w in warnings:
        progress(f"warning: {w}")
    spec = cnn14_spec(**sizes)
    report = {"out": str(out), "kind": "judge", "architecture": arch, "classes": sizes["classes"], "sampleRate": sr,
              "parameters": trainable(spec), "frontEndParameters": count(spec) - trainable(spec),
              "widths": list(sizes["widths"]), "licence": LICENCE, "sources": sums, "warnings": warnings,
              "weightsSha256": state_digest({n: t for n, t in state.items() if t.is_floating_point()})}
    progress(f"checked: CNN14, {report['parameters']:,} parameters, {sizes['classes']} classes, {sr} Hz")
    progress("exporting classifier.onnx", 0.5)
    graph = Cnn14Graph(sizes, hop)
    graph.load_cnn14(state)
    export_onnx(graph, out / "classifier.onnx", sr)
    manifest = {
        "kind": "judge",
        "name": name or arch,
        "version": "1.0.0",
        "architecture": arch,
        "description": "PANNs CNN14 (Kong et al. 2020), AudioSet tagging, converted by agx_convert",
        "licence": LICENCE,
        "licenceNote": "PANNs' pretrained weights are released on Zenodo (record 3987831) under CC-BY 4.0; "
                       "attribute Kong et al., 'PANNs: Large-Scale Pretrained Audio Neural Networks for Audio Pattern Recognition', 2020",
        "sampleRate": sr,
        "minSamples": min_samples(sizes["n_fft"], hop),
        "activation": "sigmoid",
        "labels": labels,
        "labelIds": mids,
        "frontEnd": {"inGraph": True, "window": sizes["n_fft"], "hop": hop, "melBins": sizes["mels"], "fmin": fmin, "fmax": fmax},
        "graphs": {"classifier": "classifier.onnx"},
        "sources": sums,
        "weightsSha256": report["weightsSha256"],
        "converter": VERSION,
        "files": {"classifier.onnx": {"sha256": sha256_file(out / "classifier.onnx", "classifier.onnx"), "bytes": (out / "classifier.onnx").stat().st_size}},
    }
    tmp = out / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, out / "manifest.json")
    stages.mark("judge", {"report": report})
    progress(f"done: {out}", 1.0)
    return report


class _Cnn14Layout(nn.Module):
    """models.py's Cnn14 module tree (attribute names and constructor shapes, no forward), for the meta-device check."""

    def __init__(self, device: str = "meta") -> None:
        super().__init__()
        bins = 1024 // 2 + 1
        self.spectrogram_extractor = nn.Module()
        self.spectrogram_extractor.stft = nn.Module()
        self.spectrogram_extractor.stft.conv_real = nn.Conv1d(1, bins, 1024, stride=320, bias=False, device=device)
        self.spectrogram_extractor.stft.conv_imag = nn.Conv1d(1, bins, 1024, stride=320, bias=False, device=device)
        self.logmel_extractor = nn.Module()
        self.logmel_extractor.melW = nn.Parameter(torch.empty(bins, FULL_MELS, device=device))
        self.bn0 = nn.BatchNorm2d(FULL_MELS, device=device)
        c_in = 1
        for i, c in enumerate(FULL_WIDTHS, start=1):
            block = nn.Module()
            block.conv1 = nn.Conv2d(c_in, c, 3, padding=1, bias=False, device=device)
            block.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False, device=device)
            block.bn1 = nn.BatchNorm2d(c, device=device)
            block.bn2 = nn.BatchNorm2d(c, device=device)
            setattr(self, f"conv_block{i}", block)
            c_in = c
        self.fc1 = nn.Linear(2048, 2048, device=device)
        self.fc_audioset = nn.Linear(2048, FULL_CLASSES, device=device)


def meta_check_cnn14(progress) -> dict:
    """Full-size CNN14 on torch's meta device: models.py's module tree against the spec, and both against FULL_PARAMETERS."""
    sizes = {"n_fft": 1024, "mels": FULL_MELS, "widths": FULL_WIDTHS, "fc": 2048, "classes": FULL_CLASSES, "tracked": True}
    spec = cnn14_spec(**sizes)
    layout = _Cnn14Layout()
    problems = diff(spec, {n: list(t.shape) for n, t in layout.state_dict().items()}, "CNN14's module tree on the meta device vs the spec")
    front = sum(p.numel() for n, p in layout.named_parameters() if n.startswith(("spectrogram_extractor.", "logmel_extractor.")))
    layout_trainable = sum(p.numel() for p in layout.parameters()) - front
    graph = Cnn14Graph(sizes, 320, device="meta")
    graph_count = sum(p.numel() for p in graph.parameters())
    # the graph folds each block's two batch norms (weight and bias, 4 values per channel) into its two
    # conv biases (2 per channel)
    folded = FULL_PARAMETERS + FULL_FRONT_END - 2 * sum(FULL_WIDTHS)
    for label, value, want in (("spec, trainable", trainable(spec), FULL_PARAMETERS),
                               ("module tree, trainable", layout_trainable, FULL_PARAMETERS),
                               ("module tree, front end", front, FULL_FRONT_END),
                               ("graph", graph_count, folded)):
        if value != want:
            problems.append(f"{label}: {value:,} parameters, expected {want:,}")
    progress(f"cnn14: {len(spec)} tensors, {trainable(spec):,} trainable parameters (expected {FULL_PARAMETERS:,})"
             + ("" if not problems else f"; {len(problems)} problems"))
    if problems:
        raise JudgeError("\n".join(problems))
    return {"tensors": len(spec), "parameters": trainable(spec), "frontEnd": front, "graphParameters": graph_count}
