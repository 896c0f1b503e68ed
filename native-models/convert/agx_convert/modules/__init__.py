"""The converter's own PyTorch modules (audiocraft's LM, transformers' T5 encoder, audiocraft's EnCodec), for export."""
