"""How each event of the sound world sounds: a table of recipes (SOUNDS) and the small functions they use.

A recipe draws its random parameters from the clip's numpy Generator and adds its sound into a clip-long
buffer between the event's start and end. The order of the draws is part of the data: clip i of a split
must come out the same on every machine and across refactors, so a change to a recipe changes the corpus.
The grammar, the level modifiers and the mixing of a clip are in world.py (docs/sound-world.md describes both).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft
from scipy.signal import fftconvolve

# The clip format every event is synthesised into (world.py mixes clips of it).
SR = 16000
CLIP_SEC = 5.0
CLIP_LEN = int(SR * CLIP_SEC)


# ---------------------------------------------------------------- signal helpers

def _t(n: int) -> np.ndarray:
    return np.arange(n) / SR


def _bandnoise(rng, n: int, lo: float, hi: float, tilt: float = 0.0) -> np.ndarray:
    n_out, n = n, sfft.next_fast_len(n, real=True)  # arbitrary lengths make the FFT crawl
    spec = sfft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    gain = ((f >= lo) & (f <= hi)).astype(float)
    if tilt:
        gain *= (np.maximum(f, 20.0) / 1000.0) ** tilt
    x = sfft.irfft(spec * gain, n)[:n_out]
    return x / (np.std(x) + 1e-9)


def _place(out: np.ndarray, sig: np.ndarray, at: float) -> None:
    i = int(at * SR)
    if i >= len(out) or i + len(sig) <= 0:
        return
    s = sig[max(0, -i): len(out) - i]
    out[max(0, i): max(0, i) + len(s)] += s


def _train_times(rng, start: float, end: float, period: float, jitter: float) -> list[float]:
    times, t = [], start + float(rng.uniform(0, period * 0.3))
    while t < end:
        times.append(t)
        t += period * float(rng.uniform(1 - jitter, 1 + jitter))
    return times


def _faded(sig: np.ndarray, tt: np.ndarray, length: float, fade_in: float, fade_out: float) -> np.ndarray:
    """sig with linear fades in and out (seconds), multiplied in this order so the samples stay bit-exact."""
    return sig * np.minimum(1, tt / fade_in) * np.minimum(1, (length - tt) / fade_out)


def lowpass(x: np.ndarray, fc: float) -> np.ndarray:
    spec = sfft.rfft(x)  # clips are 80000 samples: a fast FFT length
    f = np.fft.rfftfreq(len(x), 1 / SR)
    return sfft.irfft(spec / np.sqrt(1 + (f / fc) ** 4), len(x))


def reverb(rng, x: np.ndarray) -> np.ndarray:
    n = int(0.6 * SR)
    ir = rng.standard_normal(n) * np.exp(-_t(n) / 0.15)
    ir[0] = 3.0
    y = fftconvolve(x, ir)[: len(x)]
    return y / (np.std(ir) * 6)


@dataclass(frozen=True)
class Timing:
    """When an event sounds and how its modifiers pace it."""
    start: float
    end: float
    rate: float  # "fast" 1.6, "slow" 0.6: how quickly its units follow each other
    dense: float  # "repeatedly" 1.5: shorter pauses between groups

    @property
    def dur(self) -> float:
        return self.end - self.start

    @staticmethod
    def of(ev) -> "Timing":
        rate = 1.6 if "fast" in ev.mods else (0.6 if "slow" in ev.mods else 1.0)
        return Timing(ev.start, ev.end, rate, 1.5 if "repeatedly" in ev.mods else 1.0)


# ---------------------------------------------------------------- recipes
# Each recipe is (rng, ev, timing, out) -> None and adds its event into out. Verb variants are data
# where they differ only in numbers (the tables beside each recipe).

@dataclass(frozen=True)
class Voice:
    """A dog's call: (lo, hi) ranges of duration and pitch; whether the pitch falls over the call."""
    dur: tuple[float, float]
    f0: tuple[float, float]
    falls: bool


DOG_VOICES = {"bark": Voice(dur=(0.12, 0.22), f0=(380, 650), falls=False),
              "yelp": Voice(dur=(0.08, 0.12), f0=(900, 1300), falls=True)}


