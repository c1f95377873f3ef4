"""Text in, PCM out: the one place that knows the order of the steps.

normalize -> sentences (G2P) -> model, window by window -> trimmed PCM. In the
server, G2P runs on a thread of its own and the model on the scheduler's, so the
next sentence is phonemized while the model reads the current one and the event
loop is free; each window is one turn on the model, given to the listener whose
audio runs out first, and sized to be ready before any listener's does.
"""

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import onnxruntime as ort

from ..core.audio import BYTES_PER_SECOND
from ..core.errors import BadRequestError
from ..core.languages import ENGLISH, Language, find_language
from ..core.settings import SPEEDS, SpeechSettings, check_speech
from .cache import AudioCache
from .decoding.listeners import Playback
from .decoding.output import to_pcm
from .decoding.paced import PacedDecoder
from .decoding.plan import NOTHING_FOLLOWS, Following
from .decoding.scheduler import ModelScheduler
from .engine import MAX_PHONEMES
from .g2p import G2P
from .lexicon import Pronunciations, WithLexicon
from .normalize import normalize
from .sentences import Piece, plan_pieces
from .voices import UnknownVoiceError, Voice, VoiceCatalog

_LOGGER = logging.getLogger(__name__)


class Observer(Protocol):
    """What the synthesizer tells about each streamed request."""

    def started(self) -> None: ...
    def first_audio(self, seconds: float) -> None: ...
    def finished(self, audio_seconds: float, elapsed: float) -> None: ...
    def failed(self, err: Exception) -> None: ...


class _Unobserved:
    def started(self) -> None:
        pass

    def first_audio(self, seconds: float) -> None:
        pass

    def finished(self, audio_seconds: float, elapsed: float) -> None:
        pass

    def failed(self, err: Exception) -> None:
        pass


class RequestError(BadRequestError):
    """A request that cannot be spoken as asked; the message is for the client."""


@dataclass(frozen=True)
class Request:
    text: str
    voice: str | None = None
    language: str | None = None
    speed: float | None = None
    pronunciations: Pronunciations | None = None
    """Said this way in this request, before the lexicon: a pronunciation heard
    before it is saved."""


@dataclass(frozen=True)
class Plan:
    """A request made concrete: who speaks what, in which language."""

    text: str
    voice: Voice
    language: Language
    speed: float
    pronunciations: Pronunciations | None = None


