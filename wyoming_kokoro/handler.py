"""Wyoming events in and out, one handler per connection.

Reading events never waits on synthesis: requests go to a queue that a worker
task speaks in order, so `describe` is answered at once and streamed text keeps
arriving while earlier sentences are being spoken.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from sentence_stream import SentenceBoundaryDetector
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import Attribution, Describe, Info, TtsProgram, TtsVoice
from wyoming.server import AsyncEventHandler
from wyoming.tts import (
    Synthesize,
    SynthesizeChunk,
    SynthesizeStart,
    SynthesizeStop,
    SynthesizeStopped,
)

from . import __version__
from .audio import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH
from .protocol import Limits, ProtocolError, read_event
from .synthesizer import Request, Synthesizer

_LOGGER = logging.getLogger(__name__)

KOKORO = Attribution(name="hexgrad (Kokoro-82M)", url="https://huggingface.co/hexgrad/Kokoro-82M")


@dataclass(frozen=True)
class HandlerSettings:
    samples_per_chunk: int = 1024
    streaming: bool = True
    idle_timeout: float = 60.0
    """A connection with nothing to say or hear for this long is closed."""

    max_connections: int = 16
    limits: Limits = field(default_factory=Limits)


class ConnectionSlots:
    """How many clients are connected, shared by all handlers of a server."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self) -> bool:
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    def give_back(self) -> None:
        self.used -= 1


def build_info(synthesizer: Synthesizer, streaming: bool) -> Info:
    voices = [
        TtsVoice(
            name=voice.name,
            description=voice.description,
            attribution=KOKORO,
            installed=True,
            version=None,
            languages=synthesizer.languages_of(voice),
        )
        for voice in synthesizer.voices
    ]
    program = TtsProgram(
        name="kokoro",
        description="Kokoro-82M text to speech",
        attribution=KOKORO,
        installed=True,
        version=__version__,
        voices=voices,
        supports_synthesize_streaming=streaming,
    )
    return Info(tts=[program])


@dataclass
class _Stream:
    """A text stream in progress."""

    synthesize: Synthesize
    """The voice asked for, as a template for each sentence."""
    detector: SentenceBoundaryDetector = field(default_factory=SentenceBoundaryDetector)
    sentences: int = 0


@dataclass(frozen=True)
class _StreamEnd:
    """Marks the end of a text stream: answered with synthesize-stopped."""


