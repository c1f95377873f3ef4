"""Wyoming events in and out, one handler per connection.

Reading events never waits on synthesis: requests go to a queue that a worker
task speaks in order, so `describe` is answered at once and streamed text keeps
arriving while earlier sentences are being spoken.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass, field

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

from .. import __version__
from ..core.audio import BYTES_PER_SECOND, CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH
from ..core.errors import ErrorCode, KokoroError, wire_error
from ..core.settings import HandlerSettings
from ..speech.decoding.listeners import Playback
from ..speech.sentences import SentenceStream
from ..speech.synthesizer import Request, Synthesizer
from ..speech.workload import Workload
from . import event_data
from .event_data import BadEventError, VoiceChoice
from .event_reader import read_event

_LOGGER = logging.getLogger(__name__)

KOKORO = Attribution(name="hexgrad (Kokoro-82M)", url="https://huggingface.co/hexgrad/Kokoro-82M")


RECOMMENDED = "(Recommended) "
"""Before the default voice's description: Home Assistant lists a server's voices
sorted by description, and a new pipeline takes the first; "(" sorts before letters."""


HOME_ASSISTANT_READS = 200 * 1024
"""Bytes of an answer Home Assistant has before its player gets any: its ffmpeg,
converting the stream for the player, reads 200 KiB (4.3 s of ours) before it writes
a byte (2025.4 reads the whole answer first). Until then the fewest windows serve it
best: as soon, and no seam in its first words."""
HOME_ASSISTANT_GATHERS = HOME_ASSISTANT_READS / BYTES_PER_SECOND
"""The same in seconds of our audio: what its player gathers before it plays."""


def build_info(synthesizer: Synthesizer, streaming: bool) -> Info:
    default = synthesizer.default_voice.name
    voices = [
        TtsVoice(
            name=voice.name,
            description=(RECOMMENDED if voice.name == default else "") + voice.description,
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
    """A text stream being read."""

    voice: VoiceChoice
    playback: Playback
    """Its sentences play as one answer: each is due when the one before ends."""
    sentences: SentenceStream = field(default_factory=SentenceStream)
    said: bool = False
    """Whether any sentence of it was queued."""


@dataclass(frozen=True)
class _Job:
    request: Request
    playback: Playback


@dataclass(frozen=True)
class _StreamEnd:
    """Marks the end of a text stream: answered with synthesize-stopped."""

    said: bool
    """Whether the stream had anything to say: one that had not is answered with
    a short silence first."""


class KokoroEventHandler(AsyncEventHandler):
    """One connection.

    Every error ends the exchange in a way any client sees, since Home
    Assistant ignores `error` events and reads until `audio-stop` (or
    `synthesize-stopped` when streaming) or until the connection closes: the
    error goes out, then whatever was opened is closed, then the connection.
    """

    def __init__(
        self,
        info: Info,
        synthesizer: Synthesizer,
        settings: HandlerSettings,
        workload: Workload,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        super().__init__(reader, writer)
        self._info_event = info.event()
        self._synthesizer = synthesizer
        self._settings = settings
        self._workload = workload
        self._busy = False
        self._closing = False
        self._audio_open = False
        """audio-start was sent and its audio-stop not yet."""
        self._streams_open = 0
        """Streams begun whose synthesize-stopped is not sent yet."""
        self._stream: _Stream | None = None
        self._jobs: asyncio.Queue[_Job | _StreamEnd] = asyncio.Queue()
        self._worker = asyncio.create_task(self._work(), name="kokoro speaker")

    async def run(self) -> None:
        try:
            while not self._closing and (event := await self._next_event()) is not None:
                await self.handle_event(event)
        except KokoroError as err:  # what was read is not an event, or a bad one
            _LOGGER.debug("Closing a connection: %s", err)
            await self._fail(*wire_error(err))
        except ConnectionError:
            _LOGGER.debug("Client gone")
        finally:
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
            text, voice = event_data.synthesize(event)
            # While streaming, `synthesize` only repeats the text for older servers.
            if self._stream is None:
                self._jobs.put_nowait(
                    _Job(
                        self._request(voice, text),
                        self._home_assistant(),
                    )
                )
        elif not self._settings.streaming:
            _LOGGER.debug("Ignoring %s: streaming is turned off", event.type)
        elif SynthesizeStart.is_type(event.type):
            self._start_stream(event_data.synthesize_start(event))
        elif SynthesizeChunk.is_type(event.type):
            self._add_to_stream(event_data.synthesize_chunk(event))
        elif SynthesizeStop.is_type(event.type):
            if self._stream is None:
                raise BadEventError("synthesize-stop without synthesize-start")
            self._end_stream()
        else:
            _LOGGER.debug("Ignoring event of type %s", event.type)
        return True

    async def disconnect(self) -> None:
        self._worker.cancel()

    async def stop(self) -> None:
        """The server is stopping: a client waiting for audio is told why it ends."""
        if self._busy or not self._jobs.empty():
            await self._fail(ErrorCode.STOPPING, "The server is stopping")
        await super().stop()

    def _start_stream(self, voice: VoiceChoice) -> None:
        if self._stream is not None:
            # Ending the earlier stream keeps every client's view consistent: its
            # audio, then its synthesize-stopped, then the new stream's.
            _LOGGER.warning("synthesize-start inside a stream: the earlier stream ends here")
            self._end_stream()
        self._stream = _Stream(voice, self._home_assistant())
        self._streams_open += 1

    def _add_to_stream(self, text: str) -> None:
        if self._stream is None:
            raise BadEventError("synthesize-chunk without synthesize-start")
        for sentence in self._stream.sentences.add(text):
            self._queue_sentence(self._stream, sentence)

    def _end_stream(self) -> None:
        assert self._stream is not None
        if rest := self._stream.sentences.finish():
            self._queue_sentence(self._stream, rest)
        said = self._stream.said
        self._stream = None
        self._jobs.put_nowait(_StreamEnd(said))

    def _home_assistant(self) -> Playback:
        """A player as Home Assistant's: one that gathers before it plays."""
        return self._synthesizer.playback(HOME_ASSISTANT_GATHERS)

    def _request(self, voice: VoiceChoice, text: str) -> Request:
        name = self._synthesizer.installed_or_default(voice.name, voice.language)
        return Request(text=text, voice=name, language=voice.language)

    def _queue_sentence(self, stream: _Stream, sentence: str) -> None:
        stream.said = True
        self._jobs.put_nowait(_Job(self._request(stream.voice, sentence), stream.playback))

    async def _work(self) -> None:
        """Answer the jobs in order; any way out but cancelling closes the connection."""
        try:
            while True:
                job = await self._jobs.get()
                self._busy = True
                if isinstance(job, _StreamEnd):
                    if not job.said:
                        await self._send_audio(_silence())
                    await self.write_event(SynthesizeStopped().event())
                    self._streams_open -= 1
                else:
                    await self._speak(job)
                self._busy = False
        except ConnectionError:
            _LOGGER.debug("Client gone while being answered")
        except Exception as err:
            code, text = wire_error(err, _LOGGER)
            if code is not ErrorCode.SYNTHESIS_FAILED:
                _LOGGER.info("Request refused: %s", err)
            await self._fail(code, text)
        self.writer.close()

    async def _speak(self, job: _Job) -> None:
        async with (
            self._workload.turn(),
            aclosing(self._synthesizer.stream(job.request, job.playback)) as audio,
        ):
            # The first piece is awaited before audio-start, so a bad voice or
            # text is answered with an error alone, not a half-opened stream.
            await self._send_audio(await anext(audio, b"") or _silence(), audio)

    async def _send_audio(self, first: bytes, rest: AsyncIterator[bytes] | None = None) -> None:
        """`first` and what `rest` makes, between audio-start and audio-stop."""
        chunk_bytes = self._settings.samples_per_chunk * SAMPLE_WIDTH * CHANNELS
        fmt = {"rate": SAMPLE_RATE, "width": SAMPLE_WIDTH, "channels": CHANNELS}
        await self.write_event(AudioStart(**fmt).event())
        self._audio_open = True
        pcm: bytes | None = first
        while pcm is not None:
            for offset in range(0, len(pcm), chunk_bytes):
                chunk = pcm[offset : offset + chunk_bytes]
                await self.write_event(AudioChunk(audio=chunk, **fmt).event())
            pcm = None if rest is None else await anext(rest, None)
        await self.write_event(AudioStop().event())
        self._audio_open = False

    async def _fail(self, code: ErrorCode, text: str) -> None:
        """Send the error, close what is open, in the order Home Assistant reads
        best, then close the connection."""
        if self._closing:
            return
        self._closing = True
        if asyncio.current_task() is not self._worker:
            self._worker.cancel()
            await asyncio.wait([self._worker])
        try:
            await self.write_event(Error(text=text, code=code).event())
            if self._audio_open:
                await self.write_event(AudioStop().event())
            if self._streams_open:
                await self.write_event(SynthesizeStopped().event())
        except Exception:  # the client is gone, or writing is what failed
            _LOGGER.debug("Could not end the exchange cleanly", exc_info=True)
        finally:
            self.writer.close()


def _silence() -> bytes:
    """What an answer with nothing to say sends: Home Assistant's conversion fails on
    an answer with no audio (the media player gets an HTTP error), and a tenth of a
    second of silence plays as nothing."""
    return bytes(int(0.1 * SAMPLE_RATE) * SAMPLE_WIDTH * CHANNELS)
