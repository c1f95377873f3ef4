"""The optional HTTP side: a page, health, Prometheus metrics, OpenAI's speech API.

GET  /                  the page: hear every voice, blend them, fix pronunciations
GET  /health            200 once the model is loaded and warm, 503 before
GET  /metrics           Prometheus text format
POST /v1/audio/speech   OpenAI's request: input, model, voice, response_format, speed
                        (and our own `pronunciations`, heard before they are saved)
GET  /v1/models         the model names the speech API accepts
GET  /v1/audio/voices   the voices it can be asked for, OpenAI's names first
POST /v1/phonemize      the phonemes the model would read for a text
GET  /api/voices        every voice with its language, gender, grade (for the page)
GET  /api/status        the model, the voices, uptime and speed, in words
GET  /api/lexicon       the lexicon's entries, or how to set one up
POST /api/lexicon       save {"word", "say"} into the lexicon file (say null: remove)

Every failure is a JSON error in OpenAI's shape with a fitting status, never an
HTML page. Speech streams as it is made; it shares the Wyoming side's turns.
With an API key set, /v1/ and /api/ want it as a bearer token; the page, /health
and /metrics are open, for people, health checks and scrapers. The lexicon is
saved only from this server's own page (a browser says where a request comes
from), so another site cannot change it.
"""

import asyncio
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from urllib.parse import urlparse

from aiohttp import web

from ..core.audio import SAMPLE_RATE
from ..core.errors import ErrorCode, KokoroError, wire_error
from ..core.settings import HttpSettings
from ..speech.synthesizer import Synthesizer
from ..speech.workload import Workload
from .encoding import Encoder
from .metrics import CONTENT_TYPE, Metrics
from .openai import (
    Alias,
    ApiRequestError,
    SpeechRequest,
    error_body,
    models_list,
    speech_events,
    speech_request,
    voice_aliases,
    voices_list,
)
from .page import (
    lexicon_edit,
    lexicon_info,
    page,
    phonemize_request,
    same_origin,
    status,
    voices_info,
)

_LOGGER = logging.getLogger(__name__)


@dataclass
class _State:
    settings: HttpSettings
    synthesizer: Synthesizer | None = None
    """Set once the model is loaded and warm."""
    workload: Workload | None = None
    metrics: Metrics | None = None
    aliases: dict[str, Alias] = field(default_factory=dict)
    started: float = field(default_factory=time.time)


_STATE = web.AppKey("state", _State)


@dataclass
class WebServer:
    runner: web.AppRunner
    state: _State

    def ready(self, synthesizer: Synthesizer, workload: Workload, metrics: Metrics) -> None:
        aliases = voice_aliases(
            synthesizer.voices, self.state.settings.openai_voices, synthesizer.language is None
        )
        _LOGGER.info("OpenAI voices: %s", ", ".join(f"{k}={a.voice}" for k, a in aliases.items()))
        self.state.aliases = aliases
        self.state.synthesizer = synthesizer
        self.state.workload = workload
        self.state.metrics = metrics

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_web(settings: HttpSettings) -> WebServer:
    """Serve HTTP on `settings.http_uri`; not ready until `ready()` is called."""
    parsed = urlparse(settings.http_uri or "")  # checked by check_settings
    state = _State(settings)
    app = web.Application(middlewares=[_json_errors, _api_key])
    app[_STATE] = state
    app.router.add_get("/", _page)
    app.router.add_get("/health", _health)
    app.router.add_get("/metrics", _metrics)
    app.router.add_post("/v1/audio/speech", _speech)
    app.router.add_get("/v1/models", _models)
    app.router.add_get("/v1/audio/voices", _voices)
    app.router.add_post("/v1/phonemize", _phonemize)
    app.router.add_get("/api/voices", _voices_info)
    app.router.add_get("/api/status", _status)
    app.router.add_get("/api/lexicon", _lexicon)
    app.router.add_post("/api/lexicon", _save_pronunciation)
    # A client gone mid-answer (the page's Stop) cancels its handler: the answer stops
    # then, not when its next audio finds the connection closed.
    runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
    await runner.setup()
    await web.TCPSite(runner, parsed.hostname, parsed.port).start()
    _LOGGER.info(
        "HTTP on %s (a page at /, /health, /metrics, OpenAI's /v1/audio/speech)",
        settings.http_uri,
    )
    return WebServer(runner, state)


