"""A tiny random-weight PANNs CNN14 checkpoint, its label CSV, test audio, and an independent float64
reference of CNN14's forward (test/node/convert-judge.test.ts).

    cd native-models/convert && /usr/bin/python3 ../../test/python/cnn14_fixture.py DIR

The checkpoint is what audioset_tagging_cnn's main.py saves ({'iteration', 'model': state dict}) with
every name of models.py's Cnn14 at toy widths, a few classes, and the real 32 kHz front end
(torchlibrosa's hann-windowed DFT kernels and librosa's mel bank, 64 bins, 50-14000 Hz).
The reference is written from models.py / torchlibrosa's definitions in NumPy (reflect padding,
framing, np.fft.rfft power spectrum, mel, 10 log10, batch norms unfolded, 3x3 convolutions, 2x2 average
pooling with floor, mean over mel, max + mean over time, fc1 + ReLU, sigmoid), reading the checkpoint's
own tensors for everything learned; it shares no code with the converter's graph.
"""
from __future__ import annotations

import json
import sys
import wave
from pathlib import Path

import numpy as np
import torch

from agx_convert.judge import mel_matrix, stft_kernels

SR, N_FFT, HOP, MELS = 32000, 1024, 320, 64
WIDTHS = (4, 4, 8, 8, 8, 8)
FC = 12
LABELS = [("/m/0bt9lr", "Dog"), ("/m/05tny_", "Bark"), ("/m/06mb1", "Rain"), ("/m/015p6", "Bird"),
          ("/m/04rlf", "Male speech, man speaking")]


def checkpoint(rng: np.random.Generator) -> dict:
    s: dict = {}
    real, imag = stft_kernels(N_FFT)
    s["spectrogram_extractor.stft.conv_real.weight"] = real
    s["spectrogram_extractor.stft.conv_imag.weight"] = imag
    s["logmel_extractor.melW"] = mel_matrix(SR, N_FFT, MELS, 50, 14000)

    def bn(prefix: str, c: int, mean: float = 0.0, var: float = 1.0) -> None:
        s[f"{prefix}.weight"] = 1 + 0.2 * rng.standard_normal(c)
        s[f"{prefix}.bias"] = 0.1 * rng.standard_normal(c)
        s[f"{prefix}.running_mean"] = mean + 0.1 * abs(mean) * rng.standard_normal(c) + 0.1 * rng.standard_normal(c)
        s[f"{prefix}.running_var"] = var * (0.5 + rng.random(c))
        s[f"{prefix}.num_batches_tracked"] = np.array(1000, dtype=np.int64)

    bn("bn0", MELS, mean=-15.0, var=36.0)  # log-mel in dB sits far from 0: a trained bn0 normalises it
    c_in = 1
    for i, c in enumerate(WIDTHS, start=1):
        s[f"conv_block{i}.conv1.weight"] = rng.standard_normal((c, c_in, 3, 3)) * np.sqrt(2 / (9 * c_in))
        s[f"conv_block{i}.conv2.weight"] = rng.standard_normal((c, c, 3, 3)) * np.sqrt(2 / (9 * c))
        bn(f"conv_block{i}.bn1", c)
        bn(f"conv_block{i}.bn2", c)
        c_in = c
    s["fc1.weight"] = rng.standard_normal((FC, WIDTHS[-1])) * np.sqrt(2 / WIDTHS[-1])
    s["fc1.bias"] = 0.1 * rng.standard_normal(FC)
    # wide enough that the classes differ clearly (logits of a few units), so a wrong forward shows
    s["fc_audioset.weight"] = rng.standard_normal((len(LABELS), FC)) * np.sqrt(16 / FC)
    s["fc_audioset.bias"] = 0.3 * rng.standard_normal(len(LABELS))
    return {n: torch.from_numpy(np.asarray(v)).to(torch.int64 if n.endswith("tracked") else torch.float32) for n, v in s.items()}


def batch_norm(x: np.ndarray, s: dict, prefix: str, axis: int) -> np.ndarray:
    shape = [1] * x.ndim
    shape[axis] = -1
    g = lambda k: s[f"{prefix}.{k}"].reshape(shape)  # noqa: E731
    return (x - g("running_mean")) / np.sqrt(g("running_var") + 1e-5) * g("weight") + g("bias")


