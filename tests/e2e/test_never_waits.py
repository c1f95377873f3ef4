"""No client is ever left waiting: read as Home Assistant reads, every exchange ends.

The server's idle timeout here is a minute: an exchange that ends within a quarter
of it, however slow the machine, was ended by the server's answer, not by the timeout.
"""

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wyoming.error import Error
from wyoming.event import Event
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeVoice

from support.server import (
    Server,
    describe_seconds_during,
    freed_after_client_left,
    loudness,
    metric,
    request,
    run_server,
    still_serves,
    synthesize,
    until_speaking,
)

from . import home_assistant as ha

MAX_TEXT = 600
IDLE_TIMEOUT = 60
ENDS_WITHIN = IDLE_TIMEOUT / 4
LONG_TEXT = "The weather will change often during the day today. " * 3


@pytest.fixture(scope="module")
def server(
    data_dir: Path, tmp_path_factory: pytest.TempPathFactory, http_port: int
) -> Iterator[Server]:
    with run_server(
        data_dir,
        tmp_path_factory.mktemp("logs"),
        "--language", "en_US",
        "--idle-timeout", str(IDLE_TIMEOUT),
        "--max-requests", "2",
        "--max-queue", "1",
        "--max-text-chars", str(MAX_TEXT),
        "--http-uri", f"http://127.0.0.1:{http_port}",
    ) as server:  # fmt: skip
        yield server
        assert "Traceback" not in server.log_text()


def error_text(answer: ha.Answer) -> str:
    errors = [Error.from_event(e).text for e in answer.events if e.type == "error"]
    assert len(errors) == 1, answer.types
    return errors[0]


async def test_a_removed_voice_is_spoken_by_the_default_one(server: Server) -> None:
    """Home Assistant reads no error: with one, a pipeline set up with a voice since
    removed would play nothing at all."""
    voice = SynthesizeVoice(name="af_removed_since")
    answer = await ha.synthesize(server, Synthesize(text="Hi.", voice=voice).event())
    assert answer.ended_by == "audio-stop" and answer.audio and "error" not in answer.types
    answer = await ha.stream(server, ["Hi there."], SynthesizeStart(voice=voice).event())
    assert answer.ended_by == "synthesize-stopped" and answer.audio
    assert "error" not in answer.types
    # Warned once, naming the voice that speaks instead.
    assert server.log_text().count("'af_removed_since' is not installed") == 1


async def test_an_empty_stream_is_a_short_silence(server: Server) -> None:
    answer = await ha.stream(server, [], SynthesizeStart().event())
    assert answer.ended_by == "synthesize-stopped"
    assert answer.types[0] == "audio-start" and answer.types[-2:] == [
        "audio-stop",
        "synthesize-stopped",
    ]
    assert len(answer.audio) == 4800 and not any(answer.audio)


async def test_text_over_the_limit_ends_the_exchange_at_once(server: Server) -> None:
    answer = await ha.synthesize(server, Synthesize(text="word " * MAX_TEXT).event())
    assert answer.failed and answer.seconds < ENDS_WITHIN
    assert "--max-text-chars" in error_text(answer)


@pytest.mark.parametrize(
    ("event_type", "data", "field"),
    [
        ("synthesize", {}, "'text' is missing"),
        ("synthesize", {"text": 42}, "'text' must be a string"),
        ("synthesize", {"text": "Hi.", "voice": "jf_alpha"}, "'voice' must be an object"),
        ("synthesize", {"text": "Hi.", "voice": {"name": 7}}, "'voice.name' must be a string"),
        ("synthesize", {"text": "Hi.", "voice": {"language": ["en"]}}, "'voice.language'"),
        ("synthesize", {"text": "Hi.", "context": "x"}, "'context' must be an object"),
        ("synthesize-start", {"voice": 3}, "'voice' must be an object"),
    ],
)
async def test_malformed_requests_get_an_error_naming_the_field(
    server: Server, event_type: str, data: dict[str, Any], field: str
) -> None:
    answer = await ha.exchange(server, [Event(event_type, data)], until="audio-stop")
    assert answer.failed and answer.seconds < ENDS_WITHIN
    assert field in error_text(answer)
    await still_serves(server)


