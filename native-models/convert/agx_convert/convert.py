"""The converter's command line: convert, judge (judge.py), fixtures, meta-check.

`convert SRC... --out DIR` detects the formats, checks every tensor against the spec its config
implies, checks the T5 folder against the LM, and hands the normalised weights to export.py. Progress
goes to stderr, the result as JSON to stdout. Work is recorded in DIR/.agx-convert/ one marker per
finished stage (source checksums, checks, export), each keyed by the sources' checksums, so a rerun
after a kill redoes only what had not finished, and a rerun with other sources starts over.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from agx_convert import LICENCE, VERSION
from agx_convert.config import hf_codec_config
from agx_convert.fixtures import FULL_SIZE, write_all, write_full_size
from agx_convert.formats import Sources, detect
from agx_convert.formats.audiocraft import read_codec, read_lm
from agx_convert.formats.hf_encodec import map_state
from agx_convert.formats.t5 import check_t5_folder, folder_model_name, short_name, t5_encoder_state
from agx_convert.meta import meta_check
from agx_convert.safetensors import write_file
from agx_convert.spec import codec_spec, count, diff, lm_spec

STATE_DIR = ".agx-convert"


class ConvertError(ValueError):
    pass


class NotYetImplemented(RuntimeError):
    pass


def progress(message: str, fraction: float | None = None) -> None:
    pct = "" if fraction is None else f" {100 * fraction:5.1f}%"
    print(f"agx-convert [{time.strftime('%H:%M:%S')}]{pct} {message}", file=sys.stderr, flush=True)


def sha256_file(path: Path, what: str) -> str:
    h = hashlib.sha256()
    size, done, last = path.stat().st_size, 0, 0.0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
            done += len(chunk)
            if size > 1 << 28 and time.monotonic() - last > 5:
                progress(f"checksum {what}: {100 * done / size:.0f}% of {size / 1e9:.2f} GB")
                last = time.monotonic()
    return h.hexdigest()


class Stages:
    """DIR/.agx-convert/<stage>.json markers, valid only for the same sources (their checksums)."""

    def __init__(self, out: Path):
        self.dir = out / STATE_DIR
        self.dir.mkdir(parents=True, exist_ok=True)
        self.key: str | None = None

    def done(self, stage: str) -> dict | None:
        path = self.dir / f"{stage}.json"
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError:
            return None  # a marker cut short by a kill: the stage did not finish
        return data if data.get("key") == self.key and data.get("converter") == VERSION else None

    def mark(self, stage: str, data: dict) -> None:
        tmp = self.dir / f"{stage}.json.tmp"
        tmp.write_text(json.dumps({**data, "key": self.key, "converter": VERSION}, indent=2))
        os.replace(tmp, self.dir / f"{stage}.json")


def source_checksums(src: Sources, stages: Stages) -> list[dict]:
    """sha256 of every source file; a file whose size and mtime are unchanged reuses the recorded sum."""
    cache_path = stages.dir / "checksums.json"
    try:
        cache = json.loads(cache_path.read_text())
    except (OSError, json.JSONDecodeError):
        cache = {}
    out = []
    files = list(src.files)
    for folder in src.folders:
        files.extend(p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix in (".json", ".model") and p not in files)
    for i, path in enumerate(files):
        st = path.stat()
        ident = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
        if ident not in cache:
            if st.st_size > 1 << 26:
                progress(f"checksum {path.name} ({st.st_size / 1e9:.2f} GB)", i / len(files))
            cache[ident] = sha256_file(path, path.name)
            cache_path.write_text(json.dumps(cache, indent=2))
        out.append({"file": f"{path.parent.name}/{path.name}", "bytes": st.st_size, "sha256": cache[ident]})
    return out


def _fail_on(problems: list[str]) -> None:
    if problems:
        raise ConvertError("\n".join(problems))


def load_inputs(src: Sources, stage_dir: Path) -> dict:
    """Reads, maps and checks everything; returns the export's inputs plus what the report says."""
    warnings: list[str] = []
    if src.lm is None:
        raise ConvertError("no LM given: pass audiocraft's state_dict.bin or a transformers MusicGen folder")
    # --- LM
    if src.lm[0] == "audiocraft":
        progress(f"reading {src.lm[1].name}")
        lm_state, lm_cfg = read_lm(src.lm[1], src.lm[2])
        src.lm[2].clear()
        _fail_on(diff(lm_spec(lm_cfg), {n: list(t.shape) for n, t in lm_state.items()}, f"LM weights in {src.lm[1].name}"))
    else:
        hf = src.lm[1]
        lm_cfg = hf.lm_config()
        shapes, unmapped = hf.lm_shapes()
        _fail_on([f"{hf.folder.name}: tensors with no audiocraft counterpart: {', '.join(unmapped[:12])}"] if unmapped else [])
        _fail_on(diff(lm_spec(lm_cfg), shapes, f"LM weights in {hf.folder.name} (mapped to audiocraft names)"))
        progress(f"reading {hf.folder.name} (LM)")
        lm_state = hf.lm_state()
    # --- codec
    if src.codec is None and src.lm[0] == "hf" and src.lm[1].has_prefix("audio_encoder."):
        hf = src.lm[1]
        codec_cfg = hf_codec_config(hf.config["audio_encoder"], f"{hf.folder.name}/config.json audio_encoder")
        codec_state, unmapped = map_state(hf.sub_state("audio_encoder."), codec_cfg)
        codec_from = f"{hf.folder.name} (audio_encoder)"
    elif src.codec is None:
        ref = f" ({src.codec_ref[1].name} names {src.codec_ref[2]}: download that model's folder and pass it too)" if src.codec_ref else ""
        raise ConvertError(f"no codec given{ref}: pass compression_state_dict.bin or an HF EnCodec folder")
    elif src.codec[0] == "audiocraft":
        if src.codec_ref is not None:
            raise ConvertError("two codecs given: a full compression_state_dict.bin and a reference to a pretrained one")
        progress(f"reading {src.codec[1].name}")
        codec_state, codec_cfg = read_codec(src.codec[1], src.codec[2])
        unmapped, codec_from = [], src.codec[1].name
    else:
        enc = src.codec[1]
        codec_cfg = enc.codec_config()
        codec_state, unmapped = map_state(enc.state(), codec_cfg)
        codec_from = enc.folder.name
        if src.codec_ref is not None and short_name(src.codec_ref[2]) != short_name(folder_model_name(enc.folder)):
            warnings.append(f"{src.codec_ref[1].name} names {src.codec_ref[2]}; the EnCodec folder given is {folder_model_name(enc.folder)}")
    _fail_on([f"{codec_from}: tensors with no audiocraft counterpart: {', '.join(unmapped[:12])}"] if unmapped else [])
    _fail_on(diff(codec_spec(codec_cfg), {n: list(t.shape) for n, t in codec_state.items()}, f"codec weights in {codec_from}"))
    if codec_cfg["n_q"] < lm_cfg["n_q"] or codec_cfg["bins"] != lm_cfg["card"]:
        raise ConvertError(f"the codec ({codec_cfg['n_q']} codebooks of {codec_cfg['bins']}) cannot serve the LM "
                           f"({lm_cfg['n_q']} codebooks of {lm_cfg['card']})")
    if codec_cfg["sample_rate"] != lm_cfg["sample_rate"]:
        raise ConvertError(f"the codec runs at {codec_cfg['sample_rate']} Hz, the LM was trained at {lm_cfg['sample_rate']} Hz")
    # --- T5
    t5_dir = src.t5
    if t5_dir is None and src.lm[0] == "hf" and src.lm[1].has_prefix("text_encoder."):
        t5_dir = derive_t5_folder(src.lm[1], stage_dir / "t5")
    if t5_dir is None:
        raise ConvertError(f"no T5 folder given: the LM was trained with {lm_cfg['t5_name']}; download its folder "
                           "(config.json, tokenizer.json, model.safetensors) and pass it")
    t5 = check_t5_folder(t5_dir, lm_cfg["text_dim"], lm_cfg["t5_name"])
    warnings.extend(t5["warnings"])
    digests = {"lm": state_digest(lm_state), "codec": state_digest(codec_state), "t5": state_digest(t5_encoder_state(t5["weights"]))}
    return {"lm_state": lm_state, "lm_cfg": lm_cfg, "t5_dir": t5_dir, "codec_state": codec_state, "codec_cfg": codec_cfg,
            "warnings": warnings, "t5_name": t5["name"], "digests": digests}


