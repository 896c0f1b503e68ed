"""The build's one configuration: where things live and every number of the recipe that a rebuild repeats.

Model shapes (LMConfig, the classifier's channels, the codec's mel front end) stay with their modules in
lib/; what is here is what a person tuning or repeating a build reads and changes.
"""
from __future__ import annotations

from pathlib import Path

# ------------------------------------------------------------------ paths
BUILD = Path(__file__).resolve().parents[1]  # native-models/build
REPO = BUILD.parents[1]
WORK = BUILD / ".work"  # every stage's cached result (git-ignored); build_all --work names another
BUNDLE = BUILD.parent / "tiny-foley"  # the embedded bundle the build writes
REPORTS = BUILD / "reports"  # the build reports the model card is computed from, kept in git
FIXTURES = REPO / "test" / "fixtures"  # parity/, gt/ and prompts/ for the TypeScript tests

# ------------------------------------------------------------------ codec
# The codec's layout: (frequency bands, residual stages per band), every codebook CARD entries, so the
# LM sees K = bands x stages codebooks. The committed bundle (2.0.0) is "bands": the same 32 bits per
# frame as 1.2.0's "residual" (4 stages over all 64 mels), spent on 4 bands of 16 mels, which keeps
# broadband wind under a siren or rain far better (docs/decisions.md, "The band-split codec").
CODEC_LAYOUTS = {"residual": (1, 4), "bands": (4, 1)}
CODEC_LAYOUT = "bands"
CARD = 256
GRIFFIN_LIM_ITERATIONS = 24

# ------------------------------------------------------------------ corpus
SIZES = {"codec_fit": 1500, "train": 40000, "train_mel": 8000, "validation": 600, "test": 1000, "test_audio": 300}

# ------------------------------------------------------------------ classifier (the judge)
# Phases 1-2 are written out in stages/train_classifier.py; phase 3 adds mixtures with quiet events.
CLASSIFIER_PHASE3_CLIPS = 2000
CLASSIFIER_PHASE3_STEPS = 350
CLASSIFIER_PHASE3_POS_WEIGHT = 2.0
CLASSIFIER_PHASE3_SEED = 3 * 10**6
CLASSIFIER_THRESHOLDS = (0.7, 0.6, 0.5, 0.4, 0.3, 0.2)  # candidates, chosen on validation F1

# ------------------------------------------------------------------ LM training
# The committed bundle's LM is trained in phases (stages/train_lm.py), all with fixed step counts so a
# rebuild repeats the recipe: phase 1 from scratch, PHASE1_STEPS of batch 32 (lr 6e-4, cosine; bundle
# 1.0.0 was this alone, 50 minutes here); then each entry of LATER_PHASES continues the previous
# phase's weights (fresh AdamW, new cosine schedule at a lower peak lr): phase 2 gave bundle 1.1.0,
# phase 3 bundles 1.2.0 and, with the band codec, 2.0.0 (100 minutes here). --lm-minutes /
# --lm-last-phase-minutes instead fix a count from the measured rate on a new machine and log it.
# Tried on 1.2.0 and not shipped (docs/decisions.md): phase 3's moving average of the weights
# (LAST_PHASE_EMA), and a phase 4 of 3,597 steps at lr 2e-4.
PHASE1_STEPS = 1394
LATER_PHASES = [(1353, 3e-4), (3514, 2.5e-4)]  # (steps, peak lr) of phases 2, 3
LAST_PHASE_EMA = False  # export the last phase's moving average of the weights instead of its last weights
LM_BATCH = 32
LM_COND_DROPOUT = 0.15  # the caption is replaced by [NULL] this often, so classifier-free guidance works
LM_PHASE1_LR = 6e-4
LM_LATER_WARMUP = 100  # warm-up steps of each later phase
LM_EMA_DECAY = 0.999

# ------------------------------------------------------------------ bundle
BUNDLE_VERSION = "2.3.0"  # 2.0.0's weights; graphs re-exported (tools/reexport.py)
OPSET = 17
# (LM steps, text tokens); 128 steps = 5 s at 25 frames/s + 3 delay steps. Steps every 32 (2.3.0), so an
# explanation costs about its clip's steps (a 1 s clip, 28 steps, no longer pays for 64); the engine draws
# the generators' initial values and noise at the largest bucket's steps, so a clip's explanation does not
# depend on which bucket it runs in (electron/engine/explain/audiogenx.ts).
EXPLAIN_BUCKETS = [(steps, tokens) for tokens in (16, 32) for steps in (32, 64, 96, 128)]
PARITY_BUCKET = (64, 16)  # the parity fixtures' explanation graphs
MAX_DURATION = 5.0

# ------------------------------------------------------------------ generation (the bundle's defaults; evaluate's protocol)
CFG, TOP_K = 3.0, 250