def _dog(rng, ev, tm: Timing, out: np.ndarray) -> None:
    v = DOG_VOICES["yelp" if ev.verb == "yelp" else "bark"]
    t = tm.start
    while t < tm.end - 0.1:
        for _ in range(int(rng.integers(1, 4))):  # a burst of 1-3 calls
            d = float(rng.uniform(*v.dur))
            f0 = float(rng.uniform(*v.f0))
            tt = _t(int(d * SR))
            f = f0 * (1 + 0.25 * np.sin(np.pi * tt / d)) * (1.3 - 0.5 * tt / d if v.falls else 1.0)
            ph = 2 * np.pi * np.cumsum(f) / SR
            formant = float(rng.uniform(1000, 1800))
            sig = sum(np.exp(-((h * f0 - formant) / 900.0) ** 2) * np.sin(h * ph) / h ** 0.3 for h in range(1, 9))
            sig = sig + 0.15 * rng.standard_normal(len(tt))
            env = np.minimum(1, tt / 0.01) * np.exp(-tt / (d * 0.45))
            _place(out, sig * env, t)
            t += d + float(rng.uniform(0.08, 0.18)) / tm.rate
        t += float(rng.uniform(0.3, 0.8)) / (tm.rate * tm.dense)


def _bird(rng, ev, tm: Timing, out: np.ndarray) -> None:
    song = ev.verb == "sing"  # longer notes with a 25 Hz trill
    t = tm.start
    while t < tm.end - 0.05:
        d = float(rng.uniform(0.05, 0.12) if not song else rng.uniform(0.08, 0.2))
        tt = _t(int(d * SR))
        f_a, f_b = float(rng.uniform(2200, 3500)), float(rng.uniform(3800, 6000))
        if rng.random() < 0.5:
            f_a, f_b = f_b, f_a
        f = f_a + (f_b - f_a) * (tt / d) + (300 * np.sin(2 * np.pi * 25 * tt) if song else 0)
        sig = np.sin(2 * np.pi * np.cumsum(f) / SR) * np.sin(np.pi * tt / d) ** 2
        _place(out, sig, t)
        gap = float(rng.uniform(0.05, 0.15))
        if rng.random() < 0.15:
            gap += float(rng.uniform(0.2, 0.5)) / tm.dense
        t += d + gap / tm.rate


def _siren(rng, ev, tm: Timing, out: np.ndarray) -> None:
    dur = tm.dur
    tt = _t(int(dur * SR))
    period = float(rng.uniform(2.0, 3.5)) / tm.rate
    lo, hi = float(rng.uniform(550, 700)), float(rng.uniform(1200, 1500))
    f = lo + (hi - lo) * 0.5 * (1 - np.cos(2 * np.pi * tt / period + rng.uniform(0, 6.28)))
    ph = 2 * np.pi * np.cumsum(f) / SR
    sig = np.sin(ph) + 0.3 * np.sin(2 * ph) + 0.15 * np.sin(3 * ph)
    env = np.minimum(1, tt / 0.15) * np.minimum(1, (dur - tt) / 0.15)
    _place(out, sig * env, tm.start)


RAIN_HEAVINESS = {"pour": 1.6, "patter": 0.6}  # other verbs 1.0


def _rain(rng, ev, tm: Timing, out: np.ndarray) -> None:
    dur = tm.dur
    n = int(dur * SR)
    heavy = RAIN_HEAVINESS.get(ev.verb or "", 1.0)
    sig = 0.6 * heavy * _bandnoise(rng, n, 400, 8000, tilt=-0.3)
    drops = np.zeros(n)
    k = int(dur * float(rng.uniform(30, 60)) * heavy)
    drops[rng.integers(0, n, k)] = rng.uniform(0.5, 2.0, k)
    drop_ir = np.sin(2 * np.pi * float(rng.uniform(2500, 4000)) * _t(80)) * np.exp(-_t(80) / 0.0015)
    sig = sig + fftconvolve(drops, drop_ir)[:n] * 2.0
    _place(out, _faded(sig, _t(n), dur, 0.2, 0.2), tm.start)


