"""The synthesizer's steps with the real model: windows paced for the listener."""

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from support.listening import hear
from support.machine import Machine
from wyoming_kokoro.core.audio import BYTES_PER_SECOND
from wyoming_kokoro.core.settings import SpeechSettings
from wyoming_kokoro.speech.decoding.paced import PacedDecoder
from wyoming_kokoro.speech.engine import Engine, Front
from wyoming_kokoro.speech.g2p import G2P
from wyoming_kokoro.speech.lexicon import Lexicon
from wyoming_kokoro.speech.synthesizer import Request, Synthesizer
from wyoming_kokoro.speech.voices import VoiceCatalog

from .lexicon_files import write

SENTENCE = "The weather today will be sunny with a light breeze from the west in the afternoon."


@pytest.fixture
def machine() -> Machine:
    """A 2-core machine: plans that do not depend on the machine running the test."""
    return Machine(per_frame=0.0095, overhead=0.01)


@pytest.fixture
def two_cores(
    machine: Machine, engine: Engine, voices: VoiceCatalog, g2p: G2P
) -> Iterator[Synthesizer]:
    synthesizer = Synthesizer(machine.paced(engine), voices, g2p, SpeechSettings(language="en_US"))
    yield synthesizer
    synthesizer.close()


def frames(machine: Machine) -> list[int]:
    """The frames of each decoder run."""
    return [end - start for start, end in machine.runs]


async def test_a_new_answer_starts_with_a_small_window(
    two_cores: Synthesizer, machine: Machine
) -> None:
    audio = [pcm async for pcm in two_cores.stream(Request(text=SENTENCE))]
    windows = frames(machine)
    assert len(windows) >= 2 and windows[0] < sum(windows) / 3
    # Sent as it is decoded (a window that is all pause goes out with the next).
    assert len(audio) >= 2 and len(audio[0]) < sum(map(len, audio)) / 3


async def test_a_sentence_while_audio_plays_is_decoded_in_one_window(
    two_cores: Synthesizer, machine: Machine
) -> None:
    playing = two_cores.playback()
    playing.sent(30.0, machine.clock())  # 30 s of an earlier sentence still to play
    [pcm async for pcm in two_cores.stream(Request(text=SENTENCE), playing)]
    assert len(machine.runs) == 1
    assert playing.seconds > 30.0


async def test_a_sentence_while_audio_plays_still_leaves_the_model_to_another_listener(
    two_cores: Synthesizer, machine: Machine
) -> None:
    playing = two_cores.playback()
    playing.sent(30.0, machine.clock())
    other = two_cores.playback()
    other.sent(0.5, machine.clock())  # another answer runs dry in half a second
    with two_cores.paced.listeners.listening(other):
        [pcm async for pcm in two_cores.stream(Request(text=SENTENCE), playing)]
    assert len(machine.runs) > 2


@pytest.mark.parametrize("per_frame", [0.025, 0.04])
async def test_a_raspberry_pi_starts_a_long_answer_later_and_never_stalls(
    per_frame: float, engine: Engine, voices: VoiceCatalog, g2p: G2P
) -> None:
    """A decoder at about real time (a Pi 5) and one slower than speech (a Pi 4): the
    audio is held back until the rest, of the later sentences too, comes in time, and
    then no longer than that."""
    reply = (
        f"{SENTENCE} Tomorrow will be cloudy in the morning, with rain from about two in "
        "the afternoon until late in the evening. Your next meeting is at half past nine "
        "with the design team, in the small room on the second floor."
    )
    machine = Machine(per_frame, overhead=0.02)
    pi = Synthesizer(machine.paced(engine), voices, g2p, SpeechSettings(language="en_US"))
    try:
        chunks = [
            (machine.clock(), len(pcm) / BYTES_PER_SECOND)
            async for pcm in pi.stream(Request(text=reply))
        ]
    finally:
        pi.close()
    heard = hear(chunks)
    assert heard.stall == 0.0
    assert heard.first_audio < 0.8 * heard.last_audio


async def test_an_answer_abandoned_mid_window_stops_the_model_there(
    engine: Engine, voices: VoiceCatalog, g2p: G2P
) -> None:
    """Its listener gone (Stop pressed, a pipeline cut short), the decoder run under way
    ends, and the next answer is made as before."""
    abandoning, decoding, abandoned = threading.Event(), threading.Event(), threading.Event()
    outcomes: list[str] = []

    def decode(front: Front, start: int, end: int) -> np.ndarray:
        if abandoning.is_set() and not abandoned.is_set():
            decoding.set()  # the window under way when the listener goes
            abandoned.wait(60)
        try:
            audio = engine.decode(front, start, end)
        except Exception as err:
            outcomes.append(str(err))
            raise
        outcomes.append("decoded")
        return audio

    synthesizer = Synthesizer(
        PacedDecoder(engine, decode=decode), voices, g2p, SpeechSettings(language="en_US")
    )
    try:
        answer = synthesizer.stream(Request(text=f"{SENTENCE} {SENTENCE}"))
        assert await anext(answer)
        abandoning.set()
        rest = asyncio.create_task(anext(answer))
        await asyncio.to_thread(decoding.wait, 60)
        rest.cancel()
        abandoned.set()
        await asyncio.gather(rest, return_exceptions=True)
        next_answer = [pcm async for pcm in synthesizer.stream(Request(text="Lights on."))]
    finally:
        synthesizer.close()
    stopped = [outcome for outcome in outcomes if outcome != "decoded"]
    assert len(stopped) == 1 and "terminate" in stopped[0]
    assert sum(map(len, next_answer)) > BYTES_PER_SECOND / 4


def test_the_command_line_decodes_in_the_fewest_windows_unless_someone_listens(
    two_cores: Synthesizer, machine: Machine
) -> None:
    whole = b"".join(two_cores.speak(Request(text=SENTENCE)))
    assert len(machine.runs) == 1 and len(whole) > 24000 * 2 * 2
    heard = b"".join(two_cores.speak(Request(text=SENTENCE), two_cores.playback()))
    assert len(machine.runs) > 2 and abs(len(heard) - len(whole)) < 24000 * 2 * 0.1


async def test_a_repeated_answer_is_not_synthesized_again(
    synthesizer: Synthesizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = Synthesizer(
        synthesizer.paced,
        synthesizer.voices,
        synthesizer.g2p,
        replace(synthesizer.settings, cache_mb=10),
    )
    runs: list[str] = []
    real = cached.engine.front

    def counting(phonemes: str, *args: object) -> object:
        runs.append(phonemes)
        return real(phonemes, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cached.engine, "front", counting)
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
        synthesizer.paced,
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
