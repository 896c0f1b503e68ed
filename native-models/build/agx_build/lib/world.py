"""The synthesised sound world of SOUND_WORLD.md: events, caption grammar, clips with ground truth.

Everything is drawn from a numpy Generator seeded per clip, so clip i of a split is the same on
every machine. Captions are built word by word, so the words that name each event are known.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import scipy.fft as sfft
from scipy.signal import fftconvolve

SR = 16000
CLIP_SEC = 5.0
CLIP_LEN = int(SR * CLIP_SEC)

# event -> (nouns, {verb: forms}, plural nouns). Verb forms: 3rd person, base, -ing, past.
EVENTS: dict[str, dict] = {
    "dog": dict(nouns=["dog", "puppy"], verbs={"bark": ["barks", "bark", "barking", "barked"],
                                               "yelp": ["yelps", "yelp", "yelping", "yelped"]}),
    "bird": dict(nouns=["bird", "birds"], verbs={"chirp": ["chirps", "chirp", "chirping", "chirped"],
                                                 "sing": ["sings", "sing", "singing", "sang"],
                                                 "tweet": ["tweets", "tweet", "tweeting", "tweeted"]}),
    "siren": dict(nouns=["siren", "ambulance"], verbs={"wail": ["wails", "wail", "wailing", "wailed"]}),
    "rain": dict(nouns=["rain"], verbs={"fall": ["falls", "fall", "falling", "fell"],
                                        "pour": ["pours", "pour", "pouring", "poured"],
                                        "patter": ["patters", "patter", "pattering", "pattered"]}),
    "wind": dict(nouns=["wind"], verbs={"blow": ["blows", "blow", "blowing", "blew"],
                                        "howl": ["howls", "howl", "howling", "howled"],
                                        "gust": ["gusts", "gust", "gusting", "gusted"]}),
    "engine": dict(nouns=["engine", "car", "truck"],
                   verbs={"idle": ["idles", "idle", "idling", "idled"],
                          "rev": ["revs", "rev", "revving", "revved"],
                          "accelerate": ["accelerates", "accelerate", "accelerating", "accelerated"],
                          "drive": ["drives", "drive", "driving", "drove"]}),
    "bell": dict(nouns=["bell", "church bell"], verbs={"ring": ["rings", "ring", "ringing", "rang"],
                                                       "chime": ["chimes", "chime", "chiming", "chimed"],
                                                       "toll": ["tolls", "toll", "tolling", "tolled"]}),
    "clock": dict(nouns=["clock"], verbs={"tick": ["ticks", "tick", "ticking", "ticked"],
                                          "tock": ["tocks", "tock", "tocking", "tocked"]}),
    "footsteps": dict(nouns=["footsteps", "person", "man", "woman"],
                      verbs={"walk": ["walks", "walk", "walking", "walked"],
                             "step": ["steps", "step", "stepping", "stepped"],
                             "run": ["runs", "run", "running", "ran"]}),
    "clapping": dict(nouns=["crowd", "audience", "people"],
                     verbs={"clap": ["claps", "clap", "clapping", "clapped"],
                            "applaud": ["applauds", "applaud", "applauding", "applauded"],
                            "cheer": ["cheers", "cheer", "cheering", "cheered"]}),
    "thunder": dict(nouns=["thunder", "storm"], verbs={"rumble": ["rumbles", "rumble", "rumbling", "rumbled"],
                                                       "crack": ["cracks", "crack", "cracking", "cracked"]}),
    "water": dict(nouns=["water", "stream", "river"],
                  verbs={"flow": ["flows", "flow", "flowing", "flowed"],
                         "trickle": ["trickles", "trickle", "trickling", "trickled"],
                         "splash": ["splashes", "splash", "splashing", "splashed"]}),
    "phone": dict(nouns=["phone", "telephone"], verbs={"ring": ["rings", "ring", "ringing", "rang"],
                                                       "buzz": ["buzzes", "buzz", "buzzing", "buzzed"]}),
    "door": dict(nouns=["door", "someone"], verbs={"knock": ["knocks", "knock", "knocking", "knocked"],
                                                   "slam": ["slams", "slam", "slamming", "slammed"],
                                                   "creak": ["creaks", "creak", "creaking", "creaked"]}),
}
LABELS = list(EVENTS)
PLURAL_NOUNS = {"birds", "footsteps", "people"}
# "someone knocks": the noun names who acts, the door sounds; a door does not "knock" itself.
NOUN_VERBS = {"someone": {"knock", "slam"}}

ADJECTIVES = {"loud": "loud", "quiet": "quiet", "soft": "quiet", "distant": "distant", "close": "close"}
ADVERBS = {"loudly": "loud", "quietly": "quiet", "softly": "quiet", "in the distance": "distant",
           "fast": "fast", "slow": "slow", "slowly": "slow", "repeatedly": "repeatedly", "briefly": "briefly"}
FILLERS = ["in the background", "nearby"]
OVERLAP_CONNECTORS = ["and", "while", "as", "with"]
SEQUENCE_CONNECTORS = ["then", "followed by", "after"]


def vocabulary() -> list[str]:
    """Every word the grammar can produce, in a fixed order."""
    words: list[str] = []
    for ev in EVENTS.values():
        for n in ev["nouns"]:
            words += n.split()
        for forms in ev["verbs"].values():
            words += forms
    for phrase in list(ADJECTIVES) + list(ADVERBS) + FILLERS + OVERLAP_CONNECTORS + SEQUENCE_CONNECTORS:
        words += phrase.split()
    words += ["a", "an", "the", "some", "without", "no", ","]
    seen: dict[str, None] = {}
    for w in words:
        seen.setdefault(w, None)
    return list(seen)


@dataclass
class EventSpec:
    label: str
    verb: str | None
    mods: set[str] = field(default_factory=set)
    word_idx: list[int] = field(default_factory=list)  # caption word positions that name this event
    start: float = 0.0
    end: float = CLIP_SEC
    level_db: float = 0.0


@dataclass
class Clip:
    caption: str
    words: list[str]
    events: list[EventSpec]
    negated: list[str]
    audio: np.ndarray | None = None
    activity: np.ndarray | None = None  # [n_labels, frames at 25/s]


# ---------------------------------------------------------------- captions

def _article(rng, noun: str, adjective: str | None) -> list[str]:
    if noun in PLURAL_NOUNS or noun in ("rain", "wind", "thunder", "water", "someone"):
        return [] if noun == "someone" else [[], [], ["the"], ["some"]][int(rng.integers(4))]
    first = adjective or noun
    return [str(rng.choice(["an" if first[0] in "aeiou" else "a", "the"]))]


class CaptionBuilder:
    def __init__(self) -> None:
        self.words: list[str] = []

    def add(self, phrase: str, ev: EventSpec | None = None) -> None:
        for w in phrase.split():
            if ev is not None:
                ev.word_idx.append(len(self.words))
            self.words.append(w)


def _pick_verb(rng, label: str, noun: str) -> str:
    verbs = list(EVENTS[label]["verbs"])
    allowed = NOUN_VERBS.get(noun)
    if allowed:
        verbs = [v for v in verbs if v in allowed]
    return str(rng.choice(verbs))


def _subject(cb: CaptionBuilder, rng, ev: EventSpec, p_adjective: float) -> str:
    """[article] [adjective] noun for the event; returns the noun."""
    noun = str(rng.choice(EVENTS[ev.label]["nouns"]))
    adjective = None
    if rng.random() < p_adjective and noun != "someone":
        adjective = str(rng.choice(list(ADJECTIVES)))
        ev.mods.add(ADJECTIVES[adjective])
    for w in _article(rng, noun, adjective):
        cb.add(w)
    if adjective:
        cb.add(adjective, ev)
    cb.add(noun, ev)
    return noun


def _noun_phrase(cb: CaptionBuilder, rng, ev: EventSpec, with_participle: bool) -> None:
    noun = _subject(cb, rng, ev, 0.25)
    if with_participle:
        ev.verb = _pick_verb(rng, ev.label, noun)
        cb.add(EVENTS[ev.label]["verbs"][ev.verb][2], ev)
    else:
        ev.verb = None


def _clause(cb: CaptionBuilder, rng, ev: EventSpec) -> None:
    noun = _subject(cb, rng, ev, 0.2)
    ev.verb = _pick_verb(rng, ev.label, noun)
    forms = EVENTS[ev.label]["verbs"][ev.verb]
    r = rng.random()
    form = forms[3] if r < 0.12 else (forms[1] if noun in PLURAL_NOUNS else forms[0])
    cb.add(form, ev)
    if rng.random() < 0.3:
        adverb = str(rng.choice(list(ADVERBS)))
        if ADVERBS[adverb] not in ev.mods and not ({"loud", "quiet"} & ev.mods and ADVERBS[adverb] in ("loud", "quiet")):
            ev.mods.add(ADVERBS[adverb])
            cb.add(adverb, ev)


def make_caption(rng, labels: list[str], sequential: bool, negated: str | None) -> Clip:
    """One caption naming `labels` (1-3 events); sequential puts them one after another in time."""
    evs = [EventSpec(label=l, verb=None) for l in labels]
    cb = CaptionBuilder()
    order = list(range(len(evs)))  # temporal order of evs
    if len(evs) == 1:
        _clause(cb, rng, evs[0])
    elif len(evs) == 2 and not sequential:
        conn = str(rng.choice(OVERLAP_CONNECTORS))
        _clause(cb, rng, evs[0])
        cb.add(conn)
        if conn == "with":
            _noun_phrase(cb, rng, evs[1], with_participle=rng.random() < 0.4)
        else:
            _clause(cb, rng, evs[1])
    elif len(evs) == 2:
        conn = str(rng.choice(SEQUENCE_CONNECTORS))
        _clause(cb, rng, evs[0])
        cb.add(conn)
        if conn == "followed by":
            _noun_phrase(cb, rng, evs[1], with_participle=rng.random() < 0.4)
        else:
            _clause(cb, rng, evs[1])
        if conn == "after":  # "A after B": B happens first
            order = [1, 0]
    else:  # three events: two overlapping, then a third
        _clause(cb, rng, evs[0])
        cb.add(str(rng.choice(["and", "while"])))
        _clause(cb, rng, evs[1])
        if sequential:
            conn = str(rng.choice(["then", "followed by"]))
            cb.add(conn)
            if conn == "followed by":
                _noun_phrase(cb, rng, evs[2], with_participle=rng.random() < 0.4)
            else:
                _clause(cb, rng, evs[2])
        else:
            cb.add(str(rng.choice(["and", "with"])))
            _noun_phrase(cb, rng, evs[2], with_participle=rng.random() < 0.4)
    if negated is not None:
        cb.add(str(rng.choice(["without", "with no", "and no"])))
        noun = str(rng.choice(EVENTS[negated]["nouns"]))
        if rng.random() < 0.3 and noun not in PLURAL_NOUNS and noun not in ("rain", "wind", "thunder", "water", "someone"):
            cb.add("a")
        cb.add(noun)
    elif len(evs) <= 2 and rng.random() < 0.1:
        cb.add(str(rng.choice(FILLERS)))
    _assign_times(rng, evs, order, sequential)
    return Clip(caption=" ".join(cb.words), words=cb.words, events=evs, negated=[negated] if negated else [])


def _assign_times(rng, evs: list[EventSpec], order: list[int], sequential: bool) -> None:
    if len(evs) == 1 or not sequential:
        for ev in evs:
            ev.start = float(rng.uniform(0.0, 0.6))
            ev.end = float(rng.uniform(4.2, CLIP_SEC))
    else:
        split = float(rng.uniform(2.2, 2.8))
        first = [order[0]] if len(evs) == 2 else [0, 1]
        for i, ev in enumerate(evs):
            if i in first:
                ev.start, ev.end = float(rng.uniform(0.0, 0.4)), split - float(rng.uniform(0.1, 0.3))
            else:
                ev.start, ev.end = split + float(rng.uniform(0.0, 0.2)), float(rng.uniform(4.5, CLIP_SEC))
    for ev in evs:
        if "briefly" in ev.mods:
            ev.end = min(ev.end, ev.start + float(rng.uniform(0.5, 1.0)))


# ---------------------------------------------------------------- synthesis

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


def _rate(ev: EventSpec) -> float:
    return 1.6 if "fast" in ev.mods else (0.6 if "slow" in ev.mods else 1.0)


def synth_event(rng, ev: EventSpec) -> np.ndarray:
    out = np.zeros(CLIP_LEN)
    s, e = ev.start, ev.end
    dur = e - s
    r = _rate(ev)
    dense = 1.5 if "repeatedly" in ev.mods else 1.0
    L = ev.label
    if L == "dog":
        yelp = ev.verb == "yelp"
        t = s
        while t < e - 0.1:
            n_burst = int(rng.integers(1, 4))
            for _ in range(n_burst):
                d = float(rng.uniform(0.08, 0.12) if yelp else rng.uniform(0.12, 0.22))
                f0 = float(rng.uniform(900, 1300) if yelp else rng.uniform(380, 650))
                tt = _t(int(d * SR))
                f = f0 * (1 + 0.25 * np.sin(np.pi * tt / d)) * (1.3 - 0.5 * tt / d if yelp else 1.0)
                ph = 2 * np.pi * np.cumsum(f) / SR
                formant = float(rng.uniform(1000, 1800))
                sig = sum(np.exp(-((h * f0 - formant) / 900.0) ** 2) * np.sin(h * ph) / h ** 0.3 for h in range(1, 9))
                sig = sig + 0.15 * rng.standard_normal(len(tt))
                env = np.minimum(1, tt / 0.01) * np.exp(-tt / (d * 0.45))
                _place(out, sig * env, t)
                t += d + float(rng.uniform(0.08, 0.18)) / r
            t += float(rng.uniform(0.3, 0.8)) / (r * dense)
    elif L == "bird":
        t = s
        song = ev.verb == "sing"
        while t < e - 0.05:
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
                gap += float(rng.uniform(0.2, 0.5)) / dense
            t += d + gap / r
    elif L == "siren":
        tt = _t(int(dur * SR))
        period = float(rng.uniform(2.0, 3.5)) / r
        lo, hi = float(rng.uniform(550, 700)), float(rng.uniform(1200, 1500))
        f = lo + (hi - lo) * 0.5 * (1 - np.cos(2 * np.pi * tt / period + rng.uniform(0, 6.28)))
        ph = 2 * np.pi * np.cumsum(f) / SR
        sig = np.sin(ph) + 0.3 * np.sin(2 * ph) + 0.15 * np.sin(3 * ph)
        env = np.minimum(1, tt / 0.15) * np.minimum(1, (dur - tt) / 0.15)
        _place(out, sig * env, s)
    elif L == "rain":
        n = int(dur * SR)
        heavy = {"pour": 1.6, "patter": 0.6}.get(ev.verb or "", 1.0)
        sig = 0.6 * heavy * _bandnoise(rng, n, 400, 8000, tilt=-0.3)
        drops = np.zeros(n)
        k = int(dur * float(rng.uniform(30, 60)) * heavy)
        drops[rng.integers(0, n, k)] = rng.uniform(0.5, 2.0, k)
        drop_ir = np.sin(2 * np.pi * float(rng.uniform(2500, 4000)) * _t(80)) * np.exp(-_t(80) / 0.0015)
        sig = sig + fftconvolve(drops, drop_ir)[:n] * 2.0
        tt = _t(n)
        _place(out, sig * np.minimum(1, tt / 0.2) * np.minimum(1, (dur - tt) / 0.2), s)
    elif L == "wind":
        n = int(dur * SR)
        tt = _t(n)
        gust = ev.verb == "gust"
        sig = _bandnoise(rng, n, 40, 600, tilt=-0.5)
        lfo = 0.55 + 0.45 * np.sin(2 * np.pi * float(rng.uniform(0.2, 0.5)) * r * tt + rng.uniform(0, 6.28))
        if gust:
            lfo = lfo ** 3
        if ev.verb == "howl":
            fc = float(rng.uniform(350, 600)) * (1 + 0.2 * np.sin(2 * np.pi * 0.3 * tt))
            sig = sig + 0.5 * np.sin(2 * np.pi * np.cumsum(fc) / SR)
        _place(out, sig * lfo * np.minimum(1, tt / 0.3) * np.minimum(1, (dur - tt) / 0.3), s)
    elif L == "engine":
        n = int(dur * SR)
        tt = _t(n)
        f0 = float(rng.uniform(35, 60))
        if ev.verb in ("rev", "accelerate"):
            rise = float(rng.uniform(1.8, 2.6))
            prog = (tt / dur) if ev.verb == "accelerate" else np.clip(np.sin(np.pi * tt / min(dur, 2.0 / r)) ** 2, 0, 1)
            f = f0 * (1 + (rise - 1) * prog)
        elif ev.verb == "drive":
            f = f0 * (1.3 + 0.3 * np.sin(2 * np.pi * 0.25 * tt))
        else:
            f = f0 * (1 + 0.02 * np.sin(2 * np.pi * 3 * tt))
        ph = 2 * np.pi * np.cumsum(f) / SR
        sig = sum(np.sin(h * ph + rng.uniform(0, 6.28)) / h ** 0.7 for h in range(1, 16))
        sig = sig * (1 + 0.3 * np.sin(ph * 0.5)) + 0.3 * _bandnoise(rng, n, 50, 1200)
        _place(out, sig * np.minimum(1, tt / 0.2) * np.minimum(1, (dur - tt) / 0.2), s)
    elif L == "bell":
        church = "church" in ev.mods
        base = float(rng.uniform(200, 320) if church else rng.uniform(400, 800))
        decay = float(rng.uniform(1.5, 2.5) if church else rng.uniform(0.8, 1.5))
        ratios = [0.5, 1.0, 1.19, 1.56, 2.0, 2.51, 2.66, 3.01]
        period = (float(rng.uniform(1.2, 2.0)) if ev.verb == "toll" else float(rng.uniform(0.5, 1.2))) / (r * dense)
        for t0 in _train_times(rng, s, e - 0.2, period, 0.05):
            d = min(decay * 2, CLIP_SEC - t0)
            tt = _t(int(d * SR))
            sig = sum(np.sin(2 * np.pi * base * q * tt) * np.exp(-tt * q / decay) / (1 + 0.3 * i)
                      for i, q in enumerate(ratios))
            _place(out, sig * np.minimum(1, tt / 0.003), t0)
    elif L == "clock":
        period = float(rng.uniform(0.45, 0.55)) / r
        f_tick = float(rng.uniform(2500, 3500))
        for i, t0 in enumerate(_train_times(rng, s, e, period, 0.01)):
            f = f_tick if (i % 2 == 0 or ev.verb != "tock") else f_tick * 0.7
            tt = _t(240)
            _place(out, 3.0 * np.sin(2 * np.pi * f * tt) * np.exp(-tt / 0.002), t0)
    elif L == "footsteps":
        run = ev.verb == "run"
        period = (float(rng.uniform(0.25, 0.32)) if run else float(rng.uniform(0.45, 0.6))) / r
        for t0 in _train_times(rng, s, e, period, 0.06):
            tt = _t(2400)
            thump = _bandnoise(rng, 2400, 60, 350) * np.exp(-tt / 0.03)
            click = _bandnoise(rng, 2400, 1500, 5000) * np.exp(-tt / 0.004) * 0.3
            _place(out, 1.8 * (thump + click), t0)
    elif L == "clapping":
        n = int(dur * SR)
        tt = _t(n)
        rate = float(rng.uniform(15, 35)) * r * dense
        k = int(dur * rate)
        claps = np.zeros(n)
        claps[rng.integers(0, n, k)] = rng.uniform(0.5, 1.5, k)
        clap_ir = _bandnoise(rng, 320, 800, 4000) * np.exp(-_t(320) / 0.004)
        sig = fftconvolve(claps, clap_ir)[:n] * 1.5 + 0.3 * _bandnoise(rng, n, 500, 5000)
        if ev.verb == "cheer":
            vowel = _bandnoise(rng, n, 300, 1200) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.7 * tt))
            sig = sig + 0.8 * vowel
        _place(out, sig * np.minimum(1, tt / 0.1) * np.minimum(1, (dur - tt) / 0.3), s)
    elif L == "thunder":
        n = int(min(dur + 0.5, CLIP_SEC - s) * SR)
        tt = _t(n)
        crack = ev.verb == "crack"
        rumble = _bandnoise(rng, n, 20, 200, tilt=-0.5) * np.exp(-tt / float(rng.uniform(1.2, 2.2)))
        rumble *= np.minimum(1, tt / (0.02 if crack else 0.25))
        onset = _bandnoise(rng, n, 200, 6000) * np.exp(-tt / (0.05 if crack else 0.12)) * (1.5 if crack else 0.6)
        _place(out, 2.0 * rumble + onset, s)
    elif L == "water":
        n = int(dur * SR)
        tt = _t(n)
        sig = 0.4 * _bandnoise(rng, n, 200, 2000)
        k = int(dur * float(rng.uniform(25, 50)) * (1.5 if ev.verb == "splash" else 1.0))
        for t0 in rng.uniform(0, dur - 0.05, k):
            d = float(rng.uniform(0.01, 0.04))
            bt = _t(int(d * SR))
            f = float(rng.uniform(300, 1500)) * (1 + 1.5 * bt / d)
            _place(sig, 0.8 * np.sin(2 * np.pi * np.cumsum(f) / SR) * np.sin(np.pi * bt / d), float(t0))
        if ev.verb == "splash":
            for t0 in _train_times(rng, 0, dur, 0.8, 0.4):
                _place(sig, 2.0 * _bandnoise(rng, 3200, 300, 6000) * np.exp(-_t(3200) / 0.05), t0)
        _place(out, sig * np.minimum(1, tt / 0.1) * np.minimum(1, (dur - tt) / 0.1), s)
    elif L == "phone":
        if ev.verb == "buzz":
            on, off, f1, f2 = 0.5, 0.5, 180.0, 180.0
        else:
            on, off = 0.4, 0.2
            f1, f2 = float(rng.uniform(700, 900)), float(rng.uniform(950, 1150))
        t0 = s
        while t0 < e - 0.1:
            for _ in range(2):
                tt = _t(int(on * SR))
                if ev.verb == "buzz":
                    sig = np.sign(np.sin(2 * np.pi * f1 * tt)) * 0.5
                else:
                    sig = np.sin(2 * np.pi * np.where((tt * 20) % 1 < 0.5, f1, f2) * tt)
                _place(out, sig * np.minimum(1, tt / 0.01) * np.minimum(1, (on - tt) / 0.01), t0)
                t0 += on + off
            t0 += float(rng.uniform(0.8, 1.4)) / (r * dense)
    elif L == "door":
        if ev.verb == "slam":
            tt = _t(8000)
            thump = _bandnoise(rng, 8000, 50, 300) * np.exp(-tt / 0.08)
            crack = _bandnoise(rng, 8000, 300, 6000) * np.exp(-tt / 0.02)
            _place(out, 3.0 * (thump + crack), s + float(rng.uniform(0, max(0.0, dur - 0.6))))
        elif ev.verb == "creak":
            t0 = s
            while t0 < e - 0.5:
                d = float(rng.uniform(0.6, 1.2))
                tt = _t(int(d * SR))
                f = float(rng.uniform(250, 500)) * (1 + 0.3 * np.sin(2 * np.pi * 1.5 * tt)) * (1 + 0.05 * rng.standard_normal(len(tt)))
                ph = 2 * np.pi * np.cumsum(f) / SR
                sig = sum(np.sin(h * ph) / h for h in range(1, 8)) * np.sin(np.pi * tt / d)
                _place(out, sig, t0)
                t0 += d + float(rng.uniform(0.3, 0.8)) / r
        else:
            t0 = s
            while t0 < e - 0.3:
                for _ in range(int(rng.integers(2, 5))):
                    tt = _t(1600)
                    f = float(rng.uniform(150, 350))
                    knock = (np.sin(2 * np.pi * f * tt) + 0.5 * np.sin(2 * np.pi * 2.3 * f * tt)) * np.exp(-tt / 0.015)
                    _place(out, 3.0 * (knock + 0.2 * _bandnoise(rng, 1600, 1000, 4000) * np.exp(-tt / 0.003)), t0)
                    t0 += float(rng.uniform(0.15, 0.25)) / r
                t0 += float(rng.uniform(0.6, 1.2)) / (r * dense)
    return out


BASE_LEVEL_DB = {"dog": -14, "bird": -20, "siren": -20, "rain": -24, "wind": -20, "engine": -20, "bell": -20,
                 "clock": -20, "footsteps": -18, "clapping": -22, "thunder": -16, "water": -22, "phone": -22,
                 "door": -16}


def _reverb(rng, x: np.ndarray) -> np.ndarray:
    n = int(0.6 * SR)
    ir = rng.standard_normal(n) * np.exp(-_t(n) / 0.15)
    ir[0] = 3.0
    y = fftconvolve(x, ir)[: len(x)]
    return y / (np.std(ir) * 6)


def _lowpass(x: np.ndarray, fc: float) -> np.ndarray:
    spec = sfft.rfft(x)  # clips are 80000 samples: a fast FFT length
    f = np.fft.rfftfreq(len(x), 1 / SR)
    return sfft.irfft(spec / np.sqrt(1 + (f / fc) ** 4), len(x))


def render(rng, clip: Clip) -> None:
    """Synthesise clip.audio and per-event frame activity (25 frames/s) from its EventSpecs."""
    mix = np.zeros(CLIP_LEN)
    frames = int(CLIP_SEC * 25)
    activity = np.zeros((len(LABELS), frames), dtype=np.float32)
    for ev in clip.events:
        sig = synth_event(rng, ev)
        sig = sig / (np.sqrt(np.mean(sig[sig != 0] ** 2)) + 1e-9) if np.any(sig) else sig
        level = BASE_LEVEL_DB[ev.label] + float(rng.uniform(-3, 3))
        if "loud" in ev.mods:
            level += 8
        if "quiet" in ev.mods:
            level -= 10
        if "close" in ev.mods:
            level += 4
        if "distant" in ev.mods:
            level -= 6
            sig = _reverb(rng, _lowpass(sig, 1500.0))
        ev.level_db = level
        sig = sig * 10 ** (level / 20)
        fr = np.sqrt(np.mean(sig[: frames * 640].reshape(frames, 640) ** 2, axis=1) + 1e-12)
        active = fr > max(fr.max() * 10 ** (-30 / 20), 10 ** (-60 / 20))
        activity[LABELS.index(ev.label)] = np.maximum(activity[LABELS.index(ev.label)], active)
        nz = np.nonzero(active)[0]
        if len(nz):
            ev.start, ev.end = float(nz[0] / 25), float((nz[-1] + 1) / 25)
        mix += sig
    mix += 10 ** (-70 / 20) * rng.standard_normal(CLIP_LEN)  # a faint noise floor, like a real room
    peak = np.max(np.abs(mix))
    if peak > 0.95:
        mix *= 0.95 / peak
    clip.audio = mix.astype(np.float32)
    clip.activity = activity


# ---------------------------------------------------------------- splits and sampling

def pair_splits(seed: int = 7) -> dict[str, set[frozenset]]:
    """Event pairs held out of training: 'test' and 'validation' pairs never co-occur in train clips."""
    pairs = [frozenset(p) for p in itertools.combinations(LABELS, 2)]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(pairs))
    test = {pairs[i] for i in order[:14]}
    val = {pairs[i] for i in order[14:22]}
    return {"test": test, "validation": val}


def sample_clip(seed: int, split: str, splits: dict[str, set[frozenset]] | None = None) -> Clip:
    """Clip number `seed` of `split` ('train', 'validation' or 'test'), rendered."""
    splits = splits or pair_splits()
    held = splits["test"] | splits["validation"]
    rng = np.random.default_rng([seed, {"train": 0, "validation": 1, "test": 2}[split]])
    while True:
        if split == "train":
            n = int(rng.choice([1, 2, 3], p=[0.3, 0.55, 0.15]))
            labels = [str(x) for x in rng.choice(LABELS, n, replace=False)]
            if any(frozenset(p) in held for p in itertools.combinations(labels, 2)):
                continue
        else:
            pair = sorted(splits[split], key=lambda p: sorted(p))[int(rng.integers(len(splits[split])))]
            labels = [str(x) for x in rng.permutation(sorted(pair))]
        break
    sequential = len(labels) > 1 and rng.random() < 0.35
    negated = None
    if rng.random() < (0.12 if split == "train" else 0.0):
        pool = [l for l in LABELS if l not in labels and not any(
            frozenset((l, x)) in held for x in labels)]
        negated = str(rng.choice(pool))
    clip = make_caption(rng, labels, sequential, negated)
    for ev in clip.events:
        if ev.label == "bell" and any(clip.words[i] == "church" for i in ev.word_idx):
            ev.mods.add("church")
    render(rng, clip)
    return clip