def conv3x3(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x [C, H, W], w [O, C, 3, 3], zero padding 1, no bias."""
    c, h, wd = x.shape
    p = np.zeros((c, h + 2, wd + 2))
    p[:, 1:-1, 1:-1] = x
    out = np.zeros((w.shape[0], h, wd))
    for dy in range(3):
        for dx in range(3):
            out += np.einsum("oc,chw->ohw", w[:, :, dy, dx], p[:, dy:dy + h, dx:dx + wd])
    return out


def avg_pool2(x: np.ndarray) -> np.ndarray:
    c, h, w = x.shape
    h2, w2 = h // 2, w // 2
    return x[:, :2 * h2, :2 * w2].reshape(c, h2, 2, w2, 2).mean(axis=(2, 4))


def reference(audio: np.ndarray, state: dict) -> np.ndarray:
    s = {n: t.double().numpy() for n, t in state.items()}
    x = np.pad(audio.astype(np.float64), N_FFT // 2, mode="reflect")
    frames = 1 + (len(x) - N_FFT) // HOP
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)  # scipy/librosa periodic hann
    framed = np.stack([x[t * HOP:t * HOP + N_FFT] for t in range(frames)])
    power = np.abs(np.fft.rfft(framed * window, axis=1)) ** 2  # [frames, bins]
    logmel = 10 * np.log10(np.maximum(power @ s["logmel_extractor.melW"], 1e-10))  # [frames, mels]
    h = batch_norm(logmel, s, "bn0", axis=1)[None]  # [1, frames, mels]
    for i in range(1, 7):
        p = f"conv_block{i}"
        h = np.maximum(batch_norm(conv3x3(h, s[f"{p}.conv1.weight"]), s, f"{p}.bn1", axis=0), 0)
        h = np.maximum(batch_norm(conv3x3(h, s[f"{p}.conv2.weight"]), s, f"{p}.bn2", axis=0), 0)
        if i < 6:
            h = avg_pool2(h)
    h = h.mean(axis=2)  # over mel: [C, time]
    h = h.max(axis=1) + h.mean(axis=1)
    h = np.maximum(s["fc1.weight"] @ h + s["fc1.bias"], 0)
    return 1 / (1 + np.exp(-(s["fc_audioset.weight"] @ h + s["fc_audioset.bias"])))


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    state = checkpoint(rng)
    torch.save({"iteration": 660000, "model": state}, out / "Cnn14_tiny.pth")
    with open(out / "class_labels_indices.csv", "w", encoding="utf-8") as f:
        f.write("index,mid,display_name\n")
        for i, (mid, name) in enumerate(LABELS):
            f.write(f'{i},{mid},"{name}"\n')
    t = np.arange(SR + 123) / SR  # not a whole number of hops
    audio = (0.3 * np.sin(2 * np.pi * 440 * t) * (t < 0.6) + 0.05 * rng.standard_normal(len(t))).astype(np.float32)
    cases = {"clip": audio, "short": audio[:31 * HOP]}
    result = {"checkpoint": str(out / "Cnn14_tiny.pth"), "labels": str(out / "class_labels_indices.csv"),
              "names": [n for _, n in LABELS], "sampleRate": SR, "minSamples": 31 * HOP,
              "cases": {k: {"audio": a.tolist(), "reference": reference(a, state).tolist()} for k, a in cases.items()}}
    (out / "fixture.json").write_text(json.dumps(result))
    with wave.open(str(out / "clip.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    # bad inputs: a checkpoint with one tensor missing and one of another shape, and a label list one short
    broken = dict(state)
    del broken["conv_block3.bn1.running_var"]
    broken["fc1.bias"] = torch.zeros(FC + 1)
    torch.save({"model": broken}, out / "Cnn14_broken.pth")
    with open(out / "four_labels.csv", "w", encoding="utf-8") as f:
        f.write("index,mid,display_name\n" + "".join(f"{i},{mid},{name}\n" for i, (mid, name) in enumerate(LABELS[:4])))
    print(json.dumps({k: v for k, v in result.items() if k != "cases"}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
