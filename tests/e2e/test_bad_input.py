"""Whatever a client sends, it gets audio or a clear error, and the server keeps serving."""

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import Describe
from wyoming.tts import (
    Synthesize,
    SynthesizeVoice,
)

from support.server import (
    Server,
    freed_after_client_left,
    loudness,
    metric,
    request,
    run_server,
    seconds,
    still_serves,
    synthesize,
)

MAX_TEXT = 600
IDLE = 2.0


@pytest.fixture(scope="module")
def strict_server(
    data_dir: Path, tmp_path_factory: pytest.TempPathFactory, http_port: int
) -> Iterator[Server]:
    with run_server(
        data_dir,
        tmp_path_factory.mktemp("logs"),
        "--language", "en_US",
        "--max-text-chars", str(MAX_TEXT),
        "--idle-timeout", str(IDLE),
        "--http-uri", f"http://127.0.0.1:{http_port}",
    ) as server:  # fmt: skip
        yield server
        assert "Traceback" not in server.log_text()
        assert " ERROR " not in server.log_text()


async def speak(server: Server, text: str, **voice: str) -> tuple[list[str], list]:
    event = Synthesize(text=text, voice=SynthesizeVoice(**voice) if voice else None).event()
    reply = await synthesize(server, event)
    return reply.types, reply.groups()


@pytest.mark.parametrize("text", ["", "   \n\t ", "🙂🎉", "\u200b\u200b", "?!... --"])
async def test_nothing_to_say_is_a_short_silence(strict_server: Server, text: str) -> None:
    """Home Assistant's conversion fails on an answer with no audio: its media player
    would get an HTTP error (an automation whose template renders empty)."""
    types, groups = await speak(strict_server, text)
    assert types[0] == "audio-start" and types[-1] == "audio-stop"
    assert "error" not in types
    if text != "?!... --":  # the model reads punctuation alone as a breath
        assert [len(audio) for audio in groups] == [2400] and not groups[0].any()


@pytest.mark.parametrize(
    "text",
    [
        "Lights\x00 on\x07 in the\x1b kitchen.",
        "Hello 世界, привет мир, שלום.",
        "The code is 1234567890123456789012345678901234567890.",
        # misaki raises on this number; espeak reads it instead.
        "Count: " + "9" * 400 + ".",
    ],
)
async def test_odd_text_is_spoken(strict_server: Server, text: str) -> None:
    types, groups = await speak(strict_server, text)
    assert types[0] == "audio-start" and types[-1] == "audio-stop"
    assert seconds(groups[0]) > 1.0 and loudness(groups[0]) > 0.02


async def test_text_over_the_limit_is_refused_and_under_it_spoken_in_full(
    strict_server: Server,
) -> None:
    huge = "Lights on. " * (1_000_000 // 11)
    types, _ = await speak(strict_server, huge)
    assert types == ["error"]
    sentence = "The hallway light turned on at seven. "
    just_under = (sentence * (MAX_TEXT // len(sentence)))[:MAX_TEXT]
    types, groups = await speak(strict_server, just_under)
    assert types[-1] == "audio-stop"
    # About 90 words: every one of them is spoken, none cut off.
    assert seconds(groups[0]) > 0.25 * len(just_under.split())
    await still_serves(strict_server)


async def test_the_error_for_too_long_text_says_why(strict_server: Server) -> None:
    async with strict_server.client() as client:
        reply = await request(client, [Synthesize(text="x " * MAX_TEXT).event()], until="error")
    assert "--max-text-chars" in Error.from_event(reply.events[-1]).text


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "af_heart\x00", ""])
async def test_voice_names_are_never_paths(strict_server: Server, name: str) -> None:
    async with strict_server.client() as client:
        voice = SynthesizeVoice(name=name)
        reply = await request(
            client, [Synthesize(text="Hi.", voice=voice).event()], until="audio-stop"
        )
    # Not a file anyone opens: a name not installed, spoken by the default voice.
    assert reply.types[0] == "audio-start" and reply.types[-1] == "audio-stop"
    assert loudness(reply.groups()[0]) > 0.02
    if name:
        assert f"Voice {name!r} is not installed: jf_gongitsune speaks" in strict_server.log_text()


async def raw_exchange(server: Server, raw: bytes, timeout: float = 10.0) -> list[dict]:
    """Send raw bytes; return the headers of what comes back until the server closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(raw)
    await writer.drain()
    headers = []
    async with asyncio.timeout(timeout):
        while line := await reader.readline():
            header = json.loads(line)
            if header.get("data_length"):
                header["data"] = json.loads(await reader.readexactly(header["data_length"]))
            if header.get("payload_length"):
                await reader.readexactly(header["payload_length"])
            headers.append(header)
    writer.close()
    return headers


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"this is not json\n", "not JSON"),
        (b"\xc3\x28\xa0\xa1\n", "not UTF-8"),
        (b'{"data": {"text": "hi"}}\n', "no type"),
        (b'{"type": "synthesize", "data_length": 999999999}\n', "over this server's limit"),
        (b'{"type": "synthesize", "data_length": 50000}\n{"text": "hi"}', "stalled"),
        (b'{"type": "audio-chunk", "payload_length": 99999999999}\n', "over this server's limit"),
    ],
)
async def test_broken_events_get_an_error_and_the_connection_closes(
    strict_server: Server, raw: bytes, message: str
) -> None:
    headers = await raw_exchange(strict_server, raw, timeout=IDLE + 10)
    assert [h["type"] for h in headers] == ["error"]
    assert message in headers[0]["data"]["text"]
    await still_serves(strict_server)


async def test_unknown_events_are_ignored(strict_server: Server) -> None:
    async with strict_server.client() as client:
        await client.write_event(Event(type="launch-rockets", data={"count": 3}))
        reply = await request(client, [Describe().event()], until="info")
    assert reply.types == ["info"]


async def test_a_client_that_leaves_mid_synthesis_frees_the_server(
    strict_server: Server, http_port: int
) -> None:
    long_text = "The weather will change often during the day today. " * 11
    async with strict_server.client() as client:
        await client.write_event(Synthesize(text=long_text).event())
        first = await client.read_event()
        assert first is not None and first.type == "audio-start"
        produced = metric(http_port, "kokoro_audio_seconds_total")
    await freed_after_client_left(strict_server, http_port, produced)


async def test_a_silent_client_is_closed_after_the_idle_timeout(strict_server: Server) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", strict_server.port)
    start = time.perf_counter()
    async with asyncio.timeout(IDLE + 10):
        assert await reader.read() == b""
    assert time.perf_counter() - start > IDLE - 0.5
    writer.close()