@pytest.mark.parametrize(
    ("data", "field"),
    [({}, "'text' is missing"), ({"text": None}, "'text' is missing"), ({"text": []}, "'text'")],
)
async def test_malformed_chunks_end_the_stream(
    server: Server, data: dict[str, Any], field: str
) -> None:
    events = [SynthesizeStart().event(), Event("synthesize-chunk", data)]
    answer = await ha.exchange(server, events, until="synthesize-stopped")
    assert answer.seconds < ENDS_WITHIN
    assert field in error_text(answer)


async def test_stream_events_out_of_order_end_the_exchange(server: Server) -> None:
    for event in (SynthesizeChunk(text="Hi.").event(), Event("synthesize-stop")):
        answer = await ha.exchange(server, [event], until="synthesize-stopped")
        assert answer.failed and answer.seconds < ENDS_WITHIN
        assert "without synthesize-start" in error_text(answer)


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
JSON = st.recursive(
    SCALARS | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)
VOICE = (
    st.none()
    | JSON
    | st.fixed_dictionaries(
        {},
        optional={
            "name": JSON | st.sampled_from(["jf_alpha", "nobody"]),
            "language": JSON | st.just("en_US"),
            "speaker": JSON,
        },
    )
)
TEXT = JSON | st.sampled_from(["Hi.", "", "On."])
ANYTHING = st.dictionaries(st.text(max_size=6), JSON, max_size=2)
EVENTS = {
    "synthesize": st.fixed_dictionaries(
        {}, optional={"text": TEXT, "voice": VOICE, "context": JSON}
    ),
    "synthesize-start": st.fixed_dictionaries({}, optional={"voice": VOICE, "text_format": JSON}),
    "synthesize-chunk": st.fixed_dictionaries({}, optional={"text": TEXT}),
    "synthesize-stop": ANYTHING,
    "describe": ANYTHING,
}
UNTIL = {"synthesize": "audio-stop", "describe": "info"}


@pytest.mark.parametrize("event_type", list(EVENTS))
def test_any_event_data_gets_an_answer_that_ends(server: Server, event_type: str) -> None:
    """Whatever data an event carries, the exchange ends at once (audio, info, or an
    error and the close), and the server keeps serving."""

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(EVENTS[event_type])
    def check(data: dict[str, Any]) -> None:
        events = [Event(event_type, data)]
        if event_type in ("synthesize-chunk", "synthesize-stop"):
            events.insert(0, SynthesizeStart().event())
        if event_type in ("synthesize-start", "synthesize-chunk"):
            events.append(Event("synthesize-stop"))
        until = UNTIL.get(event_type, "synthesize-stopped")
        answer = asyncio.run(ha.exchange(server, events, until))
        assert answer.seconds < 10.0, (data, answer.types)
        if answer.ended_by == "closed":
            assert "error" in answer.types, (data, answer.types)
        if "error" in answer.types:  # then only what closes the exchange
            after = answer.types[answer.types.index("error") + 1 :]
            assert set(after) <= {"audio-stop", "synthesize-stopped"}, (data, answer.types)

    check()
    asyncio.run(still_serves(server))


async def test_a_second_start_ends_the_earlier_stream_consistently(server: Server) -> None:
    events = [
        SynthesizeStart().event(),
        SynthesizeChunk(text="First stream.").event(),
        SynthesizeStart().event(),
        SynthesizeChunk(text="Second stream.").event(),
        Event("synthesize-stop"),
    ]
    async with server.client() as client:
        first = await request(client, events, until="synthesize-stopped")
        second = await request(client, [], until="synthesize-stopped")
    assert "error" not in first.types + second.types
    assert len(first.groups()) == 1 and len(second.groups()) == 1
    assert loudness(second.groups()[0]) > 0.02


