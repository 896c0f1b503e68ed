"""docs/screenshots/sensitivity.png from docs/data/sensitivity.json (written by scripts/results-faithfulness.mjs).

    /usr/bin/python3 scripts/plot-sensitivity.py

AudioGenX's faithfulness against its loss weights, one moved from the paper's settings at a time:
Fid_CF (higher is better) and Fid_F (lower is better) under the raw and the calibrated judge, and the
mask's Size, each with its bootstrap 95% interval over prompts.
"""
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
data = json.loads((ROOT / "docs/data/sensitivity.json").read_text())
fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), sharey=True)
paper = {"alpha": 1e-3, "beta": 0.1}
for ax, (param, points) in zip(axes, data["series"].items()):
    x = [p["value"] for p in points]
    # calibrated and Size points sit slightly apart on the log axis so the intervals stay readable
    for key, judge, colour, style, shift, label in [
        ("fid_cf", "raw", "tab:blue", "-", 1.0, "Fid_CF (higher better)"),
        ("fid_cf", "calibrated", "tab:blue", "--", 1.12, f"Fid_CF, calibrated judge (T={data['temperature']:.2f})"),
        ("fid_f", "raw", "tab:red", "-", 1.0, "Fid_F (lower better)"),
        ("fid_f", "calibrated", "tab:red", "--", 1.12, "Fid_F, calibrated judge"),
        ("size", "raw", "tab:grey", ":", 0.89, "Size (mean mask)"),
    ]:
        m = [p[judge][key] for p in points]
        y = [v["mean"] for v in m]
        err = [[v["mean"] - v["ci95"][0] for v in m], [v["ci95"][1] - v["mean"] for v in m]]
        ax.errorbar([v * shift for v in x], y, yerr=err, color=colour, linestyle=style, marker="o", capsize=3, label=label)
    ax.axvline(paper[param], color="black", linewidth=0.8, alpha=0.4)
    ax.set_xscale("log")
    ax.set_xlabel(f"{param} (the rest at the paper's settings; grey line: the paper's)")
    ax.set_title(f"{param}: {points[0]['prompts'] if points else 0} prompts, 95% bootstrap intervals")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("value")
handles, labels = axes[0].get_legend_handles_labels()
fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=8, frameon=False)
fig.tight_layout(rect=(0, 0.07, 1, 1))
out = ROOT / "docs/screenshots/sensitivity.png"
fig.savefig(out, dpi=110)
print(out)
