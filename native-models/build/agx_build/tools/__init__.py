"""Research and report scripts, each run on its own: python -m agx_build.tools.NAME (from native-models/build)."""