def _wind(rng, ev, tm: Timing, out: np.ndarray) -> None:
    dur = tm.dur
    n = int(dur * SR)
    tt = _t(n)
    sig = _bandnoise(rng, n, 40, 600, tilt=-0.5)
    lfo = 0.55 + 0.45 * np.sin(2 * np.pi * float(rng.uniform(0.2, 0.5)) * tm.rate * tt + rng.uniform(0, 6.28))
    if ev.verb == "gust":
        lfo = lfo ** 3
    if ev.verb == "howl":  # a wandering whistle over the noise
        fc = float(rng.uniform(350, 600)) * (1 + 0.2 * np.sin(2 * np.pi * 0.3 * tt))
        sig = sig + 0.5 * np.sin(2 * np.pi * np.cumsum(fc) / SR)
    _place(out, _faded(sig * lfo, tt, dur, 0.3, 0.3), tm.start)


def _engine_pitch(rng, verb: str | None, f0: float, tt: np.ndarray, tm: Timing) -> np.ndarray:
    """The engine's fundamental over time: rising (rev, accelerate), cruising (drive) or idling."""
    if verb in ("rev", "accelerate"):
        rise = float(rng.uniform(1.8, 2.6))
        prog = (tt / tm.dur) if verb == "accelerate" else np.clip(np.sin(np.pi * tt / min(tm.dur, 2.0 / tm.rate)) ** 2, 0, 1)
        return f0 * (1 + (rise - 1) * prog)
    if verb == "drive":
        return f0 * (1.3 + 0.3 * np.sin(2 * np.pi * 0.25 * tt))
    return f0 * (1 + 0.02 * np.sin(2 * np.pi * 3 * tt))


def _engine(rng, ev, tm: Timing, out: np.ndarray) -> None:
    dur = tm.dur
    n = int(dur * SR)
    tt = _t(n)
    f0 = float(rng.uniform(35, 60))
    ph = 2 * np.pi * np.cumsum(_engine_pitch(rng, ev.verb, f0, tt, tm)) / SR
    sig = sum(np.sin(h * ph + rng.uniform(0, 6.28)) / h ** 0.7 for h in range(1, 16))
    sig = sig * (1 + 0.3 * np.sin(ph * 0.5)) + 0.3 * _bandnoise(rng, n, 50, 1200)
    _place(out, _faded(sig, tt, dur, 0.2, 0.2), tm.start)


BELL_PARTIALS = [0.5, 1.0, 1.19, 1.56, 2.0, 2.51, 2.66, 3.01]  # frequency ratios of a struck bell


def _bell(rng, ev, tm: Timing, out: np.ndarray) -> None:
    church = "church" in ev.mods  # lower and longer
    base = float(rng.uniform(200, 320) if church else rng.uniform(400, 800))
    decay = float(rng.uniform(1.5, 2.5) if church else rng.uniform(0.8, 1.5))
    period = (float(rng.uniform(1.2, 2.0)) if ev.verb == "toll" else float(rng.uniform(0.5, 1.2))) / (tm.rate * tm.dense)
    for t0 in _train_times(rng, tm.start, tm.end - 0.2, period, 0.05):
        d = min(decay * 2, CLIP_SEC - t0)
        tt = _t(int(d * SR))
        sig = sum(np.sin(2 * np.pi * base * q * tt) * np.exp(-tt * q / decay) / (1 + 0.3 * i)
                  for i, q in enumerate(BELL_PARTIALS))
        _place(out, sig * np.minimum(1, tt / 0.003), t0)


def _clock(rng, ev, tm: Timing, out: np.ndarray) -> None:
    period = float(rng.uniform(0.45, 0.55)) / tm.rate
    f_tick = float(rng.uniform(2500, 3500))
    for i, t0 in enumerate(_train_times(rng, tm.start, tm.end, period, 0.01)):
        f = f_tick if (i % 2 == 0 or ev.verb != "tock") else f_tick * 0.7  # "tock": every other tick lower
        tt = _t(240)
        _place(out, 3.0 * np.sin(2 * np.pi * f * tt) * np.exp(-tt / 0.002), t0)


