"""The HTTP side before the model is ready, its refusals (JSON in OpenAI's shape), and a
client that leaves mid-answer."""

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from wyoming_kokoro.core.settings import HttpSettings
from wyoming_kokoro.http.app import WebServer, start_web
from wyoming_kokoro.speech.synthesizer import Request
from wyoming_kokoro.speech.workload import Workload


@pytest.fixture
async def loading() -> AsyncIterator[tuple[WebServer, str]]:
    """A server whose model is still loading, with an API key."""
    web = await start_web(HttpSettings(http_uri="http://127.0.0.1:0", http_api_key="sesame"))
    host, port = web.runner.addresses[0][:2]
    try:
        yield web, f"http://{host}:{port}"
    finally:
        await web.stop()


async def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as reply:
        assert reply.content_type == "application/json"
        return reply.status, json.loads(await reply.read())


async def test_health_says_starting_until_ready(loading: tuple[WebServer, str]) -> None:
    status, body = await get(loading[1] + "/health")
    assert status == 503 and body["error"]["code"] == "starting"
    assert body["error"]["type"] == "server_error"


async def test_the_api_wants_its_key(loading: tuple[WebServer, str]) -> None:
    status, body = await get(loading[1] + "/v1/models")
    assert status == 401 and "Bearer" in body["error"]["message"]
    status, body = await get(loading[1] + "/v1/models", {"Authorization": "Bearer nope"})
    assert status == 401 and body["error"]["code"] == "invalid_api_key"
    status, body = await get(loading[1] + "/v1/models", {"Authorization": "Bearer sesame"})
    assert status == 200 and "tts-1" in {model["id"] for model in body["data"]}


async def test_an_unknown_path_is_a_json_404(loading: tuple[WebServer, str]) -> None:
    status, body = await get(loading[1] + "/nowhere")
    assert status == 404 and body["error"]["type"] == "invalid_request_error"


class _Endless:
    """A synthesizer whose answer's first audio comes, and then nothing."""

    def __init__(self) -> None:
        self.ended = asyncio.Event()

    async def stream(self, request: Request) -> AsyncIterator[bytes]:
        try:
            yield bytes(4800)
            await asyncio.Event().wait()
        finally:
            self.ended.set()


async def test_an_answer_ends_when_its_client_leaves(loading: tuple[WebServer, str]) -> None:
    """Not when its next audio would find the connection closed: the model is free then."""
    web, url = loading
    endless = _Endless()
    web.state.synthesizer = endless  # type: ignore[assignment]
    web.state.workload = Workload(1, 1)
    body = {"input": "The lights are on.", "response_format": "pcm"}
    async with aiohttp.ClientSession() as session:
        reply = await session.post(
            url + "/v1/audio/speech", json=body, headers={"Authorization": "Bearer sesame"}
        )
        assert reply.status == 200 and await reply.content.readany()
        reply.close()  # gone mid-answer
        async with asyncio.timeout(30):
            await endless.ended.wait()
