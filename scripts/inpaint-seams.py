# Measures and draws the seams of scripts/inpaint-seams.mjs (docs/decisions.md, "Replacing a region"):
# excess spectral flux at each seam (output minus the original at the same place, dB) per candidate
# count, and docs/screenshots/inpaint-seam.png. Run: /usr/bin/python3 scripts/inpaint-seams.py /tmp/seams
import json, sys
import numpy as np
from scipy.io import wavfile
D = sys.argv[1]
SR, NFFT, HOP = 16000, 512, 160
def logspec(x):
    w = np.hanning(NFFT)
    n = 1 + (len(x) - NFFT) // HOP
    fr = np.stack([x[i*HOP:i*HOP+NFFT] * w for i in range(n)])
    p = np.abs(np.fft.rfft(fr, axis=1)) ** 2
    edges = np.unique(np.geomspace(2, 257, 65).astype(int))
    bands = np.stack([p[:, a:b].mean(1) for a, b in zip(edges[:-1], edges[1:])], 1)
    return 10 * np.log10(bands + 1e-8)
def flux_max(L, t0, t1):
    a, b = int(t0 * SR / HOP), int(t1 * SR / HOP)
    d = np.abs(np.diff(L, axis=0)).mean(1)
    return d[max(0, a - 1):b].max()
idx = json.load(open(f'{D}/index.json'))
rows = {1: [], 4: [], 8: []}
rowsS = {1: [], 4: [], 8: []}
for c in idx:
    o = logspec(wavfile.read(f"{D}/{c['name']}-orig.wav")[1])
    for N in rows:
        y = logspec(wavfile.read(f"{D}/{c['name']}-n{N}.wav")[1])
        E, S = c['E'], c['S']
        rows[N].append(flux_max(y, E - 0.02, E + 0.06) - flux_max(o, E - 0.02, E + 0.06))
        rowsS[N].append(flux_max(y, S - 0.06, S + 0.02) - flux_max(o, S - 0.06, S + 0.02))
for N in rows:
    print(f"N={N}: excess flux at E mean {np.mean(rows[N]):.2f} dB median {np.median(rows[N]):.2f}  per case {np.round(rows[N],1).tolist()}; at S mean {np.mean(rowsS[N]):.2f}")
for c in idx:
    print(c['name'], {N: (round(min(c['runs'][str(N)]['distances']),2), round(c['runs'][str(N)]['distances'][0],2)) for N in (1,4,8)})

# The figure: one clip around its replaced region, original / 1 candidate / best of 8.
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
CASE = sys.argv[2] if len(sys.argv) > 2 else 'c8'
c = next(x for x in idx if x['name'] == CASE)
fig, axes = plt.subplots(3, 1, figsize=(9, 7.5), sharex=True)
for ax, (tag, title) in zip(axes, [('orig', 'original take'), ('n1', 'region replaced, 1 candidate'), ('n8', 'region replaced, best of 8 candidates (kept)')]):
    x = wavfile.read(f"{D}/{CASE}-{tag}.wav")[1]
    L = logspec(x)
    t = np.arange(L.shape[0]) * HOP / SR + NFFT / 2 / SR
    ax.imshow(L.T, origin='lower', aspect='auto', extent=[t[0], t[-1], 0, L.shape[1]], cmap='magma', vmin=L.max() - 80, vmax=L.max())
    for s in (c['S'], c['E']):
        ax.axvline(s, color='cyan', lw=1)
    ax.axvspan(c['S'] - 0.04, c['S'], color='cyan', alpha=0.15)
    ax.axvspan(c['E'], c['E'] + 0.04, color='cyan', alpha=0.15)
    if tag != 'orig':
        N = int(tag[1:])
        run = c['runs'][str(N)]
        d = min(run['distances'])
        title += f"  (codec distance past E {d:.2f}; seed {run['chosenSeed']})"
    ax.set_title(f"{c['prompt']}: {title}", fontsize=9)
    ax.set_ylabel('log bands, 30 Hz-8 kHz', fontsize=8)
    ax.set_xlim(c['S'] - 0.6, c['E'] + 0.6)
axes[-1].set_xlabel('seconds (cyan: S and E, shaded: the 40 ms crossfades)')
fig.tight_layout()
out = sys.argv[3] if len(sys.argv) > 3 else 'docs/screenshots/inpaint-seam.png'
fig.savefig(out, dpi=110)
print('wrote', out)
