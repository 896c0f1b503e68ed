"""The build of the embedded bundle native-models/tiny-foley/ (see native-models/build/README.md).

lib/     the models and the sound world, importable without side effects
stages/  the build's stages, run in order by build_all
tools/   research and report scripts that reuse the stages (run one by one)
config   the one configuration

Layering: lib <- stages <- build_all, tools (tools/check_imports.py enforces it, with no import cycles).
"""
import os

# Set before numpy or torch load OpenBLAS: Debian's torch is ~8x slower on 2 cores without it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
