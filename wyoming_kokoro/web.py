"""The optional HTTP side: health, Prometheus metrics, and OpenAI's speech API.

GET  /health            200 once the model is loaded and warm, 503 before
GET  /metrics           Prometheus text format
POST /v1/audio/speech   {"input", "voice", "speed", "response_format": wav|pcm}
"""

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from aiohttp import web

from .audio import SAMPLE_RATE, wav_bytes
from .metrics import CONTENT_TYPE
from .synthesizer import Request, RequestError, Synthesizer
from .voices import UnknownVoiceError

_LOGGER = logging.getLogger(__name__)


@dataclass
class _State:
    synthesizer: Synthesizer | None = None
    """Set once the model is loaded and warm."""


_STATE = web.AppKey("state", _State)


@dataclass
class WebServer:
    runner: web.AppRunner
    state: _State

    def ready(self, synthesizer: Synthesizer) -> None:
        self.state.synthesizer = synthesizer

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_web(uri: str) -> WebServer:
    """Serve HTTP on `uri` (http://HOST:PORT); not ready until `ready()` is called."""
    parsed = urlparse(uri)
    if parsed.scheme != "http" or parsed.port is None:
        raise ValueError(f"--http-uri must look like http://HOST:PORT, not {uri!r}")
    state = _State()
    app = web.Application()
    app[_STATE] = state
    app.router.add_get("/health", _health)
    app.router.add_get("/metrics", _metrics)
    app.router.add_post("/v1/audio/speech", _speech)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, parsed.hostname or "0.0.0.0", parsed.port).start()
    _LOGGER.info("HTTP on %s (/health, /metrics, /v1/audio/speech)", uri)
    return WebServer(runner, state)


def _synthesizer(request: web.Request) -> Synthesizer | None:
    return request.app[_STATE].synthesizer


async def _health(request: web.Request) -> web.Response:
    if _synthesizer(request) is None:
        return web.json_response({"status": "starting"}, status=503)
    return web.json_response({"status": "ok"})


async def _metrics(request: web.Request) -> web.Response:
    synthesizer = _synthesizer(request)
    if synthesizer is None:
        return web.Response(status=503, text="starting")
    return web.Response(body=synthesizer.metrics.render(), headers={"Content-Type": CONTENT_TYPE})


async def _speech(request: web.Request) -> web.StreamResponse:
    synthesizer = _synthesizer(request)
    if synthesizer is None:
        return _error(503, "The model is still loading")
    try:
        body: Any = await request.json()
    except ValueError:
        return _error(400, "The body must be JSON")
    if not isinstance(body, dict) or not isinstance(body.get("input"), str):
        return _error(400, "'input' (the text to speak) is required")
    response_format = body.get("response_format", "wav")
    if response_format not in ("wav", "pcm"):
        return _error(400, "'response_format' must be wav or pcm")
    speed = body.get("speed")
    if speed is not None and not isinstance(speed, int | float):
        return _error(400, "'speed' must be a number")
    voice = body.get("voice")
    speech = Request(
        text=body["input"],
        voice=voice if isinstance(voice, str) and voice else None,
        speed=float(speed) if speed is not None else None,
    )
    try:
        pcm = b"".join([piece async for piece in synthesizer.stream(speech)])
    except (RequestError, UnknownVoiceError) as err:
        return _error(400, str(err))
    if response_format == "pcm":
        return web.Response(
            body=pcm, content_type="audio/pcm", headers={"X-Sample-Rate": str(SAMPLE_RATE)}
        )
    return web.Response(body=wav_bytes(pcm), content_type="audio/wav")


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": {"message": message}}, status=status)
