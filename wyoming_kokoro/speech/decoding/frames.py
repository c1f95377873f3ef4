"""What the front says about a piece before any of it is decoded: how many frames
it has, where its speech begins, and where a window may end without cutting a word.

The front aligns each token to whole frames: the aligned features repeat one column
per frame of a token, so a new column is a new token. Its energy (the `noise`
input, two values a frame) says where the piece is quiet.
"""

from dataclasses import dataclass

import numpy as np

from ...core.audio import SAMPLE_RATE

SAMPLES_PER_FRAME = 600
"""Kokoro's decoder makes 600 samples of audio for each aligned frame."""
SECONDS_PER_FRAME = SAMPLES_PER_FRAME / SAMPLE_RATE

_GAPS = frozenset(' .,!?;:—…"«»“”()¡¿')
"""Tokens between words: spaces and punctuation (a pause)."""

_ONSET = 16
"""Where the speech begins when the tokens cannot be told apart: the model makes
about 0.4 s of silence first."""

_QUIET = 1.0
"""Energy below which a frame is a pause (the front's energy is about 8 in a vowel,
below 0 where the audio is 60 dB under it)."""


@dataclass(frozen=True)
class Cut:
    frame: int
    """The frame boundary where a window may end."""
    quiet: bool
    """In a pause: nothing is heard on either side of it."""


@dataclass(frozen=True)
class Timeline:
    frames: int
    tokens: str
    """The phonemes the model read, one character a token."""
    starts: tuple[int, ...]
    """The first frame of each token, the pads around them included; empty where
    the tokens could not be told apart."""
    onset: int
    """The frame where the speech begins: the model's silence before it is trimmed."""
    cuts: tuple[Cut, ...]
    """Where windows may end: one in each gap between words, its quietest boundary,
    in order. Empty where the tokens could not be told apart."""

    @classmethod
    def of(cls, tokens: str, features: np.ndarray, energy: np.ndarray) -> "Timeline":
        """`tokens`: the phonemes the model read, one character a token; `features`:
        the aligned features [1, channels, frames]; `energy`: the front's [1, 2 frames]."""
        frames = features.shape[2]
        columns = features[0]
        starts = np.flatnonzero(np.any(columns[:, 1:] != columns[:, :-1], axis=0)) + 1
        bounds = [0, *starts.tolist(), frames]
        # The pads around the tokens are tokens too.
        if len(bounds) != len(tokens) + 3:
            return cls(frames, tokens, (), min(_ONSET, frames), ())
        level = energy[0, : 2 * frames].reshape(frames, 2).max(axis=1)
        onset, last = bounds[1], len(tokens)
        cuts, i = [], 1
        while i <= last:
            if tokens[i - 1] not in _GAPS:
                i += 1
                continue
            first = i
            while i <= last and tokens[i - 1] in _GAPS:
                i += 1
            # Not before the first word nor after the last: the model's silence.
            if first > 1 and i <= last:
                cuts.append(_quietest(level, *_widened(level, bounds[first], bounds[i], onset)))
        return cls(frames, tokens, tuple(bounds[:-1]), onset, tuple(cuts))

    def best_cut(self, low: int, high: int) -> int | None:
        """The best place to end a window in [low, high]: the last pause, unless a gap
        between words lies well beyond it; None where no gap is in reach."""
        within = [cut for cut in self.cuts if low <= cut.frame <= high]
        if not within:
            return None
        last = within[-1]
        pauses = [cut for cut in within if cut.quiet]
        if pauses and pauses[-1].frame >= (low + high) / 2:
            return pauses[-1].frame
        return last.frame

    def around(self, frame: int, width: int = 8) -> str:
        """The phonemes on either side of a frame boundary: `ðə θˈɜɹ|məst` between two
        tokens, `ðə θˈɜɹm~əst` inside one (`m`)."""
        if not self.starts or frame >= self.frames:
            return "the end"
        holder = int(np.searchsorted(self.starts, frame, side="right")) - 1
        at = max(0, holder - 1)  # its place in the tokens: the leading pad is not one
        if self.starts[holder] == frame:
            return f"{self.tokens[max(0, at - width) : at]}|{self.tokens[at : at + width]}"
        return f"{self.tokens[max(0, at - width) : at + 1]}~{self.tokens[at + 1 : at + width]}"


def _quietest(level: np.ndarray, start: int, end: int) -> Cut:
    """The quietest frame boundary of a gap [start, end], by the louder frame on
    either side of it (later wins ties: a larger window)."""
    frames = len(level)

    def loudness(boundary: int) -> float:
        return float(max(level[max(0, boundary - 1)], level[min(frames - 1, boundary)]))

    best = min(range(start, end + 1), key=lambda b: (loudness(b), -b))
    return Cut(best, loudness(best) < _QUIET)


def _widened(level: np.ndarray, start: int, end: int, onset: int) -> tuple[int, int]:
    """A gap [start, end] with the quiet frames around it: a word's last sound often
    fades into the pause, and its next may begin with a closure."""
    while start - 1 > onset and level[start - 1] < _QUIET:
        start -= 1
    while end < len(level) and level[end] < _QUIET:
        end += 1
    return start, end
