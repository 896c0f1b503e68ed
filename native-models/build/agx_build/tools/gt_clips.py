"""A larger ground-truth set than the test fixtures, for agx benchmark-gt --set DIR (docs/results.md).

    cd native-models/build && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m agx_build.tools.gt_clips --out DIR [--n 120] [--skip 12]

Same clips and format as test/fixtures/gt/ (stages/gt_fixtures.py), from further held-out test clips
(the 'test' split, seeds 0-999). Needs the build's work folder (corpus_test.pt). Choosing settings on
these would tune on test clips: gt_validation.py writes a validation set from the 'validation' split
instead, with no work folder.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from agx_build import config
from agx_build.stages import gt_fixtures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=120)
    ap.add_argument("--skip", type=int, default=12, help="clips of each kind to skip (12: the 24 test fixtures)")
    ap.add_argument("--work", type=Path, default=config.WORK)
    args = ap.parse_args()
    gt_fixtures.write_set(args.work, args.out, args.n, args.skip)


if __name__ == "__main__":
    main()
