"""Models and the sound world: audio front end, codec, LM, classifier, explainer, world, bundle I/O."""
