"""The handler with the real synthesizer, served in-process so faults can be injected."""

from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import pytest
from wyoming.client import AsyncTcpClient
from wyoming.error import Error
from wyoming.server import AsyncTcpServer
from wyoming.tts import Synthesize

from wyoming_kokoro.engine import Engine
from wyoming_kokoro.handler import ConnectionSlots, HandlerSettings, KokoroEventHandler, build_info
from wyoming_kokoro.synthesizer import Synthesizer

from .e2e.server import free_port, loudness, request


@pytest.fixture
async def port(synthesizer: Synthesizer) -> AsyncIterator[int]:
    settings = HandlerSettings()
    factory = partial(
        KokoroEventHandler,
        build_info(synthesizer, streaming=True),
        synthesizer,
        settings,
        ConnectionSlots(settings.max_connections),
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


async def test_an_onnx_failure_is_an_error_and_the_next_request_works(
    port: int, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "session", FailsOnce(engine.session))
    async with AsyncTcpClient("127.0.0.1", port) as client:
        failed = await request(client, [Synthesize(text="Lights on.").event()], until="audio-stop")
        assert failed.types == ["error"]
        assert "CoreML execution failed" in Error.from_event(failed.events[0]).text
        works = await request(client, [Synthesize(text="Lights on.").event()], until="audio-stop")
    assert loudness(works.groups()[0]) > 0.02


def test_connection_slots_refuse_past_the_limit() -> None:
    slots = ConnectionSlots(2)
    assert slots.take() and slots.take()
    assert not slots.take()
    slots.give_back()
    assert slots.take()
