"""What a piece's windows become: their silent edges cut exactly as if the piece
were decoded whole, its pause added, and 16-bit PCM.

Kokoro pads each run with silence of varying length; trimming it and adding a
pause by punctuation keeps the rhythm the same wherever a text was cut.
"""

import numpy as np

from ...core.audio import SAMPLE_RATE, SILENCE_LEVEL

EDGE_SECONDS = 0.02
"""Kept around the voiced part of a piece, faded to zero, so that cut edges never click."""


def trim(audio: np.ndarray, start: bool = True, end: bool = True) -> np.ndarray:
    """Audio with its silent start and/or end cut away, a little kept and faded.
    Audio that is all silence trims to nothing."""
    if not (start or end):
        return audio  # a pause inside a piece is part of its rhythm
    voiced = np.flatnonzero(np.abs(audio) > SILENCE_LEVEL)
    if len(voiced) == 0 and start:
        return np.zeros(0, dtype=np.float32)
    # All silence with only its end cut follows speech sent before it: the little
    # kept after that speech is here, to fade out.
    last_voiced = voiced[-1] if len(voiced) else -1
    edge = int(EDGE_SECONDS * SAMPLE_RATE)
    first = max(0, voiced[0] - edge) if start else 0
    last = min(len(audio), last_voiced + 1 + edge) if end else len(audio)
    piece = audio[first:last].astype(np.float32, copy=True)
    fade = min(edge, len(piece) // 2)
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    if start:
        piece[:fade] *= ramp
    if end:
        piece[len(piece) - fade :] *= ramp[::-1]
    return piece


class PieceEdges:
    """A piece's silent edges cut window by window exactly as `trim` cuts the whole
    piece, wherever the decoder's windows fall (which follows the machine's speed).

    Silence at the end of a window is held back until the next window shows whether
    speech follows it (the piece's start, or a pause: sent with that speech) or not
    (the piece's end: cut).
    """

    def __init__(self) -> None:
        self.started = False
        """Whether any of the piece was sent: its leading silence is behind."""
        self._held = np.zeros(0, dtype=np.float32)

    def cut(self, window: np.ndarray, last: bool) -> np.ndarray:
        """What of `window`, and of the silence held before it, to send now."""
        audio = np.concatenate([self._held, window])
        if last:
            self._held = audio[:0]
            sent = trim(audio, start=not self.started, end=True)
            self.started = self.started or len(sent) > 0
            return sent
        voiced = np.flatnonzero(np.abs(audio) > SILENCE_LEVEL)
        if len(voiced) == 0:
            # Before the speech only the little that `trim` keeps can be sent.
            self._held = audio if self.started else audio[-int(EDGE_SECONDS * SAMPLE_RATE) :]
            return audio[:0]
        sent = trim(audio[: voiced[-1] + 1], start=not self.started, end=False)
        self._held = audio[voiced[-1] + 1 :]
        self.started = True
        return sent


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def to_pcm(audio: np.ndarray) -> bytes:
    """float32 in [-1, 1] to little-endian 16-bit PCM, clipping what is outside."""
    return (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
