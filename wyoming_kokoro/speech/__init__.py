"""Text to audio: normalizing, sentences, G2P with the user's lexicon, voices, the
ONNX engine, window-by-window decoding for the listeners (decoding/), and the
synthesizer that knows the order of the steps. Knows nothing of Wyoming or HTTP.

May import `core` and `files`.
"""
