"""Timing one request over the Wyoming protocol, as Home Assistant sends it."""

import time
from dataclasses import dataclass

from wyoming.audio import AudioChunk, AudioStart
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop

# An LLM streams a few words at a time.
WORDS_PER_STREAM_CHUNK = 3


@dataclass(frozen=True)
class Timing:
    first_audio: float
    """Seconds from the first event sent to the first audio-chunk received."""

    total: float
    """Seconds until the response ended (audio-stop, or synthesize-stopped)."""

    audio: float
    """Seconds of audio received."""


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


async def time_request(port: int, text: str, streaming: bool) -> Timing:
    events, last = request_events(text, streaming)
    async with AsyncTcpClient("127.0.0.1", port) as client:
        start = time.perf_counter()
        for event in events:
            await client.write_event(event)
        first_audio = None
        audio_bytes = 0
        bytes_per_second = 1
        while True:
            event = await client.read_event()
            if event is None or event.type == "error":
                raise RuntimeError(f"request failed: {event}")
            if AudioStart.is_type(event.type):
                fmt = AudioStart.from_event(event)
                bytes_per_second = fmt.rate * fmt.width * fmt.channels
            elif AudioChunk.is_type(event.type):
                if first_audio is None:
                    first_audio = time.perf_counter() - start
                audio_bytes += len(AudioChunk.from_event(event).audio)
            elif event.type == last:
                total = time.perf_counter() - start
                break
    if first_audio is None:
        raise RuntimeError("no audio")
    return Timing(first_audio, total, audio_bytes / bytes_per_second)
