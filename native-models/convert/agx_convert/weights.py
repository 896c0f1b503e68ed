"""One shared external-data file per bundle half, weights in the layout their node reads.

onnxruntime memory-maps an external initializer only when the graph uses it as stored: a
Transpose(initializer) node (what torch.onnx writes for the backward of x @ W with constant folding
off) makes it copy and transpose the weight at load, and a full-size LM then costs its whole size in
private RAM per session. So, per graph:
- MatMul(A, Transpose(W)) with a 2-D A becomes Gemm(A, W, transB=1), which reads W in place (the
  backward passes of make_fx graphs are all 2-D mm, so this covers them);
- any other Transpose of an initializer is stored transposed instead (reported as stored twice when
  the untransposed weight is used as well);
- chains of Slice / Concat / Unsqueeze / Squeeze / Reshape over initializers (torch's LSTM export
  reorders the gates that way) are computed here and stored as their result;
- large Constant nodes, and any torch stored in a file of its own, become initializers;
then every initializer of at least min_bytes goes into one file, once per distinct content (found by
sha256, since make_fx renames parameters), aligned so the OS can map it (64 KiB for large tensors:
Windows' mapping granularity). torch 1.13 writes one file per tensor beside a graph over 2 GB; they
are read from there, so no graph is ever loaded whole.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

BIG = 1 << 20
BIG_ALIGN, SMALL_ALIGN = 1 << 16, 64


def _array(init: onnx.TensorProto, folder: Path) -> np.ndarray:
    if init.data_location != onnx.TensorProto.EXTERNAL:
        return numpy_helper.to_array(init)
    info = {e.key: e.value for e in init.external_data}
    dtype = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[init.data_type]
    count = int(np.prod(init.dims)) if init.dims else 1
    with open(folder / info["location"], "rb") as f:
        f.seek(int(info.get("offset", 0)))
        return np.fromfile(f, dtype=dtype, count=count).reshape(tuple(init.dims))


def _hoist_constants(graph: onnx.GraphProto, min_bytes: int) -> None:
    keep = []
    for node in graph.node:
        t = node.attribute[0].t if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value" else None
        # an external one is a file torch wrote beside a graph over 2 GB (the causal mask of each layer in
        # the gradient graphs at full size): as an initializer it is read from there like the weights
        if t is not None and (len(t.raw_data) >= min_bytes or t.data_location == onnx.TensorProto.EXTERNAL):
            t.name = node.output[0]
            graph.initializer.append(t)
        else:
            keep.append(node)
    del graph.node[:]
    graph.node.extend(keep)


def _ints(a: np.ndarray) -> list[int]:
    return [int(v) for v in np.asarray(a).ravel()]


def _slice(data, starts, ends, axes=None, steps=None):
    axes = _ints(axes) if axes is not None else list(range(len(_ints(starts))))
    steps = _ints(steps) if steps is not None else [1] * len(axes)
    index = [slice(None)] * data.ndim
    for a, b, e, st in zip(axes, _ints(starts), _ints(ends), steps):
        index[a] = slice(b, e, st)
    return data[tuple(index)]


STRUCTURAL = {
    "Slice": lambda node, *x: _slice(*x),
    "Concat": lambda node, *x: np.concatenate(x, axis=helper.get_attribute_value(node.attribute[0])),
    "Unsqueeze": lambda node, data, axes: np.expand_dims(data, tuple(_ints(axes))),
    "Squeeze": lambda node, data, axes=None: np.squeeze(data, None if axes is None else tuple(_ints(axes))),
    "Reshape": lambda node, data, shape: data.reshape(_ints(shape)),
}


def fold_weight_chains(model: onnx.ModelProto, folder: Path) -> int:
    """Computes structural ops whose inputs are all initializers or constants, at least one an
    initializer (directly or through another such op); stores the results they feed onward as
    initializers. Returns how many nodes were folded."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    consts = {n.output[0]: n for n in g.node if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value"}
    values: dict[str, np.ndarray] = {}

    def value(name: str):
        if name not in values:
            values[name] = _array(inits[name], folder) if name in inits else numpy_helper.to_array(consts[name].attribute[0].t)
        return values[name]

    derived = set(inits)
    folded = []
    for node in g.node:
        ins = [i for i in node.input if i]
        if node.op_type in STRUCTURAL and ins and all(i in derived or i in consts for i in ins) and any(i in derived for i in ins):
            values[node.output[0]] = STRUCTURAL[node.op_type](node, *[value(i) if i else None for i in node.input])
            derived.add(node.output[0])
            folded.append(node)
    if not folded:
        return 0
    gone = {id(n) for n in folded}
    kept = [n for n in g.node if id(n) not in gone]
    used = {i for n in kept for i in n.input} | {o.name for o in g.output}
    for n in folded:
        out = n.output[0]
        if out in used:
            g.initializer.append(numpy_helper.from_array(np.ascontiguousarray(values[out]), name=out))
    del g.node[:]
    g.node.extend(n for n in kept if not (n.op_type == "Constant" and n.output[0] not in used))
    still = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(still)
    return len(folded)


