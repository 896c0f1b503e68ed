"""agx_convert: turns released AudioGen / MusicGen files into an AudioGenX Studio bundle.

    cd native-models/convert && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m agx_convert SRC... --out DIR

Front half (reading, checking, normalising; docs/convert.md has the user's side):
- formats/: detection and readers of each release format (audiocraft dicts, HF MusicGen folder, HF
  EnCodec folder, HF T5 folder), all yielding audiocraft-named fp32 tensors;
- config.py: xp.cfg (YAML with `${...}` left unresolved) and HF config.json -> the plain configs below;
- spec.py: every tensor name and shape a config implies, and a readable diff against a checkpoint;
- safetensors.py: our own safetensors reader/writer (Debian has no python3-safetensors);
- meta.py: the full-size name/shape check on torch's meta device against the published parameter counts;
- fixtures.py: tiny random-weight checkpoints in each release format, for the tests.
Back half (modules/, export.py): the ONNX bundle.
Beside them, judge.py converts a released AudioSet classifier (PANNs CNN14) into a judge bundle for the
faithfulness protocol (`python3 -m agx_convert judge CKPT --labels CSV --out DIR`; docs/convert.md).

What the front half hands to `export.export_bundle(lm_state, lm_cfg, t5_dir, codec_state, codec_cfg,
out_dir, progress)`:
- lm_state: {audiocraft LM name: fp32 CPU tensor}, exactly the names spec.lm_spec(lm_cfg) lists
  (emb.{k}.weight, transformer.layers.{i}.self_attn.in_proj_weight, ..., linears.{k}.weight,
  condition_provider.conditioners.description.output_proj.{weight,bias});
- lm_cfg: the dict config.lm_config returns (dim, num_heads, num_layers, ffn_dim, n_q, card, text_dim,
  t5_name, delays, cfg_coef, max_period, norm_eps, generation defaults, family, sources, licence);
- t5_dir: a folder holding config.json, tokenizer.json and the T5 weights (model.safetensors, sharded
  safetensors or pytorch_model.bin), checked by formats.t5.check_t5_folder;
- codec_state: {audiocraft compression name: fp32 tensor} (encoder.model.{i}..., decoder.model.{i}...,
  quantizer.vq.layers.{q}._codebook.embed, ...), weight-norm kept as weight_g / weight_v (folded by the
  module), exactly the names spec.codec_spec(codec_cfg) lists;
- codec_cfg: the dict config.codec_config returns (sample_rate, channels, dimension, n_filters, ratios,
  n_residual_layers, lstm, pad_mode, causal, true_skip, compress, kernel sizes, n_q, bins, frame_rate, ...);
- progress(message: str, fraction: float | None) writes one line on stderr.
"""
from __future__ import annotations

VERSION = "0.2.0"
LICENCE = "CC-BY-NC-4.0"
