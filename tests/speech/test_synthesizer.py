"""The synthesizer's steps with the real model: windows paced for the listener."""

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from wyoming_kokoro.speech.g2p import G2P
from wyoming_kokoro.speech.lexicon import Lexicon
from wyoming_kokoro.speech.pacing import DecoderSpeed, Playback
from wyoming_kokoro.speech.synthesizer import Request, Synthesizer

from .lexicon_files import write

SENTENCE = "The weather today will be sunny with a light breeze from the west in the afternoon."


class FixedSpeed(DecoderSpeed):
    """A decoder that always measures the same: plans that do not depend on this machine."""

    def observe(self, frames: int, seconds: float, keep: float = 0.8) -> None:
        pass


@pytest.fixture
def windows(synthesizer: Synthesizer, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The frames of each decoder run, with the decoder's speed fixed."""
    engine = synthesizer.engine
    monkeypatch.setattr(engine, "speed", FixedSpeed(per_frame=0.0095, overhead=0.01))
    runs: list[int] = []
    real = engine.decode

    def decode(inputs: Any, start: int, end: int) -> np.ndarray:
        runs.append(end - start)
        return real(inputs, start, end)

    monkeypatch.setattr(engine, "decode", decode)
    return runs


async def test_a_new_answer_starts_with_a_small_window(
    synthesizer: Synthesizer, windows: list[int]
) -> None:
    audio = [pcm async for pcm in synthesizer.stream(Request(text=SENTENCE))]
    assert len(windows) >= 2 and windows[0] < sum(windows) / 3
    # Sent as it is decoded (a window that is all pause goes out with the next).
    assert len(audio) >= 2 and len(audio[0]) < sum(map(len, audio)) / 3


async def test_a_sentence_while_audio_plays_is_decoded_in_one_window(
    synthesizer: Synthesizer, windows: list[int]
) -> None:
    playing = Playback()
    playing.sent(30.0, time.perf_counter())  # 30 s of an earlier sentence still to play
    [pcm async for pcm in synthesizer.stream(Request(text=SENTENCE), playing)]
    assert len(windows) == 1
    assert playing.seconds > 30.0


async def test_a_sentence_while_audio_plays_still_leaves_the_model_to_another_listener(
    synthesizer: Synthesizer, windows: list[int]
) -> None:
    playing = Playback()
    playing.sent(30.0, time.perf_counter())
    other = Playback()
    other.sent(0.5, time.perf_counter())  # another answer runs dry in half a second
    with synthesizer.listeners.listening(other):
        [pcm async for pcm in synthesizer.stream(Request(text=SENTENCE), playing)]
    assert len(windows) > 2


def test_the_command_line_decodes_in_the_fewest_windows_unless_someone_listens(
    synthesizer: Synthesizer, windows: list[int]
) -> None:
    whole = b"".join(synthesizer.speak(Request(text=SENTENCE)))
    assert len(windows) == 1 and len(whole) > 24000 * 2 * 2
    paced = b"".join(synthesizer.speak(Request(text=SENTENCE), Playback()))
    assert len(windows) > 2 and abs(len(paced) - len(whole)) < 24000 * 2 * 0.1


async def test_a_repeated_answer_is_not_synthesized_again(
    synthesizer: Synthesizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = Synthesizer(
        synthesizer.engine,
        synthesizer.voices,
        synthesizer.g2p,
        replace(synthesizer.settings, cache_mb=10),
    )
    runs: list[str] = []
    real = cached.engine.decoding

    def counting(phonemes: str, *args: object) -> object:
        runs.append(phonemes)
        return real(phonemes, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cached.engine, "decoding", counting)
    try:
        first = [pcm async for pcm in cached.stream(Request(text="Turned on the lights."))]
        made = len(runs)
        again = [pcm async for pcm in cached.stream(Request(text="Turned on the lights."))]
        assert again == first and len(runs) == made > 0
        # Another voice is another answer.
        [pcm async for pcm in cached.stream(Request(text="Turned on the lights.", voice="jm_kumo"))]
        assert len(runs) > made
    finally:
        cached.close()


async def test_a_lexicon_edit_is_heard_at_once(synthesizer: Synthesizer, tmp_path: Path) -> None:
    lexicon_file = tmp_path / "lexicon.json"
    write(lexicon_file, {"Kokoro": "/kˈOkəɹO/"})
    cached = Synthesizer(
        synthesizer.engine,
        synthesizer.voices,
        G2P(lexicon=Lexicon(lexicon_file)),
        replace(synthesizer.settings, cache_mb=10),
    )
    try:
        request = Request(text="Kokoro is on.")
        before = [pcm async for pcm in cached.stream(request)]
        write(lexicon_file, {"Kokoro": "/bˈɑb/"})
        after = [pcm async for pcm in cached.stream(request)]
        assert after != before
    finally:
        cached.close()