def _footsteps(rng, ev, tm: Timing, out: np.ndarray) -> None:
    period = (float(rng.uniform(0.25, 0.32)) if ev.verb == "run" else float(rng.uniform(0.45, 0.6))) / tm.rate
    for t0 in _train_times(rng, tm.start, tm.end, period, 0.06):
        tt = _t(2400)
        thump = _bandnoise(rng, 2400, 60, 350) * np.exp(-tt / 0.03)
        click = _bandnoise(rng, 2400, 1500, 5000) * np.exp(-tt / 0.004) * 0.3
        _place(out, 1.8 * (thump + click), t0)


def _clapping(rng, ev, tm: Timing, out: np.ndarray) -> None:
    dur = tm.dur
    n = int(dur * SR)
    tt = _t(n)
    rate = float(rng.uniform(15, 35)) * tm.rate * tm.dense
    k = int(dur * rate)
    claps = np.zeros(n)
    claps[rng.integers(0, n, k)] = rng.uniform(0.5, 1.5, k)
    clap_ir = _bandnoise(rng, 320, 800, 4000) * np.exp(-_t(320) / 0.004)
    sig = fftconvolve(claps, clap_ir)[:n] * 1.5 + 0.3 * _bandnoise(rng, n, 500, 5000)
    if ev.verb == "cheer":
        vowel = _bandnoise(rng, n, 300, 1200) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.7 * tt))
        sig = sig + 0.8 * vowel
    _place(out, _faded(sig, tt, dur, 0.1, 0.3), tm.start)


def _thunder(rng, ev, tm: Timing, out: np.ndarray) -> None:
    n = int(min(tm.dur + 0.5, CLIP_SEC - tm.start) * SR)  # the rumble outlasts the event by up to 0.5 s
    tt = _t(n)
    crack = ev.verb == "crack"  # a sharper, louder onset
    rumble = _bandnoise(rng, n, 20, 200, tilt=-0.5) * np.exp(-tt / float(rng.uniform(1.2, 2.2)))
    rumble *= np.minimum(1, tt / (0.02 if crack else 0.25))
    onset = _bandnoise(rng, n, 200, 6000) * np.exp(-tt / (0.05 if crack else 0.12)) * (1.5 if crack else 0.6)
    _place(out, 2.0 * rumble + onset, tm.start)


def _water(rng, ev, tm: Timing, out: np.ndarray) -> None:
    dur = tm.dur
    n = int(dur * SR)
    tt = _t(n)
    splash = ev.verb == "splash"
    sig = 0.4 * _bandnoise(rng, n, 200, 2000)
    k = int(dur * float(rng.uniform(25, 50)) * (1.5 if splash else 1.0))
    for t0 in rng.uniform(0, dur - 0.05, k):  # bubbles: short rising chirps
        d = float(rng.uniform(0.01, 0.04))
        bt = _t(int(d * SR))
        f = float(rng.uniform(300, 1500)) * (1 + 1.5 * bt / d)
        _place(sig, 0.8 * np.sin(2 * np.pi * np.cumsum(f) / SR) * np.sin(np.pi * bt / d), float(t0))
    if splash:
        for t0 in _train_times(rng, 0, dur, 0.8, 0.4):
            _place(sig, 2.0 * _bandnoise(rng, 3200, 300, 6000) * np.exp(-_t(3200) / 0.05), t0)
    _place(out, _faded(sig, tt, dur, 0.1, 0.1), tm.start)


