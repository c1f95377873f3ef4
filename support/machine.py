"""A machine of a known speed, simulated: the decoder windows, and so the seams,
that a fast machine, a slow one or one that gets busy mid-answer plans, whatever
machine runs the test. Its clock moves only by what each decoder run would cost
there; the audio is the real decoder's."""

import numpy as np

from wyoming_kokoro.speech.decoding.paced import PacedDecoder
from wyoming_kokoro.speech.decoding.plan import Tuning
from wyoming_kokoro.speech.decoding.speed import Throughput
from wyoming_kokoro.speech.engine import Engine, Front


class Machine:
    def __init__(
        self,
        per_frame: float,
        overhead: float = 0.01,
        slower_after: int | None = None,
        slower: float = 2.0,
    ) -> None:
        """A decoder run of n frames takes `overhead + per_frame * n` seconds; after
        `slower_after` runs of a piece, `slower` times as long (the machine got busy
        mid-answer)."""
        self.per_frame = per_frame
        self.overhead = overhead
        self.slower_after = slower_after
        self.slower = slower
        self.now = 0.0
        self.runs: list[tuple[int, int]] = []
        """The frames [start, end) of each decoder run."""
        self._piece_runs = 0

    def __str__(self) -> str:
        speed = f"{1000 * self.per_frame:g} ms a frame"
        if self.slower_after is None:
            return speed
        return f"{speed}, {self.slower:g}x from a piece's run {self.slower_after + 1}"

    def clock(self) -> float:
        return self.now

    def seconds(self, frames: int) -> float:
        busy = self.slower_after is not None and self._piece_runs > self.slower_after
        return (self.overhead + self.per_frame * frames) * (self.slower if busy else 1.0)

    def paced(self, engine: Engine, tuning: Tuning | None = None) -> PacedDecoder:
        """`engine`'s decoder as this machine runs it, its throughput measured there."""

        def decode(front: Front, start: int, end: int) -> np.ndarray:
            # A piece's first window is the only one that starts at its first frame.
            self._piece_runs = 1 if start == 0 else self._piece_runs + 1
            self.runs.append((start, end))
            self.now += self.seconds(end - start)
            return engine.decode(front, start, end)

        return PacedDecoder(
            engine, tuning, self.clock, decode, Throughput(self.per_frame, self.overhead)
        )
