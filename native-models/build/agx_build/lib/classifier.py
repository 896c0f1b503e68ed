"""The judge: a log-mel CNN with clip-level multi-label logits and 25 frames/s event activity.

stages/train_classifier.py trains it; evaluate and the tools load it (lib/checkpoints.py).
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from agx_build.lib import world
from agx_build.lib.audio import LogMel

N_LABELS = len(world.LABELS)


class Classifier(nn.Module):
    """log-mel [B, 64, F] -> clip logits [B, N_LABELS], frame logits [B, N_LABELS, F // 5]."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("mel_mean", torch.zeros(1))
        self.register_buffer("mel_std", torch.ones(1))
        chans = [1, 16, 24, 32, 32]  # sized to train in minutes on 2 cores
        pools = [(2, 5), (2, 1), (2, 1), (2, 1)]
        self.blocks = nn.ModuleList()
        for i in range(4):
            self.blocks.append(nn.Sequential(
                nn.Conv2d(chans[i], chans[i + 1], 3, padding=1), nn.BatchNorm2d(chans[i + 1]), nn.ReLU(),
                nn.MaxPool2d(pools[i])))
        self.temporal = nn.Conv1d(32 * 4, 96, 3, padding=1)
        self.frame_head = nn.Conv1d(96, N_LABELS, 1)
        self.clip_head = nn.Linear(192, N_LABELS)

    def forward(self, mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = ((mel - self.mel_mean) / self.mel_std)[:, None]
        for b in self.blocks:
            x = b(x)
        bsz, c, f, t = x.shape
        h = F.relu(self.temporal(x.reshape(bsz, c * f, t)))
        clip = self.clip_head(torch.cat([h.mean(2), h.amax(2)], 1))
        return clip, self.frame_head(h)


class WaveClassifier(nn.Module):
    """The exported graph: waveform [B, samples] at 16 kHz -> (probabilities, frame activity)."""

    def __init__(self, clf: Classifier) -> None:
        super().__init__()
        self.logmel = LogMel()
        self.clf = clf

    def forward(self, wav: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        clip, frames = self.clf(self.logmel(wav))
        return torch.sigmoid(clip), torch.sigmoid(frames)
