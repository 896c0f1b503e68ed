"""Trained modules read back from a build's work folder (config.WORK unless build_all --work named another)."""
from __future__ import annotations

import json
from pathlib import Path

import torch

from agx_build import config
from agx_build.lib.classifier import Classifier
from agx_build.lib.codec import Codec
from agx_build.lib.lm import AudioLM, LMConfig


def load_codec(work: Path = config.WORK, iterations: int = config.GRIFFIN_LIM_ITERATIONS) -> Codec:
    return Codec.from_state(torch.load(work / "codec.pt"), iterations)


def load_lm(work: Path, weights: str = "lm.pt") -> AudioLM:
    """The LM of the work folder (lm.pt: the bundle's; lm_phaseN.pt: after training phase N), in eval mode."""
    ckpt = torch.load(work / weights)
    lm = AudioLM(LMConfig(**ckpt["cfg"]))
    lm.load_state_dict(ckpt["state"])
    return lm.eval()


def load_classifier(work: Path, weights: str = "classifier.pt") -> Classifier:
    """A trained judge from the work folder, in eval mode."""
    clf = Classifier()
    clf.load_state_dict(torch.load(work / weights))
    return clf.eval()


def threshold(work: Path) -> float:
    """The detection threshold chosen on the validation split (classifier_report.json)."""
    return json.loads((work / "classifier_report.json").read_text())["threshold"]