async def test_streamed_text_without_a_sentence_end_starts_speaking(server: Server) -> None:
    """An LLM writing a long list without a period: speech starts before the end."""
    words = ("red apples green pears yellow bananas ripe plums " * 8).split()
    async with server.client() as client:
        await client.write_event(SynthesizeStart().event())
        for word in words:
            await client.write_event(SynthesizeChunk(text=word + " ").event())
        async with asyncio.timeout(20):
            first = await client.read_event()
    assert first is not None and first.type == "audio-start"


async def test_idle_connections_never_block_a_request(server: Server) -> None:
    idle = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(200)]
    try:
        await still_serves(server)
    finally:
        for _, writer in idle:
            writer.close()


async def test_busy_only_when_the_queue_is_full(server: Server, http_port: int) -> None:
    """Two requests spoken at once and one waiting: the fourth is told busy at once."""
    event = Synthesize(text=LONG_TEXT).event()
    admitted = [asyncio.create_task(ha.synthesize(server, event)) for _ in range(3)]
    await until_speaking(http_port, speaking=2, waiting=1)
    busy = await ha.synthesize(server, event)
    assert busy.failed and busy.seconds < ENDS_WITHIN
    assert "busy" in error_text(busy).lower()
    for answer in await asyncio.gather(*admitted):
        assert answer.ended_by == "audio-stop" and "error" not in answer.types


def post(port: int, body: bytes, path: str = "/v1/audio/speech") -> tuple[int, Any]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        assert err.headers["Content-Type"].startswith("application/json")
        return err.code, json.loads(err.read())["error"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{not json", 400, "must be JSON"),
        (b"[1, 2]", 400, "JSON object"),
        (b'{"input": 5}', 400, "'input'"),
        (b'{"input": "Hi.", "voice": 5}', 400, "'voice' must be a voice name"),
        (b'{"input": "Hi.", "speed": "fast"}', 400, "'speed' must be a number"),
        (b'{"input": "Hi.", "voice": "nobody"}', 400, "'nobody' is not installed"),
        (json.dumps({"input": "word " * MAX_TEXT}).encode(), 400, "--max-text-chars"),
    ],
)
def test_http_failures_are_json_with_the_right_status(
    server: Server, http_port: int, body: bytes, status: int, message: str
) -> None:
    got, error = post(http_port, body)
    assert got == status
    assert message in error["message"]


def test_http_unknown_paths_are_json_too(server: Server, http_port: int) -> None:
    assert post(http_port, b"{}", "/v1/nowhere")[0] == 404


async def test_http_shares_the_work_limits(server: Server, http_port: int) -> None:
    event = Synthesize(text=LONG_TEXT).event()
    admitted = [asyncio.create_task(ha.synthesize(server, event)) for _ in range(3)]
    await until_speaking(http_port, speaking=2, waiting=1)
    body = json.dumps({"input": "Hi."}).encode()
    status, error = await asyncio.to_thread(post, http_port, body)
    assert status == 503 and "busy" in error["message"].lower()
    await asyncio.gather(*admitted)


async def test_http_client_gone_mid_answer_frees_the_server(server: Server, http_port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", http_port)
    body = json.dumps({"input": LONG_TEXT, "response_format": "pcm"}).encode()
    writer.write(
        b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    assert b"200" in await reader.readline()
    produced = metric(http_port, "kokoro_audio_seconds_total")
    writer.close()
    await freed_after_client_left(server, http_port, produced)


async def test_describe_stays_instant_while_a_new_language_loads(server: Server) -> None:
    """Japanese G2P (pyopenjtalk's dictionary) loads on first use, off the event loop."""
    event = Synthesize(text="こんにちは。", voice=SynthesizeVoice(language="ja_JP")).event()
    reply, latencies = await describe_seconds_during(server, synthesize(server, event))
    assert reply.types[-1] == "audio-stop"
    assert latencies and max(latencies) < max(reply.silences) / 2, (latencies, reply.silences)
