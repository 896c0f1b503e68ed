"""audiocraft's EnCodec: SEANet encoder and decoder with a residual vector quantizer, for export.

Built from the compression checkpoint's flat state dict (audiocraft names: encoder.model.{i}...,
decoder.model.{i}..., quantizer.vq.layers.{q}._codebook.embed) and config.codec_config's dict,
following audiocraft/modules/seanet.py and conv.py:
- the layer list (and so every index i in the names) is rebuilt from the config exactly as SEANet
  builds it: encoder conv, [resnet blocks, ELU, strided conv] per ratio (reversed), LSTM, ELU, conv;
  decoder conv, LSTM, [ELU, transposed conv, resnet blocks] per ratio, ELU, conv;
- weight-norm parametrised convs (weight_g / weight_v, or parametrizations.weight.original0/1) are
  folded at load: W = g * v / ||v|| with the norm over every dim but 0, as torch's weight_norm;
- a conv pads (kernel - stride) samples, split as audiocraft does (causal: all left; otherwise
  the extra one on the left), in the config's pad_mode, never guessed; a transposed conv trims the
  same amount. audiocraft also adds "extra padding" when the length is not a whole number of
  strides; the encoder graph takes whole frames (samples a multiple of the hop), where it is zero;
- the LSTM block adds its input back (StreamableLSTM's skip);
- quantizer: codes are the nearest codebook entry of the residual, codebook after codebook; decoding
  sums the chosen entries. Only the first n_q codebooks the LM uses are kept.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD_MODES = {"constant": "constant", "zeros": "constant", "reflect": "reflect", "replicate": "replicate"}


def folded_conv(state: dict[str, torch.Tensor], name: str) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The effective weight (weight norm folded) and bias of the conv called `name`."""
    bias = state.get(f"{name}.bias")
    for g_key, v_key in ((f"{name}.weight_g", f"{name}.weight_v"),
                         (f"{name}.parametrizations.weight.original0", f"{name}.parametrizations.weight.original1")):
        if g_key in state:
            g, v = state[g_key].float(), state[v_key].float()
            norm = v.flatten(1).norm(dim=1).reshape(-1, *([1] * (v.dim() - 1)))
            return g * v / norm, bias
    if f"{name}.weight" not in state:
        raise ValueError(f"the codec weights have no {name}.weight (nor weight_g / weight_v)")
    return state[f"{name}.weight"].float(), bias


def _pad(x: torch.Tensor, left: int, right: int, mode: str) -> torch.Tensor:
    if left == 0 and right == 0:
        return x
    return F.pad(x, (left, right), mode=mode) if mode != "constant" else F.pad(x, (left, right))


