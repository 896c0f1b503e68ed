"""The synthesised sound world (docs/sound-world.md): events, caption grammar, clips with ground truth.

Everything is drawn from a numpy Generator seeded per clip, so clip i of a split is the same on
every machine. Captions are built word by word, so the words that name each event are known.
How each event sounds is event_sounds.py's table of recipes; here they are levelled and mixed.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from agx_build.lib.event_sounds import CLIP_LEN, CLIP_SEC, SOUNDS, lowpass, reverb, synth_event

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


# ---------------------------------------------------------------- rendering

def render(rng, clip: Clip) -> None:
    """Synthesise clip.audio and per-event frame activity (25 frames/s) from its EventSpecs."""
    mix = np.zeros(CLIP_LEN)
    frames = int(CLIP_SEC * 25)
    activity = np.zeros((len(LABELS), frames), dtype=np.float32)
    for ev in clip.events:
        sig = synth_event(rng, ev)
        sig = sig / (np.sqrt(np.mean(sig[sig != 0] ** 2)) + 1e-9) if np.any(sig) else sig
        level = SOUNDS[ev.label].level_db + float(rng.uniform(-3, 3))
        if "loud" in ev.mods:
            level += 8
        if "quiet" in ev.mods:
            level -= 10
        if "close" in ev.mods:
            level += 4
        if "distant" in ev.mods:
            level -= 6
            sig = reverb(rng, lowpass(sig, 1500.0))
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