def _phone(rng, ev, tm: Timing, out: np.ndarray) -> None:
    buzz = ev.verb == "buzz"  # a 180 Hz square buzz; otherwise a two-tone ring warbling at 20 Hz
    if buzz:
        on, off, f1, f2 = 0.5, 0.5, 180.0, 180.0
    else:
        on, off = 0.4, 0.2
        f1, f2 = float(rng.uniform(700, 900)), float(rng.uniform(950, 1150))
    t0 = tm.start
    while t0 < tm.end - 0.1:
        for _ in range(2):
            tt = _t(int(on * SR))
            if buzz:
                sig = np.sign(np.sin(2 * np.pi * f1 * tt)) * 0.5
            else:
                sig = np.sin(2 * np.pi * np.where((tt * 20) % 1 < 0.5, f1, f2) * tt)
            _place(out, _faded(sig, tt, on, 0.01, 0.01), t0)
            t0 += on + off
        t0 += float(rng.uniform(0.8, 1.4)) / (tm.rate * tm.dense)


def _door_slam(rng, ev, tm: Timing, out: np.ndarray) -> None:
    tt = _t(8000)
    thump = _bandnoise(rng, 8000, 50, 300) * np.exp(-tt / 0.08)
    crack = _bandnoise(rng, 8000, 300, 6000) * np.exp(-tt / 0.02)
    _place(out, 3.0 * (thump + crack), tm.start + float(rng.uniform(0, max(0.0, tm.dur - 0.6))))


def _door_creak(rng, ev, tm: Timing, out: np.ndarray) -> None:
    t0 = tm.start
    while t0 < tm.end - 0.5:
        d = float(rng.uniform(0.6, 1.2))
        tt = _t(int(d * SR))
        f = float(rng.uniform(250, 500)) * (1 + 0.3 * np.sin(2 * np.pi * 1.5 * tt)) * (1 + 0.05 * rng.standard_normal(len(tt)))
        ph = 2 * np.pi * np.cumsum(f) / SR
        sig = sum(np.sin(h * ph) / h for h in range(1, 8)) * np.sin(np.pi * tt / d)
        _place(out, sig, t0)
        t0 += d + float(rng.uniform(0.3, 0.8)) / tm.rate


def _door_knock(rng, ev, tm: Timing, out: np.ndarray) -> None:
    t0 = tm.start
    while t0 < tm.end - 0.3:
        for _ in range(int(rng.integers(2, 5))):  # a group of 2-4 knocks
            tt = _t(1600)
            f = float(rng.uniform(150, 350))
            knock = (np.sin(2 * np.pi * f * tt) + 0.5 * np.sin(2 * np.pi * 2.3 * f * tt)) * np.exp(-tt / 0.015)
            _place(out, 3.0 * (knock + 0.2 * _bandnoise(rng, 1600, 1000, 4000) * np.exp(-tt / 0.003)), t0)
            t0 += float(rng.uniform(0.15, 0.25)) / tm.rate
        t0 += float(rng.uniform(0.6, 1.2)) / (tm.rate * tm.dense)


DOOR_SOUNDS = {"slam": _door_slam, "creak": _door_creak}  # any other verb (knock, none) knocks


def _door(rng, ev, tm: Timing, out: np.ndarray) -> None:
    DOOR_SOUNDS.get(ev.verb, _door_knock)(rng, ev, tm, out)


Recipe = Callable[[np.random.Generator, object, Timing, np.ndarray], None]


@dataclass(frozen=True)
class Sound:
    level_db: float  # the event's base level; world.render adds +-3 dB and the loudness modifiers
    recipe: Recipe


SOUNDS: dict[str, Sound] = {
    "dog": Sound(-14, _dog), "bird": Sound(-20, _bird), "siren": Sound(-20, _siren), "rain": Sound(-24, _rain),
    "wind": Sound(-20, _wind), "engine": Sound(-20, _engine), "bell": Sound(-20, _bell), "clock": Sound(-20, _clock),
    "footsteps": Sound(-18, _footsteps), "clapping": Sound(-22, _clapping), "thunder": Sound(-16, _thunder),
    "water": Sound(-22, _water), "phone": Sound(-22, _phone), "door": Sound(-16, _door),
}


def synth_event(rng, ev) -> np.ndarray:
    """One event (a world.EventSpec: label, verb, mods, start, end) alone in a clip-long buffer."""
    out = np.zeros(CLIP_LEN)
    SOUNDS[ev.label].recipe(rng, ev, Timing.of(ev), out)
    return out
