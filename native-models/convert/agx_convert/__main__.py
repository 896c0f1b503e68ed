"""python3 -m agx_convert: see agx_convert/convert.py. Exit codes: 0 done, 1 bad input (one message on
stderr), 3 a Python dependency is missing, 4 checked but the export is not implemented yet."""
from __future__ import annotations

import sys

try:
    import numpy  # noqa: F401
    import omegaconf  # noqa: F401
    import torch  # noqa: F401
except ImportError as e:
    print(f"agx_convert: missing Python package {e.name}: install Debian's python3-torch python3-numpy "
          "python3-omegaconf python3-onnx (sudo apt-get install ...), and run with /usr/bin/python3", file=sys.stderr)
    sys.exit(3)

from agx_convert.convert import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
