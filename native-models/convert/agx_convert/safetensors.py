"""Our own safetensors reader and writer (Debian bookworm has no python3-safetensors).

A file is an 8-byte little-endian header length N, N bytes of JSON ({name: {dtype, shape,
data_offsets: [begin, end]}, optional "__metadata__"}), then the raw little-endian tensor bytes, the
offsets counted from the end of the header. A sharded checkpoint adds model.safetensors.index.json
({"weight_map": {name: shard file}}). Tensors are read through a memory map, one at a time, so a
multi-gigabyte checkpoint never sits in memory twice.
"""
from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import torch

# safetensors dtype -> (numpy dtype read from the file, bytes per element)
DTYPES = {
    "F64": (np.dtype("<f8"), 8), "F32": (np.dtype("<f4"), 4), "F16": (np.dtype("<f2"), 2),
    "BF16": (np.dtype("<u2"), 2), "I64": (np.dtype("<i8"), 8), "I32": (np.dtype("<i4"), 4),
    "I16": (np.dtype("<i2"), 2), "I8": (np.dtype("i1"), 1), "U8": (np.dtype("u1"), 1),
    "BOOL": (np.dtype("?"), 1),
}
TORCH_TO_ST = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
               torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
               torch.uint8: "U8", torch.bool: "BOOL"}
MAX_HEADER = 100 * 1024 * 1024


class SafetensorsError(ValueError):
    pass


class SafetensorsFile:
    """One .safetensors file: names, dtypes and shapes from its header; tensors on demand."""

    def __init__(self, path: Path):
        self.path = Path(path)
        size = self.path.stat().st_size
        with open(self.path, "rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise SafetensorsError(f"{self.path.name}: too short to be a safetensors file")
            (n,) = struct.unpack("<Q", head)
            if n > MAX_HEADER or 8 + n > size:
                raise SafetensorsError(f"{self.path.name}: header length {n} does not fit the file ({size} bytes)")
            try:
                header = json.loads(f.read(n).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise SafetensorsError(f"{self.path.name}: header is not JSON ({e})") from None
        if not isinstance(header, dict):
            raise SafetensorsError(f"{self.path.name}: header is not a JSON object")
        self.metadata = header.pop("__metadata__", None) or {}
        self.data_start = 8 + n
        data_len = size - self.data_start
        self.entries: dict[str, dict] = {}
        spans = []
        for name, info in header.items():
            try:
                dtype, shape, (begin, end) = info["dtype"], [int(d) for d in info["shape"]], info["data_offsets"]
            except (KeyError, TypeError, ValueError):
                raise SafetensorsError(f"{self.path.name}: tensor {name!r} has a malformed entry") from None
            if dtype not in DTYPES:
                raise SafetensorsError(f"{self.path.name}: tensor {name!r} has unknown dtype {dtype}")
            count = int(np.prod(shape, dtype=np.int64)) if shape else 1
            if not (0 <= begin <= end <= data_len) or end - begin != count * DTYPES[dtype][1]:
                raise SafetensorsError(f"{self.path.name}: tensor {name!r} ({dtype} {shape}) has offsets "
                                       f"[{begin}, {end}] that do not fit its size or the file")
            self.entries[name] = {"dtype": dtype, "shape": shape, "begin": begin, "end": end}
            spans.append((begin, end, name))
        spans.sort()
        for (_, e0, a), (b1, _, b) in zip(spans, spans[1:]):
            if b1 < e0:
                raise SafetensorsError(f"{self.path.name}: tensors {a!r} and {b!r} overlap")
        self._map = None

    def shape(self, name: str) -> list[int]:
        return self.entries[name]["shape"]

    def tensor(self, name: str, upcast: bool = True) -> torch.Tensor:
        """The tensor as a CPU torch tensor it owns; floating types become fp32 unless upcast=False."""
        e = self.entries[name]
        np_dtype, _ = DTYPES[e["dtype"]]
        if self._map is None:
            self._map = np.memmap(self.path, dtype=np.uint8, mode="r")
        raw = self._map[self.data_start + e["begin"]:self.data_start + e["end"]]
        arr = np.frombuffer(raw, dtype=np_dtype).reshape(e["shape"])
        if e["dtype"] == "BF16":
            # bfloat16 is the top half of a float32: widen the bits, then reinterpret
            t = torch.from_numpy((arr.astype(np.uint32) << 16).view(np.float32).copy())
            return t if upcast else t.to(torch.bfloat16)
        t = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("="), copy=True))
        if upcast and t.is_floating_point():
            t = t.float()
        return t


