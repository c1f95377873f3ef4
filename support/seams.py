"""What a listener could hear where two decoder windows meet: the step in loudness
at each seam, against the same piece decoded whole. Shared by the seam tests and
`python -m bench.seams`."""

from dataclasses import dataclass

import numpy as np

from wyoming_kokoro.core.audio import SAMPLE_RATE, SILENCE_LEVEL
from wyoming_kokoro.speech.decoding.frames import SAMPLES_PER_FRAME
from wyoming_kokoro.speech.decoding.output import EDGE_SECONDS, trim
from wyoming_kokoro.speech.decoding.paced import PacedDecoder
from wyoming_kokoro.speech.engine import Front

SPAN = 4800
"""Samples (200 ms: a word or so) on each side of a seam whose loudness is compared."""


@dataclass(frozen=True)
class Seamed:
    audio: np.ndarray
    """The piece as a listener gets it, window by window, edges trimmed."""
    whole: np.ndarray
    """The same piece decoded whole, edges trimmed."""
    seams: list[int]
    """The frames where its windows met."""
    places: list[int]
    """Where they met in `audio` and in `whole`, in samples."""
    steps: list[float]
    """dB, for each seam in speech: how much more the loudness changes across it
    than across the same place decoded whole (a seam in a pause has no step)."""


def decode_for_a_listener(
    paced: PacedDecoder, front: Front, raw: np.ndarray | None = None, gathers: float = 0.0
) -> Seamed:
    """`front` decoded as for a listener who starts at its first audio, or once it has
    `gathers` seconds, and whole (`raw`: its whole decode, where it was made already)."""
    windows = paced.windows(front, paced.listeners.playback(gathers))
    audio = np.concatenate(list(windows))
    if raw is None:
        raw = paced.engine.decode(front, 0, front.frames)
    # Both lose the same silence before the first word (the edge kept aside).
    voiced = np.flatnonzero(np.abs(raw) > SILENCE_LEVEL)
    lead = max(0, int(voiced[0]) - int(EDGE_SECONDS * SAMPLE_RATE)) if len(voiced) else 0
    whole = trim(raw)
    places = [seam * SAMPLES_PER_FRAME - lead for seam in windows.seams]
    steps = [s for at in places if (s := level_step(audio, whole, at)) is not None]
    return Seamed(audio, whole, windows.seams, places, steps)


def level_step(audio: np.ndarray, whole: np.ndarray, at: int) -> float | None:
    """dB: the change in loudness across `at` in `audio` less that in `whole`; None
    where `whole` is silent on either side."""
    if at < SPAN or at + SPAN > min(len(audio), len(whole)):
        return None

    def change(x: np.ndarray) -> float | None:
        before, after = (_loudness(x[a : a + SPAN]) for a in (at - SPAN, at))
        if min(before, after) < SILENCE_LEVEL:
            return None
        return float(20 * np.log10(after / before))

    windowed, decoded_whole = change(audio), change(whole)
    if windowed is None or decoded_whole is None:
        return None
    return windowed - decoded_whole


def _loudness(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