def state_digest(state: dict) -> str:
    """sha256 over names and fp32 little-endian bytes in name order: equal digests mean byte-identical weights."""
    h = hashlib.sha256()
    for name in sorted(state):
        t = state[name].detach().contiguous()
        h.update(f"{name}|{t.dtype}|{list(t.shape)}|".encode())
        a = t.numpy()
        # hash the tensor's own memory (no copy) where it is already little-endian
        h.update(a.reshape(-1).view(np.uint8) if sys.byteorder == "little" else a.astype(a.dtype.newbyteorder("<")).tobytes())
    return h.hexdigest()


def derive_t5_folder(hf, folder: Path) -> Path:
    """A T5 folder from a MusicGen folder's text_encoder.* weights, its config's text_encoder and its tokenizer.json."""
    if not (hf.folder / "tokenizer.json").is_file():
        raise ConvertError(f"{hf.folder.name}: no tokenizer.json (download it with the model)")
    folder.mkdir(parents=True, exist_ok=True)
    cfg = dict(hf.config["text_encoder"])
    cfg.setdefault("model_type", "t5")
    (folder / "config.json").write_text(json.dumps(cfg, indent=2))
    shutil.copyfile(hf.folder / "tokenizer.json", folder / "tokenizer.json")
    write_file(folder / "model.safetensors", hf.sub_state("text_encoder."), {"format": "pt", "from": hf.folder.name})
    return folder


