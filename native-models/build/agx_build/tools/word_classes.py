"""Word classes for scripts/null-effect.mjs's output: what muting each kind of word does to the LM.

    cd native-models/build && /usr/bin/python3 -m agx_build.tools.word_classes IN.json OUT.json

Each word gets a class from the sound world's grammar (lib/world.py): a naming word is a noun, a
verb or a modifier (adjective, adverb) of its event; every other word is unknown (the tokenizer's
flag) or a function word (article, connector, filler). `summary` holds, per class, the count and the
mean, median, min and max of the effect (mean 1 - cos of the LM's hidden states when the word is
muted), and the share of words whose effect is below twice the function words' median.
"""
from __future__ import annotations

import json
import statistics
import sys

from agx_build.lib import world


def main() -> None:
    src, dst = sys.argv[1], sys.argv[2]
    data = json.load(open(src))
    nouns = {w for ev in world.EVENTS.values() for n in ev["nouns"] for w in n.split()}
    verbs = {f for ev in world.EVENTS.values() for forms in ev["verbs"].values() for f in forms}
    by_class: dict[str, list[float]] = {}
    for clip in data["clips"]:
        for w in clip["words"]:
            if w["naming"]:
                w["class"] = "noun" if w["word"] in nouns else "verb" if w["word"] in verbs else "modifier"
            else:
                w["class"] = "unknown" if w["unknown"] else "function"
            by_class.setdefault(w["class"], []).append(w["effect"])
    # a word "does about as little as a function word" below twice the function words' median
    floor = 2 * statistics.median(by_class["function"])
    data["summary"] = {k: {"words": len(v), "mean": statistics.mean(v), "median": statistics.median(v), "min": min(v),
                           "max": max(v), "shareBelowFunctionFloor": sum(x < floor for x in v) / len(v)}
                       for k, v in sorted(by_class.items())}
    data["functionFloor"] = floor
    json.dump(data, open(dst, "w"), indent=1)
    for k, s in data["summary"].items():
        print(f"{k:9s} {s['words']:3d} mean {s['mean']:.2e} median {s['median']:.2e} min {s['min']:.2e} "
              f"max {s['max']:.2e} below {floor:.1e}: {s['shareBelowFunctionFloor']:.2f}")


if __name__ == "__main__":
    main()
