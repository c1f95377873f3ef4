"""When audio must be ready: the listener's clock, the decoder's measured speed, and
the decoder windows planned from both.

A listener's player starts at the first audio and plays in real time; audio that
comes later than it is needed is a gap in the room. So each decoder window is
sized to be decoded before the audio already sent runs out: the first window of
an answer is the smallest from which every later window can keep ahead, within a
cost budget (every window decodes context frames that are thrown away), and
later windows grow with the lead. No ONNX here: the engine runs what this plans.
"""

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..core.settings import Windows

SECONDS_PER_FRAME = 0.025
"""One aligned frame is 600 samples at 24 kHz."""

_GAIN = 1.25
"""How much faster than it costs a window must make audio (see next_window)."""


@dataclass(eq=False)  # one player is one player, whatever it holds
class Playback:
    """A real-time player that starts at an answer's first audio: when it runs dry.

    One per answer, or per stream of sentences (Home Assistant plays a streamed
    answer's sentences as one): a sentence arriving while earlier audio plays is
    due when that audio ends.
    """

    created: float = field(default_factory=time.perf_counter)
    started: float | None = None
    """When the player started, as if it had never stalled; None: no audio yet."""
    seconds: float = 0.0
    """Audio handed to the player so far."""

    @property
    def due(self) -> float:
        """When more audio is needed: at once for an answer not yet begun."""
        return self.created if self.started is None else self.started + self.seconds

    def lead(self, now: float) -> float:
        """Seconds of audio still to play; 0 before the first audio."""
        return 0.0 if self.started is None else max(0.0, self.due - now)

    def sent(self, seconds: float, now: float) -> None:
        """Audio handed to the player at `now`. A player that ran dry resumes
        with it, so its clock starts again from there."""
        if self.started is None or now > self.due:
            self.started = now - self.seconds
        self.seconds += seconds


class Listeners:
    """The players of the answers being made. A window must be ready before any of
    them runs dry, not only its own answer's: a long reply with seconds in hand
    would otherwise hold the model for seconds while a short answer beside it, due
    sooner, went silent."""

    def __init__(self) -> None:
        self._playing: list[Playback] = []

    @contextmanager
    def listening(self, playback: Playback) -> Iterator[None]:
        """While an answer for `playback` is being made."""
        self._playing.append(playback)
        try:
            yield
        finally:
            self._playing.remove(playback)

    def lead(self, playback: Playback, now: float) -> float:
        """Seconds until `playback`, or another answer's player, runs dry."""
        # A copy: answers come and go on the event loop while the model thread asks.
        return min(player.lead(now) for player in (playback, *self._playing))


class DecoderSpeed:
    """Seconds a decoder run takes for n frames, `overhead + per_frame * n`, fitted
    to recent runs (older ones count less and less), so that it follows a machine
    that gets busier or quieter."""

    def __init__(self, per_frame: float = 0.015, overhead: float = 0.02) -> None:
        self.per_frame = per_frame
        self.overhead = overhead
        self._sums = [0.0] * 5  # weight, x, y, xx, xy

    def seconds(self, frames: int) -> float:
        return self.overhead + self.per_frame * frames

    def observe(self, frames: int, seconds: float, keep: float = 0.8) -> None:
        """A run of `frames` frames took `seconds`; earlier runs weigh `keep` times less."""
        weight, sx, sy, sxx, sxy = (keep * s for s in self._sums)
        weight, sx, sy = weight + 1, sx + frames, sy + seconds
        sxx, sxy = sxx + frames * frames, sxy + frames * seconds
        self._sums = [weight, sx, sy, sxx, sxy]
        spread = sxx - sx * sx / weight
        slope = (sxy - sx * sy / weight) / spread if spread > 1.0 else 0.0
        if slope > 0:
            self.per_frame = slope
            self.overhead = max(0.0, (sy - slope * sx) / weight)
        else:  # runs of one size alone: the overhead stays as it was
            self.per_frame = max(1e-4, (sy / weight - self.overhead) / max(sx / weight, 1.0))


def window_cost(frames: int, windows: Windows, first: bool, last: bool) -> int:
    """Frames decoded for a window: its own and its context on each inner side."""
    return frames + windows.context * ((not first) + (not last))


def next_window(
    remaining: int, lead: float, speed: DecoderSpeed, windows: Windows, first: bool = False
) -> int:
    """Frames in the next window of a piece (`first`: the piece's first, with no
    context before it): the most that can be decoded, with the safety margin,
    before `lead` seconds of audio run out.

    Never one that makes audio slower than 1.25 times its cost, though: context
    makes small windows dear, and a run of them would shrink the lead until the
    listener runs dry. Where that is more than the lead allows (a busy machine, one
    slower than speech), a short gap now beats a longer one later.
    """
    budget = lead / windows.margin
    sides = 1 if first else 2
    whole = speed.seconds(window_cost(remaining, windows, first, True))
    if remaining <= windows.most and whole <= budget:
        return remaining
    fits = (budget - speed.overhead) / speed.per_frame - sides * windows.context
    size = int(min(max(fits, math.ceil(_gaining(speed, windows, sides))), windows.most, remaining))
    if remaining - size < windows.first // 2:
        return remaining  # no tiny last window: its context would cost more than it
    return size


def _gaining(speed: DecoderSpeed, windows: Windows, sides: int) -> float:
    """The smallest window that makes audio 1.25 times as fast as it costs to
    decode (at least half a first window); the largest where none does."""
    gain = SECONDS_PER_FRAME - _GAIN * speed.per_frame
    if gain <= 0:
        return windows.most
    extra = speed.overhead + sides * windows.context * speed.per_frame
    return max(windows.first // 2, _GAIN * extra / gain)


def first_window(frames: int, lead: float, speed: DecoderSpeed, windows: Windows) -> int:
    """Frames in a piece's first window.

    With audio still playing (`lead`), the largest that keeps ahead of it. At an
    answer's start, the smallest from which every later window keeps ahead and the
    whole piece costs at most `windows.max_cost` times decoding it whole: a short
    answer may be decoded whole, which starts later but never stalls.
    """
    if lead > 0:
        return next_window(frames, lead, speed, windows, first=True)
    whole = speed.seconds(frames)
    for size in range(windows.first, min(frames, windows.most), windows.first // 4 or 1):
        cost = _cost_if_started_with(size, frames, speed, windows)
        if cost is not None and cost <= windows.max_cost * whole:
            return size
    return min(frames, windows.most)


def _cost_if_started_with(
    size: int, frames: int, speed: DecoderSpeed, windows: Windows
) -> float | None:
    """What decoding a piece costs when its first window has `size` frames and each
    later one is as large as the lead then allows; None if it would stall."""
    cost = speed.seconds(window_cost(size, windows, True, False))
    lead, done = size * SECONDS_PER_FRAME - windows.lead_in, size
    while done < frames:
        window = next_window(frames - done, lead, speed, windows)
        seconds = speed.seconds(window_cost(window, windows, False, done + window == frames))
        if seconds * windows.margin > lead:
            return None
        cost += seconds
        lead += window * SECONDS_PER_FRAME - seconds
        done += window
    return cost
