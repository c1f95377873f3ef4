"""The engine's decoder run for listeners: each piece window by window, each window
planned (plan.py) from the throughput measured here and the listeners' clocks,
ended in a gap between words, and joined to the one before as if decoded whole."""

import logging
import math
import time
from collections.abc import Callable, Iterator

import numpy as np

from ...core.audio import SAMPLE_RATE, SILENCE_LEVEL
from ..engine import Engine, Front
from .frames import SAMPLES_PER_FRAME, Timeline
from .listeners import Clock, Listeners, Playback
from .output import PieceEdges, silence
from .plan import NOTHING_FOLLOWS, Following, Tuning, decoded, held, window_end
from .speed import Throughput

_LOGGER = logging.getLogger(__name__)

_MATCHED = 4 * SAMPLES_PER_FRAME
"""Samples on each side of a seam whose loudness the window after it is matched to
(100 ms: a word's part; the whole context, 300 ms, matched worse)."""

Decode = Callable[[Front, int, int], np.ndarray]
"""Frames [start, end) of a piece as audio: the engine's decoder, or a simulation's."""


class PacedDecoder:
    """One model's decoder and the listeners who share it, on one clock. The model
    thread alone runs it (the throughput expects one decoding thread)."""

    def __init__(
        self,
        engine: Engine,
        tuning: Tuning | None = None,
        clock: Clock = time.perf_counter,
        decode: Decode | None = None,
        throughput: Throughput | None = None,
    ) -> None:
        """`decode`, `throughput`: a simulated machine's, for tests."""
        self.engine = engine
        self.tuning = tuning or Tuning()
        self.listeners = Listeners(clock)
        self.throughput = throughput or Throughput()
        self._decode = decode or engine.decode

    def run(self, front: Front, start: int, end: int) -> np.ndarray:
        """Frames [start, end) of a piece as audio, timed for the throughput."""
        clock = self.listeners.clock
        began = clock()
        audio = self._decode(front, start, end)
        self.throughput.observe(end - start, clock() - began)
        return audio

    def measure(self, front: Front | None) -> None:
        """Time the warm decoder on a large and a small window of `front`, so that
        windows are planned from the first request on."""
        if front is None or not front.inputs:
            return
        self.throughput = Throughput()
        for frames in (2 * self.tuning.least, self.tuning.least // 2):
            self.run(front, 0, min(frames, front.frames))
        _LOGGER.debug(
            "Decoder: %.1f ms a frame + %.0f ms a run",
            1000 * self.throughput.per_frame,
            1000 * self.throughput.overhead,
        )

    def windows(
        self,
        front: Front,
        playback: Playback | None,
        pause: float = 0.0,
        following: Following = NOTHING_FOLLOWS,
    ) -> "PieceWindows":
        """A piece's audio window by window, its silent edges trimmed and `pause`
        seconds after it; each window ready before `playback`, or another answer's
        player, runs dry (None: no one listens yet, so in the fewest windows), and
        what follows it in the answer in time too."""
        return PieceWindows(self, front, playback, pause, following)


class PieceWindows:
    """One piece's audio as its windows are decoded: iterate it once."""

    def __init__(
        self,
        paced: PacedDecoder,
        front: Front,
        playback: Playback | None,
        pause: float,
        following: Following,
    ) -> None:
        self._paced = paced
        self._walk = _Walk(paced, front)
        self._playback = playback
        self._pause = pause
        self._following = following

    @property
    def seams(self) -> list[int]:
        """The frames where its windows met, so far."""
        return self._walk.ends[:-1] if self._walk.finished else list(self._walk.ends)

    def __iter__(self) -> Iterator[np.ndarray]:
        """Each window's audio; empty where audio held back may be let go."""
        walk, playback, listeners = self._walk, self._playback, self._paced.listeners
        edges = PieceEdges()
        while not walk.finished:
            if playback is not None and playback.started is None:
                playback.holds = walk.held(playback, self._following)
                if playback.holding:
                    _LOGGER.debug("Held back until %.1f s of audio are in hand", playback.holds)
                elif playback.seconds and playback.sent(0.0, listeners.clock()):
                    # What was held back may go now (this piece is shorter than was
                    # estimated): not after this window.
                    yield np.zeros(0, dtype=np.float32)
            lead = math.inf if playback is None else listeners.lead(playback)
            gathering = 0.0 if playback is None else playback.gathering
            audio = edges.cut(walk.next(lead, gathering), last=walk.finished)
            if walk.finished and edges.started:
                audio = np.concatenate([audio, silence(self._pause)])
            if len(audio):
                if playback is not None:
                    playback.sent(len(audio) / SAMPLE_RATE, listeners.clock())
                yield audio


class _Walk:
    """One piece through the decoder, window by window, seams crossfaded."""

    def __init__(self, paced: PacedDecoder, front: Front) -> None:
        self._paced = paced
        self._front = front
        self.frames = front.frames or 1  # a model that is not split: one window
        self.timeline = (
            Timeline.of(front.tokens, front.inputs[0], front.inputs[2]) if front.inputs else None
        )
        self.ends: list[int] = []
        """Where each window decoded so far ends, in frames."""
        self._tail = np.zeros(0, dtype=np.float32)
        self._overlap = self._tail
        """The previous window's audio of the frames around its end, as sent."""

    @property
    def finished(self) -> bool:
        return self.done >= self.frames

    @property
    def done(self) -> int:
        """Frames decoded so far."""
        return self.ends[-1] if self.ends else 0

    def held(self, playback: Playback, following: Following) -> float:
        """What a player not yet playing must have in hand before it starts (plan.held)."""
        if self.timeline is None:
            return 0.0
        speed, tuning = self._paced.throughput, self._paced.tuning
        gathered, gathers = playback.seconds, playback.gathers
        return held(self.timeline, self.done, gathered, gathers, following, speed, tuning)

    def next(self, lead: float, gathering: float = 0.0) -> np.ndarray:
        """The next window's audio, as large as can be decoded before `lead` seconds
        of audio already sent run out (0: nothing is playing yet), and no larger than
        brings a player that still gathers `gathering` seconds to play."""
        if self.timeline is None:  # a model that is not split: its audio is made
            assert self._front.audio is not None
            self.ends.append(self.frames)
            return self._front.audio
        paced, tuning, timeline = self._paced, self._paced.tuning, self.timeline
        start = self.done
        end = window_end(timeline, start, lead, gathering, paced.throughput, tuning)
        decoded_from, decoded_to = decoded(start, end, self.frames, tuning)
        planned = paced.throughput.seconds(decoded_to - decoded_from)
        clock = paced.listeners.clock
        began = clock()
        audio = paced.run(self._front, decoded_from, decoded_to)
        _LOGGER.debug(
            "Frames %s-%s of %s (%s): %.0f ms (planned %.0f), %.2f s of audio were ahead",
            start,
            end,
            self.frames,
            timeline.around(end),
            1000 * (clock() - began),
            1000 * planned,
            lead,
        )
        offset = (start - decoded_from) * SAMPLES_PER_FRAME
        body = audio[offset : (end - decoded_from) * SAMPLES_PER_FRAME].copy()
        # Each window's instance norms see only it: its level is its own. Start it at
        # the level of the one before (where both decoded the frames around the seam),
        # then let it come back to its own, so that no seam steps in loudness.
        around = audio[max(0, offset - _MATCHED) : offset + _MATCHED]
        body *= np.linspace(self._level(around), 1.0, len(body), dtype=np.float32)
        # Crossfade into what the previous window decoded past its end.
        ramp = np.linspace(0.0, 1.0, len(self._tail), dtype=np.float32)
        body[: len(self._tail)] = body[: len(self._tail)] * ramp + self._tail * (1.0 - ramp)
        after = offset + len(body)
        self._tail = audio[after : after + tuning.fade]
        self._overlap = np.concatenate([body[-_MATCHED:], audio[after : after + _MATCHED]])
        self.ends.append(end)
        return body

    def _level(self, around: np.ndarray) -> float:
        """The gain that brings `around`, this window's decoding of the frames around
        its start, to the loudness the previous window gave them; 1 where either is
        silence."""
        shared = min(len(around), len(self._overlap))
        theirs = _loudness(self._overlap[:shared])
        ours = _loudness(around[:shared])
        if min(theirs, ours) < SILENCE_LEVEL:
            return 1.0
        return float(np.clip(theirs / ours, 0.5, 2.0))


def _loudness(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(audio)))) if len(audio) else 0.0
