"""A client that reads exactly as Home Assistant's Wyoming TTS client does.

homeassistant/components/wyoming/tts.py: after `synthesize` it reads until
`audio-stop` or until the connection closes; when streaming, until
`synthesize-stopped` or the close. It ignores `error` events. Whatever the
server does after an error, this client only ends when one of those arrives.
"""

import asyncio
import time
from dataclasses import dataclass, field

from wyoming.audio import AudioChunk
from wyoming.event import Event, async_read_event, async_write_event
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop

from support.server import Server

GIVE_UP = 55.0
"""Longer than any answer in these tests, shorter than the servers' idle timeout."""


@dataclass
class Answer:
    audio: bytes = b""
    ended_by: str = "closed"
    """audio-stop, synthesize-stopped, or closed."""
    seconds: float = 0.0
    """From sending the request to the end of the exchange."""
    types: list[str] = field(default_factory=list)
    """Every event received, errors included."""
    events: list[Event] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """What Home Assistant concludes without audio-stop: no audio (non-streaming)."""
        return self.ended_by == "closed"


async def exchange(server: Server, events: list[Event], until: str) -> Answer:
    """Send `events`, then read as Home Assistant does until `until` or the close."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    answer = Answer()
    start = time.perf_counter()
    try:
        for sent in events:
            await async_write_event(sent, writer)
        async with asyncio.timeout(GIVE_UP):
            while (event := await async_read_event(reader)) is not None:
                answer.types.append(event.type)
                answer.events.append(event)
                if event.type == until:
                    answer.ended_by = until
                    break
                if AudioChunk.is_type(event.type):
                    answer.audio += AudioChunk.from_event(event).audio
    except ConnectionError:
        pass
    finally:
        answer.seconds = time.perf_counter() - start
        writer.close()
    return answer


async def synthesize(server: Server, event: Event) -> Answer:
    """Home Assistant's non-streaming request."""
    return await exchange(server, [event], until="audio-stop")


async def stream(server: Server, chunks: list[str], start: Event | None = None) -> Answer:
    """Home Assistant's streaming request: start, chunks, the whole text, stop."""
    events = [
        start or SynthesizeStart().event(),
        *[SynthesizeChunk(text=chunk).event() for chunk in chunks],
        Synthesize(text="".join(chunks)).event(),
        SynthesizeStop().event(),
    ]
    return await exchange(server, events, until="synthesize-stopped")