class KokoroEventHandler(AsyncEventHandler):
    def __init__(
        self,
        info: Info,
        synthesizer: Synthesizer,
        settings: HandlerSettings,
        slots: ConnectionSlots,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        super().__init__(reader, writer)
        self._info_event = info.event()
        self._synthesizer = synthesizer
        self._settings = settings
        self._slots = slots
        self._busy = False
        self._stream: _Stream | None = None
        self._jobs: asyncio.Queue[Request | _StreamEnd] = asyncio.Queue()
        self._worker = asyncio.create_task(self._work(), name="kokoro speaker")

    async def run(self) -> None:
        if not self._slots.take():
            _LOGGER.warning("Refused a client: %s connections already", self._slots.limit)
            with contextlib.suppress(ConnectionError):
                await self._error(
                    f"Server busy: {self._slots.limit} clients are connected already", "busy"
                )
            await self.disconnect()
            self.writer.close()
            return
        try:
            while (event := await self._next_event()) is not None:
                await self.handle_event(event)
        except ProtocolError as err:
            _LOGGER.debug("Closing a connection: %s", err)
            with contextlib.suppress(ConnectionError):
                await self._error(str(err), "protocol")
        except ConnectionError:
            _LOGGER.debug("Client gone")
        finally:
            self._slots.give_back()
            await self.disconnect()
            self.writer.close()

    async def _next_event(self) -> Event | None:
        """The next event; None once the client is gone or has idled too long."""
        while True:
            try:
                return await read_event(
                    self.reader, self._settings.limits, self._settings.idle_timeout
                )
            except TimeoutError:
                if self._busy or not self._jobs.empty():
                    continue
                _LOGGER.debug("Closing a connection idle for %s s", self._settings.idle_timeout)
                return None

    async def handle_event(self, event: Event) -> bool:
        if Describe.is_type(event.type):
            await self.write_event(self._info_event)
        elif Synthesize.is_type(event.type):
            # While streaming, `synthesize` only repeats the text for older servers.
            if self._stream is None:
                self._jobs.put_nowait(_request(Synthesize.from_event(event)))
        elif not self._settings.streaming:
            _LOGGER.debug("Ignoring %s: streaming is turned off", event.type)
        elif SynthesizeStart.is_type(event.type):
            await self._start_stream(SynthesizeStart.from_event(event))
        elif SynthesizeChunk.is_type(event.type):
            await self._add_to_stream(SynthesizeChunk.from_event(event).text)
        elif SynthesizeStop.is_type(event.type):
            await self._stop_stream()
        else:
            _LOGGER.debug("Ignoring event of type %s", event.type)
        return True

    async def disconnect(self) -> None:
        self._worker.cancel()

    async def stop(self) -> None:
        """The server is stopping: a client waiting for audio is told why it ends."""
        if self._busy or not self._jobs.empty():
            with contextlib.suppress(ConnectionError):
                await self._error("The server is stopping", "stopping")
        await super().stop()

    async def _start_stream(self, start: SynthesizeStart) -> None:
        if self._stream is not None:
            await self._error("synthesize-start inside a stream: the earlier stream ends here")
            await self._stop_stream()
        self._stream = _Stream(Synthesize(text="", voice=start.voice))

    async def _add_to_stream(self, text: str) -> None:
        if self._stream is None:
            await self._error("synthesize-chunk without synthesize-start")
            return
        for sentence in self._stream.detector.add_chunk(text):
            self._queue_sentence(sentence)

    async def _stop_stream(self) -> None:
        if self._stream is None:
            await self._error("synthesize-stop without synthesize-start")
            return
        if rest := self._stream.detector.finish().strip():
            self._queue_sentence(rest)
        self._stream = None
        self._jobs.put_nowait(_StreamEnd())

    def _queue_sentence(self, sentence: str) -> None:
        assert self._stream is not None
        # Only the first sentence needs a quick start: later ones are spoken
        # while earlier audio still plays.
        request = _request(self._stream.synthesize, sentence, self._stream.sentences == 0)
        self._stream.sentences += 1
        self._jobs.put_nowait(request)

    async def _work(self) -> None:
        try:
            while True:
                job = await self._jobs.get()
                if isinstance(job, _StreamEnd):
                    await self.write_event(SynthesizeStopped().event())
                    continue
                try:
                    self._busy = True
                    await self._speak(job)
                except (ConnectionError, asyncio.CancelledError):
                    raise
                except Exception as err:
                    _LOGGER.warning(
                        "Request failed: %s", err, exc_info=_LOGGER.isEnabledFor(logging.DEBUG)
                    )
                    await self._error(str(err), type(err).__name__)
                finally:
                    self._busy = False
        except ConnectionError:
            _LOGGER.debug("Client gone while being answered")

    async def _speak(self, request: Request) -> None:
        audio = self._synthesizer.stream(request)
        chunk_bytes = self._settings.samples_per_chunk * SAMPLE_WIDTH * CHANNELS
        fmt = {"rate": SAMPLE_RATE, "width": SAMPLE_WIDTH, "channels": CHANNELS}
        # The first piece is awaited before audio-start, so a bad voice or text
        # is answered with one error event, not a half-opened audio stream.
        first = await anext(audio, None)
        await self.write_event(AudioStart(**fmt).event())
        pcm = first
        while pcm is not None:
            for offset in range(0, len(pcm), chunk_bytes):
                chunk = pcm[offset : offset + chunk_bytes]
                await self.write_event(AudioChunk(audio=chunk, **fmt).event())
            pcm = await anext(audio, None)
        await self.write_event(AudioStop().event())

    async def _error(self, text: str, code: str = "bad-request") -> None:
        await self.write_event(Error(text=text, code=code).event())


def _request(synthesize: Synthesize, text: str | None = None, quick_start: bool = True) -> Request:
    voice = synthesize.voice
    return Request(
        text=synthesize.text if text is None else text,
        voice=voice.name if voice else None,
        language=voice.language if voice else None,
        quick_start=quick_start,
    )
