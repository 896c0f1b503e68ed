"""The LM's text side: its vocabulary (special tokens + the sound world's words) and batches of token ids.

The bundle's tokenizer.json is written from vocab() (stages/export.py); the studio splits captions the same way.
"""
from __future__ import annotations

import torch

from agx_build.lib import world
from agx_build.lib.lm import PAD_ID, UNK_ID

SPECIALS = ["[PAD]", "[UNK]", "[NULL]"]


def vocab() -> dict[str, int]:
    return {w: i for i, w in enumerate(SPECIALS + world.vocabulary())}


def encode_text(words: list[str], v: dict[str, int], max_len: int) -> list[int]:
    return [v.get(w, UNK_ID) for w in words][:max_len]


def text_batch(id_lists: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    L = max(len(x) for x in id_lists)
    ids = torch.full((len(id_lists), L), PAD_ID, dtype=torch.int64)
    mask = torch.zeros((len(id_lists), L))
    for i, x in enumerate(id_lists):
        ids[i, :len(x)] = torch.tensor(x)
        mask[i, :len(x)] = 1
    return ids, mask