class Conv(nn.Module):
    """StreamableConv1d: pads kernel - stride samples in pad_mode, then convolves."""

    def __init__(self, state, name: str, stride: int = 1, dilation: int = 1, causal: bool = False,
                 pad_mode: str = "reflect") -> None:
        super().__init__()
        w, b = folded_conv(state, name)
        self.weight = nn.Parameter(w, requires_grad=False)
        self.bias = None if b is None else nn.Parameter(b.float(), requires_grad=False)
        self.stride, self.dilation, self.mode = stride, dilation, PAD_MODES[pad_mode]
        total = (w.shape[-1] - 1) * dilation + 1 - stride
        self.left, self.right = (total, 0) if causal else (total - total // 2, total // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _pad(x, self.left, self.right, self.mode)
        return F.conv1d(x, self.weight, self.bias, self.stride, dilation=self.dilation)


class ConvTranspose(nn.Module):
    """StreamableConvTranspose1d: transposed conv, then trims kernel - stride samples."""

    def __init__(self, state, name: str, stride: int, causal: bool, trim_right_ratio: float) -> None:
        super().__init__()
        w, b = folded_conv(state, name)
        self.weight = nn.Parameter(w, requires_grad=False)
        self.bias = None if b is None else nn.Parameter(b.float(), requires_grad=False)
        self.stride = stride
        total = w.shape[-1] - stride
        right = math.ceil(total * trim_right_ratio) if causal else total // 2
        self.left, self.right = total - right, right

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.conv_transpose1d(x, self.weight, self.bias, self.stride)
        return y[..., self.left:y.shape[-1] - self.right]


class ResBlock(nn.Module):
    def __init__(self, state, name: str, cfg: dict, dilation: int) -> None:
        super().__init__()
        kw = {"causal": cfg["causal"], "pad_mode": cfg["pad_mode"]}
        self.alpha = cfg["elu_alpha"]
        self.conv1 = Conv(state, f"{name}.block.1.conv.conv", dilation=dilation, **kw)
        self.conv2 = Conv(state, f"{name}.block.3.conv.conv", **kw)
        self.shortcut = None if cfg["true_skip"] else Conv(state, f"{name}.shortcut.conv.conv", **kw)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv2(F.elu(self.conv1(F.elu(x, self.alpha)), self.alpha))
        return (x if self.shortcut is None else self.shortcut(x)) + y


class LSTMBlock(nn.Module):
    """StreamableLSTM: [B, C, T] through a multi-layer LSTM over time, plus its input."""

    def __init__(self, state, name: str, channels: int, layers: int) -> None:
        super().__init__()
        self.lstm = nn.LSTM(channels, channels, layers)
        self.lstm.load_state_dict({k[len(name) + 1:]: state[k].float() for k in state if k.startswith(name + ".")})
        for p in self.lstm.parameters():
            p.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t = x.permute(2, 0, 1)
        y, _ = self.lstm(t)
        return (y + t).permute(1, 2, 0)


class _Elu(nn.Module):
    def __init__(self, alpha: float) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.elu(x, self.alpha)


def _seanet(state, prefix: str, cfg: dict, decoder: bool) -> nn.Sequential:
    """SEANet's layer list with audiocraft's indices (activations take an index too)."""
    layers: list[nn.Module] = []
    kw = {"causal": cfg["causal"], "pad_mode": cfg["pad_mode"]}
    nf, res = cfg["n_filters"], cfg["n_residual_layers"]

    def name() -> str:
        return f"{prefix}.model.{len(layers)}"

    def res_blocks(channels: int) -> None:
        del channels  # the block's width is in its weights
        for j in range(res):
            layers.append(ResBlock(state, name(), cfg, cfg["dilation_base"] ** j))

    if not decoder:
        mult = 1
        layers.append(Conv(state, f"{name()}.conv.conv", **kw))
        for ratio in reversed(cfg["ratios"]):
            res_blocks(mult * nf)
            layers.append(_Elu(cfg["elu_alpha"]))
            layers.append(Conv(state, f"{name()}.conv.conv", stride=ratio, **kw))
            mult *= 2
        if cfg["lstm"]:
            layers.append(LSTMBlock(state, f"{name()}.lstm", mult * nf, cfg["lstm"]))
        layers.append(_Elu(cfg["elu_alpha"]))
        layers.append(Conv(state, f"{name()}.conv.conv", **kw))
    else:
        mult = 2 ** len(cfg["ratios"])
        layers.append(Conv(state, f"{name()}.conv.conv", **kw))
        if cfg["lstm"]:
            layers.append(LSTMBlock(state, f"{name()}.lstm", mult * nf, cfg["lstm"]))
        for ratio in cfg["ratios"]:
            layers.append(_Elu(cfg["elu_alpha"]))
            layers.append(ConvTranspose(state, f"{name()}.convtr.convtr", ratio, cfg["causal"], cfg["trim_right_ratio"]))
            res_blocks(mult * nf // 2)
            mult //= 2
        layers.append(_Elu(cfg["elu_alpha"]))
        layers.append(Conv(state, f"{name()}.conv.conv", **kw))
    return nn.Sequential(*layers)


class Codebooks(nn.Module):
    def __init__(self, state, n_q: int) -> None:
        super().__init__()
        embeds = [state[f"quantizer.vq.layers.{q}._codebook.embed"].float() for q in range(n_q)]
        self.embed = nn.ParameterList([nn.Parameter(e, requires_grad=False) for e in embeds])
        # the encoder's distances read each codebook transposed: a stored copy, not a Transpose node
        self.embed_t = nn.ParameterList([nn.Parameter(e.t().contiguous(), requires_grad=False) for e in embeds])
        self.sq = nn.ParameterList([nn.Parameter((e * e).sum(1), requires_grad=False) for e in embeds])


class CodecEncoder(nn.Module):
    """audio [B, samples] (a multiple of the hop) -> codes [B, K, frames] int64."""

    def __init__(self, state, cfg: dict, n_q: int) -> None:
        super().__init__()
        if cfg["channels"] != 1:
            raise ValueError(f"{cfg['channels']}-channel codec: the studio is mono")
        self.encoder = _seanet(state, "encoder", cfg, decoder=False)
        self.books = Codebooks(state, n_q)

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        residual = self.encoder(audio.unsqueeze(1)).transpose(1, 2)  # [B, T, D]
        codes = []
        for embed, embed_t, sq in zip(self.books.embed, self.books.embed_t, self.books.sq):
            # argmax of -(|x|^2 - 2 x.e + |e|^2): |x|^2 does not change the winner
            idx = torch.argmax(2 * (residual @ embed_t) - sq, -1)
            codes.append(idx)
            residual = residual - F.embedding(idx, embed)
        return torch.stack(codes, 1)


class CodecDecoder(nn.Module):
    """codes [B, K, frames] int64 -> audio [B, frames x hop]."""

    def __init__(self, state, cfg: dict, n_q: int) -> None:
        super().__init__()
        if cfg["channels"] != 1:
            raise ValueError(f"{cfg['channels']}-channel codec: the studio is mono")
        self.decoder = _seanet(state, "decoder", cfg, decoder=True)
        self.books = Codebooks(state, n_q)
        del self.books.embed_t, self.books.sq  # the decoder only looks entries up

    def forward(self, codes: torch.Tensor) -> torch.Tensor:
        z = sum(F.embedding(codes[:, q], e) for q, e in enumerate(self.books.embed))  # [B, T, D]
        return self.decoder(z.transpose(1, 2)).squeeze(1)
