"""Timelines made up for the plan's tests: a piece of so many frames with a gap
between words every so often, no model needed."""

from wyoming_kokoro.speech.decoding.frames import Cut, Timeline


def timeline(frames: int, onset: int = 16, word: int = 12, pause_every: int = 0) -> Timeline:
    """`frames` frames, speech from `onset` on, a gap after every `word` frames of it
    (every `pause_every`-th of them quiet) but in the last 20 frames (the model's
    silence after the last word)."""
    gaps = range(onset + word, frames - 20, word)
    cuts = tuple(
        Cut(frame, quiet=bool(pause_every) and n % pause_every == pause_every - 1)
        for n, frame in enumerate(gaps)
    )
    return Timeline(frames, "", (), min(onset, frames), cuts)