class _ApiError(KokoroError):
    """A refusal of the HTTP side's own, answered in OpenAI's shape."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _json_errors(request: web.Request, handler: _Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiRequestError as err:
        code = ErrorCode.BAD_REQUEST
        return _error(code.http_status, str(err), code, err.param)
    except web.HTTPException as err:  # aiohttp's own: 404, 405, 413, ...
        return _error(err.status, err.reason)
    except Exception as err:
        code, message = wire_error(err, _LOGGER)
        return _error(code.http_status, message, code)


@web.middleware
async def _api_key(request: web.Request, handler: _Handler) -> web.StreamResponse:
    key = request.app[_STATE].settings.http_api_key
    if key and request.path.startswith(("/v1/", "/api/")):
        given = request.headers.get("Authorization", "")
        if not given.startswith("Bearer "):
            raise _ApiError(
                ErrorCode.INVALID_API_KEY,
                "No API key given: send it as 'Authorization: Bearer KEY'",
            )
        if not hmac.compare_digest(given.removeprefix("Bearer ").encode(), key.encode()):
            raise _ApiError(ErrorCode.INVALID_API_KEY, "Incorrect API key provided")
    return await handler(request)


def _ready(request: web.Request) -> tuple[Synthesizer, Workload]:
    state = request.app[_STATE]
    if state.synthesizer is None or state.workload is None:
        raise _ApiError(ErrorCode.STARTING, "The model is still loading")
    return state.synthesizer, state.workload


async def _health(request: web.Request) -> web.Response:
    _ready(request)
    return web.json_response({"status": "ok"})


async def _metrics(request: web.Request) -> web.Response:
    _ready(request)
    metrics = request.app[_STATE].metrics
    assert metrics is not None, "set with the synthesizer"
    return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE})


async def _models(request: web.Request) -> web.Response:
    return web.json_response(models_list())


async def _voices(request: web.Request) -> web.Response:
    synthesizer, _ = _ready(request)
    return web.json_response(voices_list(synthesizer.voices, request.app[_STATE].aliases))


async def _page(request: web.Request) -> web.Response:
    return web.Response(body=page(), content_type="text/html", charset="utf-8")


async def _voices_info(request: web.Request) -> web.Response:
    synthesizer, _ = _ready(request)
    return web.json_response(voices_info(synthesizer))


async def _status(request: web.Request) -> web.Response:
    synthesizer, _ = _ready(request)
    state = request.app[_STATE]
    assert state.metrics is not None, "set with the synthesizer"
    return web.json_response(status(synthesizer, state.metrics.summary, state.started))


async def _phonemize(request: web.Request) -> web.Response:
    synthesizer, _ = _ready(request)
    phonemes, plan = await synthesizer.phonemes(phonemize_request(await _json_body(request)))
    return web.json_response(
        {
            "phonemes": phonemes,
            "voice": plan.voice.name,
            "language": plan.language.tag,
            "g2p": synthesizer.g2p.name_of(plan.language),
        }
    )


async def _lexicon(request: web.Request) -> web.Response:
    synthesizer, _ = _ready(request)
    return web.json_response(lexicon_info(synthesizer.g2p.lexicon))


async def _save_pronunciation(request: web.Request) -> web.Response:
    synthesizer, _ = _ready(request)
    if not same_origin(request.headers):
        raise _ApiError(
            ErrorCode.NOT_THE_PAGE, "The lexicon can be changed only from this server's own page"
        )
    if request.content_type != "application/json":
        raise _ApiError(ErrorCode.NOT_JSON, "Send the entry as application/json")
    lexicon = synthesizer.g2p.lexicon
    if lexicon is None:
        raise _ApiError(ErrorCode.NO_LEXICON, lexicon_info(None)["how"])
    word, said = lexicon_edit(await _json_body(request))
    entries = await asyncio.to_thread(lexicon.save, word, said)
    _LOGGER.info("Lexicon: %s %s", word, f"said {said}" if said else "removed")
    return web.json_response({"path": str(lexicon.path), "entries": entries})


async def _speech(request: web.Request) -> web.StreamResponse:
    synthesizer, workload = _ready(request)
    speech = speech_request(await _json_body(request), request.app[_STATE].aliases)
    content_type = "text/event-stream" if speech.sse else speech.audio.content_type
    response = web.StreamResponse(
        headers={"Content-Type": content_type, "X-Sample-Rate": str(SAMPLE_RATE)}
    )
    encoder = Encoder(speech.audio)
    async with workload.turn(), aclosing(synthesizer.stream(speech.request)) as audio:
        # The first audio comes before the headers, so that a request that cannot
        # be spoken still gets its status; after them, audio goes out as made.
        pcm = await anext(audio, b"")
        response.enable_chunked_encoding()
        try:
            await response.prepare(request)
            await _send(response, speech, await _encoded(encoder, encoder.encode, pcm))
            async for pcm in audio:
                await _send(response, speech, await _encoded(encoder, encoder.encode, pcm))
            await _send(response, speech, await _encoded(encoder, encoder.finish), last=True)
        except ConnectionError:
            _LOGGER.debug("HTTP client gone mid-answer")
        except Exception:
            # The status is sent: breaking the connection is how the client learns.
            _LOGGER.exception("Speech failed after its first audio")
            if request.transport is not None:
                request.transport.close()
    return response


async def _encoded(encoder: Encoder, step: Callable[..., bytes], *pcm: bytes) -> bytes:
    """A codec's work off the loop, as the model's is; WAV and PCM need no thread."""
    return await asyncio.to_thread(step, *pcm) if encoder.compresses else step(*pcm)


async def _send(
    response: web.StreamResponse, speech: SpeechRequest, data: bytes, last: bool = False
) -> None:
    body = speech_events(speech, data, last) if speech.sse else data
    if body:
        await response.write(body)


async def _json_body(request: web.Request) -> object:
    try:
        body: object = await request.json()
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiRequestError("The body must be JSON") from err
    return body


def _error(
    status: int, message: str, code: str | None = None, param: str | None = None
) -> web.Response:
    return web.json_response(error_body(status, message, code, param), status=status)