def _ranks(model: onnx.ModelProto) -> dict[str, int]:
    inferred = onnx.shape_inference.infer_shapes(model)
    g = inferred.graph
    ranks = {i.name: len(i.dims) for i in g.initializer}
    for vi in list(g.value_info) + list(g.input) + list(g.output):
        if vi.type.tensor_type.HasField("shape"):
            ranks[vi.name] = len(vi.type.tensor_type.shape.dim)
    return ranks


def fold_transposes(model: onnx.ModelProto, folder: Path) -> list[str]:
    """Removes every Transpose whose input is an initializer (see the module docstring); returns the
    names of weights that had to be stored in both layouts."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    ranks = _ranks(model)
    users: dict[str, list[onnx.NodeProto]] = {}
    for node in g.node:
        for name in node.input:
            users.setdefault(name, []).append(node)
    twice, drop = [], []
    for node in list(g.node):
        if node.op_type != "Transpose" or node.input[0] not in inits:
            continue
        w = inits[node.input[0]]
        perm = next((list(a.ints) for a in node.attribute if a.name == "perm"), list(range(len(w.dims)))[::-1])
        out = node.output[0]
        consumers = users.get(out, [])
        gemm_ok = len(w.dims) == 2 and perm == [1, 0] and consumers and all(
            c.op_type == "MatMul" and c.input[1] == out and c.input[0] != out and ranks.get(c.input[0]) == 2 for c in consumers)
        if gemm_ok:
            for c in consumers:
                c.op_type = "Gemm"
                c.input[1] = w.name
                c.attribute.append(helper.make_attribute("transB", 1))
        else:
            arr = np.ascontiguousarray(np.transpose(_array(w, folder), perm))
            t = numpy_helper.from_array(arr, name=out)
            g.initializer.append(t)
            inits[out] = t
            if any(n is not node for n in users.get(w.name, [])):
                twice.append(w.name)
        drop.append(node)
    for node in drop:
        g.node.remove(node)
    return twice


def link_duplicates(folder: Path, store: Path, min_bytes: int = BIG) -> int:
    """Hard-links each large file in folder to store/<its sha256>, so the per-tensor files torch writes
    for every graph over 2 GB take the disk once, not once per graph (AudioGen-medium: 7.4 GB each).
    Returns how many files were already in the store."""
    store.mkdir(parents=True, exist_ok=True)
    shared = 0
    for f in sorted(folder.iterdir()):
        if not f.is_file() or f.suffix == ".onnx" or f.stat().st_size < min_bytes:
            continue
        h = hashlib.sha256()
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 22), b""):
                h.update(chunk)
        target = store / h.hexdigest()
        try:
            if target.exists():
                tmp = f.with_name(f.name + ".link")
                os.link(target, tmp)
                os.replace(tmp, f)
                shared += 1
            else:
                os.link(f, target)
        except OSError:  # a file system without hard links (FAT, some network shares): keep the copies
            return shared
    return shared


def share_weights(graphs: list[Path], out_dir: Path, blob_name: str, min_bytes: int = 4096) -> dict:
    """Rewrites each graph (a .onnx file, its external files beside it) into out_dir/<its name>, with
    every large initializer in out_dir/blob_name; writes blob_name's .index.json; returns
    {file, bytes, tensors, stored_twice}."""
    blob = out_dir / blob_name
    offsets: dict[str, tuple[int, int]] = {}
    index: dict[str, dict] = {}
    twice: list[str] = []
    with open(blob, "wb") as out:
        for path in graphs:
            model = onnx.load(str(path), load_external_data=False)
            fold_weight_chains(model, path.parent)
            _hoist_constants(model.graph, min_bytes)
            twice += [f"{path.name}:{n}" for n in fold_transposes(model, path.parent)]
            for init in model.graph.initializer:
                arr = _array(init, path.parent)
                if arr.nbytes < min_bytes:
                    if init.data_location == onnx.TensorProto.EXTERNAL:
                        init.CopyFrom(numpy_helper.from_array(arr, name=init.name))
                    continue
                raw = np.ascontiguousarray(arr).tobytes()
                key = hashlib.sha256(raw + str(arr.dtype).encode() + str(arr.shape).encode()).hexdigest()
                if key not in offsets:
                    align = BIG_ALIGN if len(raw) >= BIG else SMALL_ALIGN
                    out.write(b"\0" * ((-out.tell()) % align))
                    offsets[key] = (out.tell(), len(raw))
                    out.write(raw)
                off, length = offsets[key]
                entry = index.setdefault(key, {"offset": off, "bytes": length, "dtype": str(arr.dtype),
                                               "shape": list(arr.shape), "names": []})
                if init.name not in entry["names"]:
                    entry["names"].append(init.name)
                for f in ("raw_data", "float_data", "int32_data", "int64_data", "double_data"):
                    init.ClearField(f)
                init.data_location = onnx.TensorProto.EXTERNAL
                del init.external_data[:]
                for k, val in (("location", blob.name), ("offset", str(off)), ("length", str(length))):
                    e = init.external_data.add()
                    e.key, e.value = k, val
            onnx.save(model, str(out_dir / path.name))
        size = out.tell()
    blob.with_suffix(".index.json").write_text(json.dumps(
        {"file": blob.name, "tensors": sorted(index.values(), key=lambda e: e["offset"])}, indent=1))
    return {"file": blob.name, "bytes": size, "tensors": len(index), "stored_twice": twice}