def export_module():
    if importlib.util.find_spec("agx_convert.export") is None:
        return None
    return importlib.import_module("agx_convert.export")


def check_out_folder(out: Path, paths: list[Path]) -> None:
    """The bundle goes into an empty folder or one an earlier run started: never over other files."""
    resolved = out.resolve()
    for p in paths:
        p = Path(p).resolve()
        if resolved == p or resolved in p.parents or (p.is_dir() and p in resolved.parents):
            raise ConvertError(f"--out {out} overlaps the source {p}; choose a separate folder")
    if out.exists() and not out.is_dir():
        raise ConvertError(f"--out {out} is a file")
    if out.is_dir() and any(out.iterdir()) and not (out / STATE_DIR).is_dir():
        raise ConvertError(f"--out {out} is not empty and holds no earlier conversion ({STATE_DIR}/); choose a new folder")


def convert(paths: list[Path], out: Path, check_only: bool = False) -> dict:
    check_out_folder(out, paths)
    out.mkdir(parents=True, exist_ok=True)
    stages = Stages(out)
    progress("detecting formats")
    src = detect(paths)
    for d in src.detected:
        progress(f"{d['path']}: {d['kind']}")
    sums = source_checksums(src, stages)
    stages.key = hashlib.sha256(json.dumps(sums, sort_keys=True).encode()).hexdigest()
    if (done := stages.done("export")) is not None and (out / "manifest.json").is_file():
        progress(f"already converted into {out} (same sources); nothing to do")
        return {**done["report"], "resumed": True}
    inputs = load_inputs(src, stages.dir)
    for w in inputs["warnings"]:
        progress(f"warning: {w}")
    lm_cfg = inputs["lm_cfg"]
    lm_cfg["sources"] = sums
    lm_cfg["licence"] = LICENCE
    report = {
        "out": str(out),
        "family": lm_cfg["family"],
        "detected": [{k: d[k] for k in ("path", "kind")} for d in src.detected],
        "lmParameters": count(lm_spec(lm_cfg)),
        "codecParameters": count(codec_spec(inputs["codec_cfg"])),
        "t5": inputs["t5_name"],
        "sampleRate": inputs["codec_cfg"]["sample_rate"],
        "frameRate": inputs["codec_cfg"]["frame_rate"],
        "codebooks": lm_cfg["n_q"],
        "cardinality": lm_cfg["card"],
        "cfgCoef": lm_cfg["cfg_coef"],
        "licence": LICENCE,
        "sources": sums,
        "warnings": inputs["warnings"],
        "weightsSha256": inputs["digests"],
    }
    stages.mark("checked", {"report": report})
    progress(f"checked: {report['lmParameters']:,} LM parameters, codec {report['sampleRate']} Hz at {report['frameRate']} Hz")
    if check_only:
        return {**report, "exported": False}
    exporter = export_module()
    if exporter is None or not hasattr(exporter, "export_bundle"):
        raise NotYetImplemented("the sources are read and checked, but the bundle export (agx_convert/export.py) "
                                "is not implemented yet; nothing was written but the checks in " + str(stages.dir))
    exporter.export_bundle(inputs["lm_state"], lm_cfg, inputs["t5_dir"], inputs["codec_state"], inputs["codec_cfg"], out, progress)
    stages.mark("export", {"report": {**report, "exported": True}})
    progress(f"done: {out}")
    return {**report, "exported": True}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m agx_convert", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert", help="convert downloaded AudioGen / MusicGen files into a bundle")
    c.add_argument("sources", nargs="+", type=Path)
    c.add_argument("--out", required=True, type=Path)
    c.add_argument("--check-only", action="store_true", help="detect and check, write no bundle")
    f = sub.add_parser("fixtures", help="write tiny random-weight checkpoints in each release format (for tests)")
    f.add_argument("dir", type=Path)
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--full-size", choices=sorted(FULL_SIZE), help="instead: one model's files at the released size "
                   "(random weights; AudioGen-medium's LM is 3.7 GB), for measurements")
    m = sub.add_parser("meta-check", help="full-size name/shape check on torch's meta device against the published parameter counts")
    m.add_argument("--judge", choices=["cnn14"], help="instead: the judge architecture's full-size check")
    j = sub.add_parser("judge", help="convert a released AudioSet classifier (PANNs CNN14) into a judge bundle")
    j.add_argument("checkpoint", type=Path)
    j.add_argument("--labels", required=True, type=Path, help="AudioSet's class_labels_indices.csv")
    j.add_argument("--out", required=True, type=Path)
    j.add_argument("--arch", default="cnn14", help="the checkpoint's architecture (cnn14)")
    j.add_argument("--name", help="the judge's name (default: the architecture)")
    args = parser.parse_args(argv)
    try:
        if args.command == "convert":
            result = convert(args.sources, args.out, args.check_only)
        elif args.command == "fixtures":
            result = write_full_size(args.dir, args.full_size, args.seed) if args.full_size else write_all(args.dir, args.seed)
        elif args.command == "judge":
            # judge.py builds on this module's stages and checksums, so it is imported here, not at the top
            from agx_convert.judge import convert_judge
            result = convert_judge(args.arch, args.checkpoint, args.labels, args.out, progress, args.name)
        elif args.judge:
            from agx_convert.judge import meta_check_cnn14
            result = meta_check_cnn14(progress)
        else:
            result = meta_check(progress)
    except NotYetImplemented as e:
        print(f"agx_convert: not implemented: {e}", file=sys.stderr)
        return 4
    except ValueError as e:  # every input problem (ConvertError, ConfigError, FormatError, T5Error, SafetensorsError)
        print(f"agx_convert: error: {e}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0
