"""What every layer shares and nothing else: settings as plain data, the error
family with its wire codes, the languages Kokoro speaks, the audio format.

Imports nothing of this package outside `core`, and nothing that loads a model.
"""
