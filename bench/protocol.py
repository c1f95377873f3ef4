"""Timing one request over the Wyoming protocol, as Home Assistant sends it and as its
player hears it: once HA's ffmpeg has read what it reads before it writes a byte."""

import time

from wyoming.audio import AudioChunk, AudioStart
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop

from support.listening import Heard, hear
from wyoming_kokoro.wyoming.handler import HOME_ASSISTANT_READS

# An LLM streams a few words at a time.
WORDS_PER_STREAM_CHUNK = 3


def request_events(text: str, streaming: bool) -> tuple[list[Event], str]:
    """The events for a request, and the event type that ends its response."""
    if not streaming:
        return [Synthesize(text=text).event()], "audio-stop"
    words = text.split(" ")
    chunks = [
        " ".join(words[i : i + WORDS_PER_STREAM_CHUNK]) + " "
        for i in range(0, len(words), WORDS_PER_STREAM_CHUNK)
    ]
    events = [
        SynthesizeStart().event(),
        *[SynthesizeChunk(text=chunk).event() for chunk in chunks],
        Synthesize(text=text).event(),
        SynthesizeStop().event(),
    ]
    return events, "synthesize-stopped"


async def time_request(port: int, text: str, streaming: bool) -> Heard:
    """Send a request as Home Assistant does; what its player would hear of it."""
    events, last = request_events(text, streaming)
    chunks: list[tuple[float, float]] = []
    async with AsyncTcpClient("127.0.0.1", port) as client:
        start = time.perf_counter()
        for event in events:
            await client.write_event(event)
        bytes_per_second = 1
        while True:
            event = await client.read_event()
            if event is None or event.type == "error":
                raise RuntimeError(f"request failed: {event}")
            if AudioStart.is_type(event.type):
                fmt = AudioStart.from_event(event)
                bytes_per_second = fmt.rate * fmt.width * fmt.channels
            elif AudioChunk.is_type(event.type):
                seconds = len(AudioChunk.from_event(event).audio) / bytes_per_second
                chunks.append((time.perf_counter() - start, seconds))
            elif event.type == last:
                break
    return hear(chunks, HOME_ASSISTANT_READS / bytes_per_second)
