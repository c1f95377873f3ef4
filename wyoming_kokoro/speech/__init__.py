"""Text to audio: normalizing, sentences, G2P with the user's lexicon, voices, the
ONNX engine, the listener's clock and the scheduler that shares the model, and
the synthesizer that knows the order of the steps. Knows nothing of Wyoming or HTTP.

May import `core` and `files`.
"""
