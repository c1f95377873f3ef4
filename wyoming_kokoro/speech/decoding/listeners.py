"""The listeners' clocks: a real-time player per answer, and when each runs dry.

A player starts at an answer's first audio, or once it has gathered as much as
it reads before it plays, or as much as the server holds back, and plays in real
time; audio that comes later than it is needed is a gap in the room. Every window
is planned to be ready before the first of the players being served runs dry.
"""

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

Clock = Callable[[], float]
"""Seconds, monotonic: `time.perf_counter`, or a simulated machine's."""


@dataclass(eq=False)  # one player is one player, whatever it holds
class Playback:
    """A real-time player that starts at an answer's first audio, or once it has
    `gathers` seconds of it, or `holds`: when it runs dry.

    One per answer, or per stream of sentences (Home Assistant plays a streamed
    answer's sentences as one): a sentence arriving while earlier audio plays is
    due when that audio ends.
    """

    created: float
    gathers: float = 0.0
    """Audio it reads before it plays: until then nothing plays, so what it needs
    is that much audio soonest, in the fewest windows."""
    holds: float = 0.0
    """Audio the server keeps back before the player gets any: on a decoder slower
    than speech, what must be in hand for the rest to come in time (plan.held)."""
    started: float | None = None
    """When the player started, as if it had never stalled; None: not playing yet."""
    seconds: float = 0.0
    """Audio handed to the player so far."""

    @property
    def due(self) -> float:
        """When more audio is needed: at once for an answer not playing yet."""
        return self.created if self.started is None else self.started + self.seconds

    @property
    def gathering(self) -> float:
        """Seconds of audio it still reads, or is held back, before it plays."""
        return max(0.0, self._fill - self.seconds) if self.started is None else 0.0

    @property
    def holding(self) -> bool:
        """Whether the server still keeps its audio back."""
        return self.started is None and self.seconds < self.holds

    @property
    def _fill(self) -> float:
        return max(self.gathers, self.holds)

    def lead(self, now: float) -> float:
        """Seconds of audio still to play; 0 before the first audio, and no limit
        while it gathers."""
        if self.started is None:
            return math.inf if self._fill else 0.0
        return max(0.0, self.due - now)

    def sent(self, seconds: float, now: float) -> bool:
        """Audio handed to the player at `now`; whether that starts it. A player that
        ran dry resumes with it, so its clock starts again from there."""
        if self.started is not None and now > self.due:
            self.started = now - self.seconds
        self.seconds += seconds
        if self.started is None and self.seconds >= self._fill:
            self.started = now
            return True
        return False


class Listeners:
    """The players of the answers being made, on one clock. A window must be ready
    before any of them runs dry, not only its own answer's: a long reply with
    seconds in hand would otherwise hold the model for seconds while a short answer
    beside it, due sooner, went silent."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._playing: list[Playback] = []

    def playback(self, gathers: float = 0.0) -> Playback:
        """A player for a new answer, due at once."""
        return Playback(created=self.clock(), gathers=gathers)

    @contextmanager
    def listening(self, playback: Playback) -> Iterator[None]:
        """While an answer for `playback` is being made."""
        self._playing.append(playback)
        try:
            yield
        finally:
            self._playing.remove(playback)

    def lead(self, playback: Playback) -> float:
        """Seconds until `playback`, or another answer's player, runs dry."""
        now = self.clock()
        return min(player.lead(now) for player in (playback, *self._playing))
