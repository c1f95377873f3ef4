"""A machine of a known speed, for tests whose decoder windows follow the machine:
the same windows, and seams, on a fast machine, a slow one, or a busy one."""

import time
from typing import Any

import pytest

from wyoming_kokoro.speech.engine import Engine
from wyoming_kokoro.speech.pacing import DecoderSpeed


class SteadySpeed(DecoderSpeed):
    """A decoder speed that real runs do not change."""

    def observe(self, frames: int, seconds: float, keep: float = 0.8) -> None:
        pass


def steady_machine(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, per_frame: float = 0.0095
) -> None:
    """`engine` plans and is timed as on a machine whose decoder takes `per_frame`
    seconds a frame (9.5 ms: the 2-core machine the plans were made for): the clock
    the listener's playback reads moves only by what each decoder run would cost."""
    speed = SteadySpeed(per_frame=per_frame, overhead=0.02)
    now = [0.0]
    real = engine.decode

    def decode(inputs: Any, start: int, end: int) -> Any:
        now[0] += speed.seconds(end - start)
        return real(inputs, start, end)

    monkeypatch.setattr(engine, "speed", speed)
    monkeypatch.setattr(engine, "decode", decode)
    monkeypatch.setattr(time, "perf_counter", lambda: now[0])