class Synthesizer:
    def __init__(
        self, paced: PacedDecoder, voices: VoiceCatalog, g2p: G2P, settings: SpeechSettings
    ) -> None:
        """`paced`: the model's decoder and its listeners, shared by every synthesizer
        of one model (its throughput is the machine's)."""
        self.paced = paced
        self.engine = paced.engine
        self.voices = voices
        self.g2p = g2p
        self.settings = settings
        check_speech(settings)
        self.language = find_language(settings.language) if settings.language else None
        self.default_voice = _default_voice(voices, settings.voice)
        self.observer: Observer = _Unobserved()
        """Told how each request went: the server's metrics."""
        self.cache = AudioCache(int(settings.cache_mb * 1024 * 1024))
        self._g2p_thread = ThreadPoolExecutor(1, thread_name_prefix="g2p")
        self.scheduler = ModelScheduler()
        self._missing_voices: set[str] = set()

    def close(self) -> None:
        self._g2p_thread.shutdown(wait=False, cancel_futures=True)
        self.scheduler.close()

    def languages_of(self, voice: Voice) -> list[str]:
        return self.g2p.languages_for(voice, self.language)

    def warm_up(self) -> float:
        """Load what a request that names nothing needs, and run the model once, so
        that the first request does not pay for it; seconds."""
        start = time.perf_counter()
        plan = self.plan_default()
        # Loading G2P (spaCy) is mostly Python, the model's first run mostly not:
        # side by side they take the time of the longer. Timing the decoder waits
        # until nothing else runs.
        loading = self._g2p_thread.submit(self.g2p.phonemizer, plan.language)
        front = self.engine.warm_up(plan.voice)
        loading.result()
        self.paced.measure(front)
        return time.perf_counter() - start

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
        if speed not in SPEEDS:
            raise RequestError(f"Speed {speed} is outside {SPEEDS}")
        text = normalize(request.text, language, self.settings.normalize)
        return Plan(text, voice, language, speed, request.pronunciations)

    def installed_or_default(self, voice: str | None, language: str | None) -> str | None:
        """`voice` where it is installed (or blends installed ones), else None: the
        language's default voice, or the server's, speaks instead. For clients that
        read no error (Home Assistant plays nothing then): a voice removed or renamed
        after a pipeline was set up. Warned once a voice name."""
        if voice is None:
            return None
        try:
            self.voices.get(voice)
        except UnknownVoiceError:
            if voice not in self._missing_voices:
                self._missing_voices.add(voice)
                used = self.plan(Request(text="", language=language)).voice.name
                _LOGGER.warning("Voice %r is not installed: %s speaks instead", voice, used)
            return None
        return voice

    def plan_default(self) -> Plan:
        """What a request that names nothing gets."""
        return self.plan(Request(text=""))

    def pieces(self, plan: Plan) -> Iterator[Piece]:
        phonemizer = self.g2p.phonemizer(plan.language)
        if plan.pronunciations is not None:
            phonemizer = WithLexicon(phonemizer, plan.pronunciations)
        return plan_pieces(plan.text, phonemizer, MAX_PHONEMES)

    async def phonemes(self, request: Request) -> tuple[str, Plan]:
        """The phonemes the model would read for `request`, and its plan."""

        def phonemize() -> tuple[str, Plan]:
            plan = self.plan(request)
            return " ".join(piece.phonemes for piece in self.pieces(plan)), plan

        return await asyncio.get_running_loop().run_in_executor(self._g2p_thread, phonemize)

    def render(
        self,
        piece: Piece,
        plan: Plan,
        playback: Playback | None,
        following: Following = NOTHING_FOLLOWS,
        stop: ort.RunOptions | None = None,
    ) -> Iterator[bytes]:
        """One piece as PCM, window by window, each ready before `playback`, or
        another answer's player, runs dry (None: no one is listening yet, so as few
        windows as the decoder's memory allows), and what follows it in time too.
        `stop`: the answer's, which ends its model runs once it is abandoned."""
        front = self.engine.front(piece.phonemes, plan.voice, plan.speed, stop)
        if front is not None:
            for audio in self.paced.windows(front, playback, piece.pause, following):
                yield to_pcm(audio)

    def playback(self, gathers: float = 0.0) -> Playback:
        """A listener's player for a new answer, which plays once it has `gathers`
        seconds of audio."""
        return self.paced.listeners.playback(gathers)

    def speak(self, request: Request, playback: Playback | None = None) -> Iterator[bytes]:
        """PCM on the calling thread (for the command line): paced for `playback`
        as the server paces it, or, with no one listening, in the fewest windows."""
        return self.speak_plan(self.plan(request), playback)

    def speak_plan(self, plan: Plan, playback: Playback | None = None) -> Iterator[bytes]:
        """`speak` for a request already planned."""
        for piece in self.pieces(plan):
            yield from self.render(piece, plan, playback)

    async def stream(
        self, request: Request, playback: Playback | None = None
    ) -> AsyncGenerator[bytes, None]:
        """PCM window by window, each as soon as the decoder has made it.

        `playback`: the listener's clock, when this request continues one that is
        still playing (a stream's next sentence)."""
        self.observer.started()
        playback = playback or self.playback()
        start = time.perf_counter()
        seconds = 0.0
        loop = asyncio.get_running_loop()
        try:
            # Normalizing a long text takes a while: not on the event loop.
            plan = await loop.run_in_executor(self._g2p_thread, self.plan, request)
            _LOGGER.debug("%s reads %s: %s", plan.voice.name, plan.language.tag, plan.text)
            lexicon = self.g2p.lexicon.version if self.g2p.lexicon else None
            own = tuple(sorted(plan.pronunciations.entries.items())) if plan.pronunciations else ()
            key = (plan.text, plan.voice.name, plan.language.tag, plan.speed, lexicon, own)
            cached = self.cache.get(key)
            to_cache: list[bytes] | None = [] if cached is None and self.cache.max_bytes else None
            audio = self._synthesize(plan, playback) if cached is None else _replay(cached)
            async for pcm in audio:
                if pcm and seconds == 0.0:
                    self.observer.first_audio(time.perf_counter() - start)
                seconds += len(pcm) / BYTES_PER_SECOND
                if to_cache is not None:
                    to_cache.append(pcm)
                    if seconds * BYTES_PER_SECOND > self.cache.max_bytes:
                        to_cache = None  # will not fit: not kept
                yield pcm
            if to_cache is not None:
                self.cache.put(key, to_cache)
        except Exception as err:
            self.observer.failed(err)
            raise
        self.observer.finished(seconds, time.perf_counter() - start)

    async def _synthesize(self, plan: Plan, playback: Playback) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        # A language's first use loads its G2P (dictionaries, spaCy): not on the loop.
        pieces = await loop.run_in_executor(self._g2p_thread, self.pieces, plan)
        next_piece = loop.run_in_executor(self._g2p_thread, next, pieces, None)
        kept: list[bytes] = []
        # Its runs end as soon as its listener has gone (Stop pressed, a pipeline cut
        # short), not a window later: the next answer waits for nothing.
        stop = ort.RunOptions()
        with self.paced.listeners.listening(playback):
            while (piece := await next_piece) is not None:
                next_piece = loop.run_in_executor(self._g2p_thread, next, pieces, None)
                following = Following(
                    piece.chars_after / max(1, len(piece.text)), piece.pieces_after
                )
                windows = self.render(piece, plan, playback, following, stop)
                window = partial(next, windows, None)
                while (pcm := await self.scheduler.run(playback.due, window, stop)) is not None:
                    # A decoder slower than speech: held back until the rest will
                    # come in time (plan.held).
                    if pcm:
                        kept.append(pcm)
                    if not playback.holding:
                        for held in kept:
                            yield held
                        kept.clear()
        for held in kept:  # the answer was shorter than estimated
            yield held


def _default_voice(voices: VoiceCatalog, configured: str | None) -> Voice:
    """The configured voice; if it is not installed (af_heart in a config written for
    the full download, on the offline bundle), the best installed one: a server that
    refuses to start over its default voice would restart forever under Docker."""
    if configured:
        try:
            return voices.get(configured)
        except UnknownVoiceError as err:
            _LOGGER.warning(
                "Default voice (--voice, KOKORO_VOICE): %s; using %s instead",
                err,
                voices.default().name,
            )
    return voices.default()


async def _replay(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for pcm in chunks:
        yield pcm
