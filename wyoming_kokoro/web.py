"""The optional HTTP side: health, Prometheus metrics, and OpenAI's speech API.

GET  /health            200 once the model is loaded and warm, 503 before
GET  /metrics           Prometheus text format
POST /v1/audio/speech   {"input", "voice", "speed", "response_format": wav|pcm}

Every failure is a JSON error in OpenAI's shape with a fitting status, never an
HTML page. Speech streams as it is made; it shares the Wyoming side's turns.
"""

import logging
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from aiohttp import web

from .audio import SAMPLE_RATE, wav_header
from .errors import request_error_code
from .metrics import CONTENT_TYPE
from .synthesizer import Request, Synthesizer
from .workload import Workload

_LOGGER = logging.getLogger(__name__)

_FORMATS = {"wav": "audio/wav", "pcm": "audio/pcm"}
_STATUS = {"bad-request": 400, "busy": 503}


@dataclass
class _State:
    synthesizer: Synthesizer | None = None
    """Set once the model is loaded and warm."""
    workload: Workload | None = None


_STATE = web.AppKey("state", _State)


@dataclass
class WebServer:
    runner: web.AppRunner
    state: _State

    def ready(self, synthesizer: Synthesizer, workload: Workload) -> None:
        self.state.synthesizer = synthesizer
        self.state.workload = workload

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_web(uri: str) -> WebServer:
    """Serve HTTP on `uri` (http://HOST:PORT); not ready until `ready()` is called."""
    parsed = urlparse(uri)
    if parsed.scheme != "http" or parsed.port is None:
        raise ValueError(f"--http-uri must look like http://HOST:PORT, not {uri!r}")
    state = _State()
    app = web.Application(middlewares=[_json_errors])
    app[_STATE] = state
    app.router.add_get("/health", _health)
    app.router.add_get("/metrics", _metrics)
    app.router.add_post("/v1/audio/speech", _speech)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, parsed.hostname or "0.0.0.0", parsed.port).start()
    _LOGGER.info("HTTP on %s (/health, /metrics, /v1/audio/speech)", uri)
    return WebServer(runner, state)


class _ApiError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@web.middleware
async def _json_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except _ApiError as err:
        return _error(err.status, str(err), err.code)
    except web.HTTPException as err:  # aiohttp's own: 404, 405, 413, ...
        return _error(err.status, err.reason)
    except Exception as err:
        if (code := request_error_code(err)) is not None:
            return _error(_STATUS[code], str(err), code)
        _LOGGER.exception("HTTP request failed")
        return _error(500, f"Synthesis failed: {err}", "synthesis-failed")


def _ready(request: web.Request) -> tuple[Synthesizer, Workload]:
    state = request.app[_STATE]
    if state.synthesizer is None or state.workload is None:
        raise _ApiError(503, "The model is still loading", "starting")
    return state.synthesizer, state.workload


async def _health(request: web.Request) -> web.Response:
    _ready(request)
    return web.json_response({"status": "ok"})


async def _metrics(request: web.Request) -> web.Response:
    synthesizer, _ = _ready(request)
    return web.Response(body=synthesizer.metrics.render(), headers={"Content-Type": CONTENT_TYPE})


async def _speech(request: web.Request) -> web.StreamResponse:
    synthesizer, workload = _ready(request)
    speech, response_format = _speech_request(await _json_body(request))
    response = web.StreamResponse(
        headers={"Content-Type": _FORMATS[response_format], "X-Sample-Rate": str(SAMPLE_RATE)}
    )
    async with workload.turn(), aclosing(synthesizer.stream(speech)) as audio:
        # The first piece comes before the headers, so that a request that cannot
        # be spoken still gets its status; after them, audio goes out as made.
        pcm = await anext(audio, b"")
        response.enable_chunked_encoding()
        try:
            await response.prepare(request)
            if response_format == "wav":
                await response.write(wav_header())
            await response.write(pcm)
            async for pcm in audio:
                await response.write(pcm)
        except ConnectionError:
            _LOGGER.debug("HTTP client gone mid-answer")
        except Exception:
            # The status is sent: breaking the connection is how the client learns.
            _LOGGER.exception("Speech failed after its first audio")
            if request.transport is not None:
                request.transport.close()
    return response


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError) as err:
        raise _ApiError(400, "The body must be JSON", "bad-request") from err
    if not isinstance(body, dict):
        raise _ApiError(400, "The body must be a JSON object", "bad-request")
    return body


def _speech_request(body: dict[str, Any]) -> tuple[Request, str]:
    text = body.get("input")
    if not isinstance(text, str):
        raise _ApiError(400, "'input' (the text to speak) must be a string", "bad-request")
    voice = body.get("voice")
    if voice is not None and not isinstance(voice, str):
        raise _ApiError(400, "'voice' must be a string", "bad-request")
    speed = body.get("speed")
    if speed is not None and (isinstance(speed, bool) or not isinstance(speed, int | float)):
        raise _ApiError(400, "'speed' must be a number", "bad-request")
    response_format = body.get("response_format", "wav")
    if response_format not in _FORMATS:
        raise _ApiError(400, "'response_format' must be wav or pcm", "bad-request")
    speech = Request(text=text, voice=voice or None, speed=None if speed is None else float(speed))
    return speech, response_format


def _error(status: int, message: str, code: str | None = None) -> web.Response:
    return web.json_response(
        {
            "error": {
                "message": message,
                "type": _ERROR_TYPES.get(status, "server_error"),
                "param": None,
                "code": code,
            }
        },
        status=status,
    )


_ERROR_TYPES = {400: "invalid_request_error", 404: "invalid_request_error", 503: "server_error"}
