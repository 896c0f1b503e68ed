"""Re-export a bundle's graphs from the bundle itself (no .work, no retraining).

    cd native-models/build && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m agx_build.tools.reexport [--only NAMES] [--bundle DIR]

The LM and the codec are rebuilt from the committed graphs (lib/bundle_io.py); the graphs named by
--only (comma-separated kinds of stages/export.py: text_encoder, lm_step, lm_probe, lm_explain,
explainer_step, lm_gradcam, lm_chefer, codec_encoder, codec_decoder; default all) are exported again
with the build's own exporters; the others are kept as they are. The shared weight blobs are then
rewritten over every graph (their layout follows the graphs), and the manifest is written with the
build's write_manifest, carrying the fields other stages added (the judge's calibration, ...).
The classifier and the tokenizer are copied: they are not rebuilt from the bundle.
With --fixtures the parity fixtures (test/fixtures/parity) are written too (the judge's section is kept).
Everything is written to a scratch folder first and moved in only when the whole export succeeded.
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import onnx
import torch

from agx_build import config
from agx_build.lib import bundle_io
from agx_build.stages import export, parity_fixture

# manifest fields write_manifest computes; every other top-level field is carried over
COMPUTED = {"name", "version", "licence", "description", "sampleRate", "frameRate", "codebooks", "cardinality", "pattern",
            "maxDurationSec", "maxTextTokens", "hiddenSize", "layers", "heads", "specialTokens", "labels",
            "classifierThreshold", "generation", "identity", "graphs", "files"}
KEPT = ("classifier.onnx", "tokenizer.json")
ALL = {**export.LM_GRAPHS, **export.CODEC_GRAPHS}
# manifest graph key of each kind (single-file kinds name their file; bucketed kinds list them)
MANIFEST_KEY = {"text_encoder": "textEncoder", "lm_step": "lmStep", "lm_probe": "lmProbe", "lm_explain": "lmExplain",
                "explainer_step": "explainerStep", "lm_gradcam": "lmGradcam", "lm_chefer": "lmChefer",
                "codec_encoder": "codecEncoder", "codec_decoder": "codecDecoder"}


def existing_files(manifest: dict, kind: str) -> list[str]:
    entry = manifest["graphs"][MANIFEST_KEY[kind]]
    return [entry] if isinstance(entry, str) else [b["file"] for b in entry]


def reexport(bundle: Path, only: list[str], fixtures: bool, log=print) -> dict[str, list[str]]:
    unknown = [n for n in only if n not in ALL]
    if unknown:
        raise SystemExit(f"reexport: unknown graph kind(s) {', '.join(unknown)}; known: {', '.join(ALL)}")
    old = json.loads((bundle / "manifest.json").read_text())
    lm = bundle_io.lm_from_bundle(bundle)
    for p in lm.parameters():
        p.requires_grad_(False)
    codec = bundle_io.codec_from_bundle(bundle).eval()
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory(dir=bundle.parent) as tmp:
        out = Path(tmp) / bundle.name  # write_manifest names the bundle after its folder
        out.mkdir()
        names: dict[str, list[str]] = {}
        for kind, exporter in ALL.items():
            if kind in only:
                log(f"reexport: {kind}")
                names[kind] = exporter(lm, codec, out)
            else:
                # self-contained copies: share_bundle_weights lays the blobs out again over all graphs
                names[kind] = existing_files(old, kind)
                for f in names[kind]:
                    onnx.save(onnx.load(str(bundle / f)), str(out / f))
        for f in KEPT:
            shutil.copy2(bundle / f, out / f)
        export.share_bundle_weights(out, names)
        # the weights come from the old bundle itself, so a bundle from before identities (2.0.0) keeps the
        # manifest sha256 its takes recorded as the id
        identity = export.model_identity(lm, codec, out, old, export.sha256(bundle / "manifest.json"))
        export.write_manifest(out, lm.cfg, old["classifierThreshold"], names, identity,
                              {k: v for k, v in old.items() if k not in COMPUTED})
        if fixtures:
            vocab = json.loads((bundle / "tokenizer.json").read_text())["model"]["vocab"]
            parity_fixture.write(lm, codec, None, vocab, out, export.explain_function, export.explain_example,
                                 config.PARITY_BUCKET)
        for stale in list(bundle.glob("*.onnx")) + list(bundle.glob("*_weights.*")):
            stale.unlink()
        for f in out.iterdir():
            shutil.move(str(f), str(bundle / f.name))
    log(f"reexport: {bundle} written ({', '.join(only)} exported again)")
    return names


def print_identity(bundle: Path) -> None:
    """The identity a re-export of this bundle would write, as one JSON line (for the tests)."""
    old = json.loads((bundle / "manifest.json").read_text())
    lm = bundle_io.lm_from_bundle(bundle)
    codec = bundle_io.codec_from_bundle(bundle)
    print(json.dumps(export.model_identity(lm, codec, bundle, old, export.sha256(bundle / "manifest.json"))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", type=Path, default=config.BUNDLE)
    ap.add_argument("--only", default=",".join(ALL), help="comma-separated graph kinds to export again (default: all)")
    ap.add_argument("--fixtures", action="store_true", help="also write the parity fixtures")
    ap.add_argument("--identity", action="store_true", help="only print the identity a re-export would write")
    args = ap.parse_args()
    if args.identity:
        print_identity(args.bundle.resolve())
        return
    reexport(args.bundle.resolve(), [n.strip() for n in args.only.split(",") if n.strip()], args.fixtures)


if __name__ == "__main__":
    main()
