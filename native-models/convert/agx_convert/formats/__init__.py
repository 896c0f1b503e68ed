"""Which release format each source is, and the readers that turn them into the converter's inputs.

A source is a file (audiocraft's state_dict.bin / compression_state_dict.bin) or a folder (an HF
MusicGen, EnCodec or T5 folder, or a folder holding audiocraft's two files).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from agx_convert.formats.audiocraft import FormatError, kind_of, load_pkg
from agx_convert.formats.hf_encodec import HFEncodec, is_hf_encodec
from agx_convert.formats.hf_musicgen import HFMusicGen, is_hf_musicgen
from agx_convert.formats.t5 import is_t5_folder, weights_file
from agx_convert.safetensors import SafetensorsCheckpoint

AUDIOCRAFT_FILES = ("state_dict.bin", "compression_state_dict.bin")


@dataclass
class Sources:
    lm: tuple | None = None  # ('audiocraft', path, pkg) or ('hf', HFMusicGen)
    codec: tuple | None = None  # ('audiocraft', path, pkg) or ('hf', HFEncodec)
    t5: Path | None = None
    codec_ref: tuple | None = None  # ('pretrained', path, 'facebook/encodec_32khz'): the HF folder must be given too
    files: list[Path] = field(default_factory=list)  # every weight file, for the model card's checksums
    folders: list[Path] = field(default_factory=list)  # source folders (their config and tokenizer files are checksummed too)
    detected: list[dict] = field(default_factory=list)

    def _set(self, slot: str, value: tuple | Path, path: Path, kind: str) -> None:
        if getattr(self, slot) is not None:
            first = next(d["path"] for d in self.detected if d["slot"] == slot)
            raise FormatError(f"two {slot} sources given ({first} and {path}); pass one")
        setattr(self, slot, value)
        self.detected.append({"path": str(path), "kind": kind, "slot": slot})


def _add_file(src: Sources, path: Path) -> None:
    if path.suffix in (".safetensors", ".json"):
        raise FormatError(f"{path}: pass the folder that holds config.json and the weights, not one of its files")
    pkg = load_pkg(path)
    kind = kind_of(pkg)
    src.files.append(path)
    if kind == "lm":
        src._set("lm", ("audiocraft", path, pkg), path, "audiocraft LM (best_state + xp.cfg)")
    elif kind == "compression":
        src._set("codec", ("audiocraft", path, pkg), path, "audiocraft EnCodec (best_state + xp.cfg)")
    elif kind == "compression-pretrained":
        src._set("codec_ref", ("pretrained", path, pkg["pretrained"]), path, f"audiocraft reference to {pkg['pretrained']}")
    else:
        raise FormatError(f"{path}: a torch checkpoint with keys {sorted(pkg)[:8]}, not an audiocraft release file "
                          "(expected best_state + xp.cfg, or pretrained)")


def detect(paths: list[Path]) -> Sources:
    src = Sources()
    for path in paths:
        path = Path(path)
        if path.is_file():
            _add_file(src, path)
        elif path.is_dir():
            if (path / "config.json").is_file():
                src.folders.append(path)
            if is_hf_musicgen(path):
                hf = HFMusicGen(path)
                src._set("lm", ("hf", hf), path, "transformers MusicGen folder")
                src.files.extend(hf.checkpoint.files)
            elif is_hf_encodec(path):
                enc = HFEncodec(path)
                src._set("codec", ("hf", enc), path, "transformers EnCodec folder")
                src.files.extend(enc.checkpoint.files)
            elif is_t5_folder(path):
                src._set("t5", path, path, "T5 folder")
                w = weights_file(path)
                src.files.extend(SafetensorsCheckpoint(w).files if w.suffix != ".bin" else [w])
            elif any((path / f).is_file() for f in AUDIOCRAFT_FILES):
                for f in AUDIOCRAFT_FILES:
                    if (path / f).is_file():
                        _add_file(src, path / f)
            else:
                raise FormatError(f"{path}: not a model folder (no config.json with model_type musicgen, encodec or t5, "
                                  f"and no {' or '.join(AUDIOCRAFT_FILES)})")
        else:
            raise FormatError(f"{path}: no such file or folder")
    return src
