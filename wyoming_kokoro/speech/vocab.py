"""Kokoro's phoneme vocabulary: the symbols the model can say."""

import json
from functools import cache
from importlib import resources


@cache
def load_vocab() -> dict[str, int]:
    """Kokoro v1.0's phoneme vocabulary, the same for every export of the model."""
    text = (resources.files(__package__) / "data" / "vocab.json").read_text("utf-8")
    vocab: dict[str, int] = json.loads(text)["vocab"]
    return vocab


def unknown_symbols(phonemes: str) -> list[str]:
    """The symbols of `phonemes` the model has no token for, each once, in order: the
    model would skip them without a word."""
    vocab = load_vocab()
    return list(dict.fromkeys(c for c in phonemes if c not in vocab))
