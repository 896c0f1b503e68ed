"""The build stages, in build_all's order: fit_codec, corpus, train_classifier, train_lm, export, evaluate, model_card."""