class SafetensorsCheckpoint:
    """A single file, or a sharded checkpoint through its index: one name -> tensor view over all shards."""

    def __init__(self, path: Path):
        path = Path(path)
        self.files: list[Path] = []
        self._where: dict[str, SafetensorsFile] = {}
        if path.name.endswith(".index.json"):
            try:
                index = json.loads(path.read_text())
                weight_map = index["weight_map"]
            except (OSError, json.JSONDecodeError, KeyError, TypeError) as e:
                raise SafetensorsError(f"{path.name}: not a safetensors index ({e})") from None
            shards: dict[str, SafetensorsFile] = {}
            for name, shard in weight_map.items():
                if "/" in shard or "\\" in shard or shard.startswith("."):
                    raise SafetensorsError(f"{path.name}: shard name {shard!r} must be a file beside the index")
                if shard not in shards:
                    if not (path.parent / shard).is_file():
                        raise SafetensorsError(f"{path.name}: shard {shard} is missing (needed for {name})")
                    shards[shard] = SafetensorsFile(path.parent / shard)
                    self.files.append(path.parent / shard)
                if name not in shards[shard].entries:
                    raise SafetensorsError(f"{path.name}: {name} is mapped to {shard}, which does not hold it")
                self._where[name] = shards[shard]
        else:
            f = SafetensorsFile(path)
            self.files.append(path)
            self._where = {name: f for name in f.entries}

    def names(self) -> list[str]:
        return list(self._where)

    def shape(self, name: str) -> list[int]:
        return self._where[name].shape(name)

    def dtype(self, name: str) -> str:
        return self._where[name].entries[name]["dtype"]

    def tensor(self, name: str, upcast: bool = True) -> torch.Tensor:
        return self._where[name].tensor(name, upcast)


def find_checkpoint(folder: Path, stem: str = "model") -> Path | None:
    """The folder's safetensors checkpoint: the sharded index if there is one, else the single file."""
    for candidate in (folder / f"{stem}.safetensors.index.json", folder / f"{stem}.safetensors"):
        if candidate.is_file():
            return candidate
    return None


def write_file(path: Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None) -> None:
    """Writes tensors in the safetensors layout (8-aligned header, tensors in name order)."""
    header: dict = {"__metadata__": dict(metadata)} if metadata else {}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        if t.dtype not in TORCH_TO_ST:
            raise SafetensorsError(f"cannot store {name}: dtype {t.dtype}")
        if t.dtype == torch.bfloat16:
            data = (t.view(torch.int16).numpy().astype("<i2")).tobytes()
        else:
            data = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": TORCH_TO_ST[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def write_sharded(folder: Path, tensors: dict[str, torch.Tensor], max_shard_bytes: int, stem: str = "model") -> Path:
    """Writes tensors as {stem}-0000i-of-0000n.safetensors shards plus the HF index; returns the index path."""
    groups: list[dict[str, torch.Tensor]] = [{}]
    size = 0
    for name in sorted(tensors):
        nbytes = tensors[name].numel() * tensors[name].element_size()
        if groups[-1] and size + nbytes > max_shard_bytes:
            groups.append({})
            size = 0
        groups[-1][name] = tensors[name]
        size += nbytes
    weight_map = {}
    for i, group in enumerate(groups):
        shard = f"{stem}-{i + 1:05d}-of-{len(groups):05d}.safetensors"
        write_file(folder / shard, group, {"format": "pt"})
        weight_map.update({name: shard for name in group})
    index = folder / f"{stem}.safetensors.index.json"
    total = sum(t.numel() * t.element_size() for t in tensors.values())
    index.write_text(json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2))
    return index
