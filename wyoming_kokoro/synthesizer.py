"""Text in, PCM out: the one place that knows the order of the steps.

normalize -> plan pieces (G2P) -> model -> trimmed PCM, piece by piece. In the
server, G2P and the model each run on a thread of their own, so the next piece
is phonemized while the model reads the current one and the event loop is free.
"""

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .audio import BYTES_PER_SECOND, join_piece, to_pcm
from .cache import AudioCache
from .engine import Engine
from .g2p import G2P
from .languages import ENGLISH, Language, find_language
from .metrics import Metrics
from .normalize import normalize
from .text import Piece, plan_pieces
from .voices import Voice, VoiceCatalog

_LOGGER = logging.getLogger(__name__)

MIN_SPEED = 0.5
MAX_SPEED = 2.0


class RequestError(ValueError):
    """A request that cannot be spoken as asked; the message is for the client."""


@dataclass(frozen=True)
class SpeechSettings:
    voice: str | None = None
    """The voice when a request names none; None: the best installed."""

    language: str | None = None
    """The language when a request names none; None: the voice's own."""

    speed: float = 1.0
    max_text_chars: int = 100_000
    normalize: bool = True
    """Spell out markup, units, times and abbreviations before G2P."""

    cache_bytes: int = 0
    """Keep the audio of recent answers up to this size; 0: off."""


@dataclass(frozen=True)
class Request:
    text: str
    voice: str | None = None
    language: str | None = None
    speed: float | None = None
    quick_start: bool = True
    """Cut a short first phrase so audio starts soon; off where audio is playing."""


@dataclass(frozen=True)
class Plan:
    """A request made concrete: who speaks what, in which language."""

    text: str
    voice: Voice
    language: Language
    speed: float
    quick_start: bool = True


class Synthesizer:
    def __init__(
        self, engine: Engine, voices: VoiceCatalog, g2p: G2P, settings: SpeechSettings
    ) -> None:
        self.engine = engine
        self.voices = voices
        self.g2p = g2p
        self.settings = settings
        self.language = find_language(settings.language) if settings.language else None
        if settings.language and self.language is None:
            raise RequestError(f"Unknown language {settings.language!r}")
        self.default_voice = voices.get(settings.voice) if settings.voice else voices.default()
        self.metrics = Metrics(lambda: g2p.fallbacks)
        self.cache = AudioCache(settings.cache_bytes)
        self._g2p_thread = ThreadPoolExecutor(1, thread_name_prefix="g2p")
        self._model_thread = ThreadPoolExecutor(1, thread_name_prefix="model")

    def close(self) -> None:
        self._g2p_thread.shutdown(wait=False, cancel_futures=True)
        self._model_thread.shutdown(wait=False, cancel_futures=True)

    def languages_of(self, voice: Voice) -> list[str]:
        """The languages a voice is offered in: its own if it can be read, and the
        server's; a voice whose language has no G2P here reads English."""
        own = voice.language if self.g2p.supports(voice.language) else ENGLISH
        tags = [own.tag]
        if self.language is not None and self.language.tag not in tags:
            tags.append(self.language.tag)
        return tags

    def plan(self, request: Request) -> Plan:
        if len(request.text) > self.settings.max_text_chars:
            raise RequestError(
                f"Text is {len(request.text)} characters; this server speaks at most "
                f"{self.settings.max_text_chars} (--max-text-chars)"
            )
        language = find_language(request.language) if request.language else None
        if request.language and language is None:
            _LOGGER.warning("Unknown language %r in a request; ignoring it", request.language)
        if request.voice:
            voice = self.voices.get(request.voice)
        elif language is not None:
            voice = self.voices.for_language(language) or self.default_voice
        else:
            voice = self.default_voice
        language = language or self.language or voice.language
        if not self.g2p.supports(language):
            _LOGGER.debug("No G2P for %s; %s reads English", language.tag, voice.name)
            language = ENGLISH
        speed = request.speed if request.speed is not None else self.settings.speed
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise RequestError(f"Speed {speed} is outside {MIN_SPEED} to {MAX_SPEED}")
        text = normalize(request.text, language.tag, self.settings.normalize)
        return Plan(text, voice, language, speed, request.quick_start)

    def plan_default(self) -> Plan:
        """What a request that names nothing gets."""
        return self.plan(Request(text=""))

    def pieces(self, plan: Plan) -> Iterator[Piece]:
        return plan_pieces(
            plan.text, self.g2p.phonemizer(plan.language), quick_start=plan.quick_start
        )

    def render(self, piece: Piece, plan: Plan) -> bytes:
        """One piece as PCM, its edges trimmed and its pause added."""
        audio = self.engine.synthesize(piece.phonemes, plan.voice, plan.speed)
        return to_pcm(join_piece(audio, piece.pause))

    def speak(self, request: Request) -> Iterator[bytes]:
        """PCM piece by piece, on the calling thread (for the command line)."""
        plan = self.plan(request)
        for piece in self.pieces(plan):
            yield self.render(piece, plan)

    async def stream(self, request: Request) -> AsyncGenerator[bytes, None]:
        """PCM piece by piece, each as soon as the model has read it."""
        self.metrics.requests.inc()
        start = time.perf_counter()
        seconds = 0.0
        loop = asyncio.get_running_loop()
        try:
            # Normalizing a long text takes a while: not on the event loop.
            plan = await loop.run_in_executor(self._g2p_thread, self.plan, request)
            _LOGGER.debug("%s reads %s: %s", plan.voice.name, plan.language.tag, plan.text)
            key = (plan.text, plan.voice.name, plan.language.tag, plan.speed)
            cached = self.cache.get(key)
            made: list[bytes] = []
            async for pcm in self._pieces(plan) if cached is None else _replay(cached):
                if pcm and seconds == 0.0:
                    self.metrics.first_audio.observe(time.perf_counter() - start)
                seconds += len(pcm) / BYTES_PER_SECOND
                made.append(pcm)
                yield pcm
            if cached is None:
                self.cache.put(key, made)
        except Exception as err:
            self.metrics.errors.labels(type(err).__name__).inc()
            raise
        if seconds:
            self.metrics.audio_seconds.inc(seconds)
            self.metrics.real_time_factor.observe((time.perf_counter() - start) / seconds)

    async def _pieces(self, plan: Plan) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        # A language's first use loads its G2P (dictionaries, spaCy): not on the loop.
        pieces = await loop.run_in_executor(self._g2p_thread, self.pieces, plan)
        next_piece = loop.run_in_executor(self._g2p_thread, next, pieces, None)
        while (piece := await next_piece) is not None:
            next_piece = loop.run_in_executor(self._g2p_thread, next, pieces, None)
            yield await loop.run_in_executor(self._model_thread, self.render, piece, plan)


async def _replay(pieces: list[bytes]) -> AsyncIterator[bytes]:
    for pcm in pieces:
        yield pcm
