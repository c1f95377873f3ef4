"""The handler with the real synthesizer, served in-process so faults can be injected."""

from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import pytest
from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.server import AsyncTcpServer
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop

from support.server import free_port, loudness, request
from wyoming_kokoro.core.settings import HandlerSettings
from wyoming_kokoro.speech.decoding.speed import Steady
from wyoming_kokoro.speech.engine import Engine
from wyoming_kokoro.speech.synthesizer import Request, Synthesizer
from wyoming_kokoro.speech.workload import Workload
from wyoming_kokoro.wyoming import handler
from wyoming_kokoro.wyoming.handler import KokoroEventHandler, build_info


@pytest.fixture
async def port(synthesizer: Synthesizer) -> AsyncIterator[int]:
    settings = HandlerSettings()
    factory = partial(
        KokoroEventHandler,
        build_info(synthesizer, streaming=True),
        synthesizer,
        settings,
        Workload(settings.max_requests, settings.max_queue),
    )
    server = AsyncTcpServer("127.0.0.1", free_port())
    await server.start(factory)
    yield server.port
    await server.stop()


class FailsOnce:
    """An ONNX session whose first run raises, as a broken provider might."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.failed = False

    def run(self, *args: Any, **kwargs: Any) -> Any:
        if not self.failed:
            self.failed = True
            raise RuntimeError("ONNX Runtime: CoreML execution failed")
        return self.session.run(*args, **kwargs)


class Counted:
    """A decoder session that counts its runs."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.runs = 0

    def run(self, *args: Any, **kwargs: Any) -> Any:
        self.runs += 1
        return self.session.run(*args, **kwargs)


class FailsOnSecondRun(Counted):
    """A decoder session that breaks after the first window, as a broken provider might."""

    def run(self, *args: Any, **kwargs: Any) -> Any:
        if self.runs == 1:
            self.runs += 1
            raise RuntimeError("ONNX Runtime: CoreML execution failed")
        return super().run(*args, **kwargs)


async def read_all(port: int, events: list) -> list:
    """Send events, then read until the server closes the connection."""
    received = []
    async with AsyncTcpClient("127.0.0.1", port) as client:
        for event in events:
            await client.write_event(event)
        while (event := await client.read_event()) is not None:
            received.append(event)
    return received


TWO_RUNS = (
    "Right now, the temperature in the kitchen is twenty one degrees, the heating is off, "
    "and every window in the house is closed."
)
"""A sentence of 7 s: Home Assistant's player gathers 4.3 s, so the decoder runs at
least twice."""


@pytest.fixture
def faster_than_speech(synthesizer: Synthesizer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows planned as on a machine faster than speech, whatever runs the test: a
    slower one holds the first window back (plan.held), and a failure after it would
    come before any audio."""
    monkeypatch.setattr(synthesizer.paced, "throughput", Steady(0.005, 0.01))


@pytest.mark.usefixtures("faster_than_speech")
async def test_a_failure_after_audio_start_closes_what_was_opened(
    port: int, engine: Engine, synthesizer: Synthesizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "_decoder", FailsOnSecondRun(engine._decoder))
    received = await read_all(port, [Synthesize(text=TWO_RUNS).event()])
    types = [e.type for e in received]
    assert types[0] == "audio-start" and "audio-chunk" in types
    # The error, then the audio closed, then the connection.
    assert types[-2:] == ["error", "audio-stop"]
    assert "CoreML execution failed" in Error.from_event(received[-2]).text


@pytest.mark.usefixtures("faster_than_speech")
async def test_a_failure_mid_stream_ends_the_audio_and_the_stream(
    port: int, engine: Engine, synthesizer: Synthesizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "_decoder", FailsOnSecondRun(engine._decoder))
    events = [
        SynthesizeStart().event(),
        SynthesizeChunk(text=TWO_RUNS).event(),
        SynthesizeStop().event(),
    ]
    types = [e.type for e in await read_all(port, events)]
    assert types[0] == "audio-start"
    assert types[-3:] == ["error", "audio-stop", "synthesize-stopped"]


async def test_a_worker_that_dies_closes_its_connection_with_an_error(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken:
        def event(self) -> None:
            raise AttributeError("a bug")

    monkeypatch.setattr(handler, "SynthesizeStopped", Broken)
    events = [SynthesizeStart().event(), SynthesizeStop().event()]
    received = await read_all(port, events)
    # The empty stream's short silence, then the error where synthesize-stopped failed.
    assert [e.type for e in received][-2:] == ["audio-stop", "error"]
    assert "a bug" in Error.from_event(received[-1]).text


async def test_an_onnx_failure_is_an_error_and_the_next_request_works(
    port: int, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "_front", FailsOnce(engine._front))
    failed = await read_all(port, [Synthesize(text="Lights on.").event()])
    assert [e.type for e in failed] == ["error"]
    assert "CoreML execution failed" in Error.from_event(failed[0]).text
    async with AsyncTcpClient("127.0.0.1", port) as client:
        works = await request(client, [Synthesize(text="Lights on.").event()], until="audio-stop")
    assert loudness(works.groups()[0]) > 0.02


async def test_an_answer_home_assistant_reads_whole_is_decoded_whole(
    port: int, engine: Engine, synthesizer: Synthesizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HA's player gets nothing before HA's ffmpeg has read 4.3 s of audio: a short
    answer's windows would only end it later, and put seams in its first words."""
    text = "The living room lights are now on."
    decoder = Counted(engine._decoder)
    monkeypatch.setattr(engine, "_decoder", decoder)
    # A 2-core machine's speed, where a player that starts at once gets small windows.
    monkeypatch.setattr(synthesizer.paced, "throughput", Steady(per_frame=0.0095, overhead=0.02))
    async with AsyncTcpClient("127.0.0.1", port) as client:
        reply = await request(client, [Synthesize(text=text).event()], "audio-stop")
    assert loudness(reply.groups()[0]) > 0.02
    assert decoder.runs == 1
    with_a_player = b"".join(synthesizer.speak(Request(text=text), synthesizer.playback()))
    assert decoder.runs > 2 and len(with_a_player) > 0


def test_home_assistant_offers_the_default_voice_first(synthesizer: Synthesizer) -> None:
    """Home Assistant sorts a Wyoming server's voices by description, and a new
    pipeline takes the first: without a mark jf_alpha ("Alpha"), the least clear."""
    voices = build_info(synthesizer, streaming=True).tts[0].voices
    first = sorted(voices, key=lambda voice: voice.description or voice.name)[0]
    assert first.name == synthesizer.default_voice.name == "jf_gongitsune"
    assert first.description == "(Recommended) Gongitsune - Japanese, female"
