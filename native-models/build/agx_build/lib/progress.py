"""The build's progress log: one timestamped line per message, flushed at once (stages run for hours)."""
from __future__ import annotations

import time


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)
