"""Run by the real Home Assistant's Python (script/home-assistant), not by pytest.

`python real_home_assistant.py PORT` sets up HA's Wyoming integration for our server
at PORT through its config flow, as a user does, and asks HA's own TTS for each case's audio as a
media player gets it (HA's ffmpeg conversion included). Prints one JSON line per case
and the voices HA lists for en_US, first to last.

`python real_home_assistant.py --timed RUNS NAME=PORT ...` times, for each server, what
HA's tts_proxy URL streams to a media player for a short and a three-sentence answer,
mp3 and 16 kHz wav: first byte and last after the message was set (the pipeline's TTS
stage). One JSON line per request."""

import asyncio
import json
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from homeassistant.components import tts
from homeassistant.components.tts.media_source import generate_media_source_id
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import async_test_home_assistant

SHORT = "The kitchen lights are on."
THREE_SENTENCES = (
    "Right now it is eighteen degrees and sunny. This afternoon brings a light breeze "
    "from the west. Tonight will be clear."
)
WAV_16K = {"preferred_format": "wav", "preferred_sample_rate": 16000}
CASES: dict[str, tuple[str, dict[str, object]]] = {
    "short, mp3": (SHORT, {}),
    "short, 16 kHz wav": (SHORT, WAV_16K),
    "three sentences, mp3": (THREE_SENTENCES, {}),
    "a named voice": (SHORT, {"voice": "jm_kumo"}),
    "empty text, mp3": ("", {}),
    "only spaces, 16 kHz wav": ("   ", WAV_16K),
    "only emoji, mp3": ("🙂🎉", {}),
    "a voice since removed, mp3": (SHORT, {"voice": "af_removed_since"}),
}
TIMED = ("short, mp3", "short, 16 kHz wav", "three sentences, mp3")
PIECES = [
    "Right now it is eighteen ",
    "degrees and sunny. This afternoon ",
    "brings a light breeze.",
]
"""A message as an LLM streams it, for an HA that streams (2026.2 and later)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def home_assistant() -> AsyncIterator[HomeAssistant]:
    """HA with its HTTP, ffmpeg and TTS set up."""
    with tempfile.TemporaryDirectory() as config:
        async with async_test_home_assistant(config_dir=config) as hass:
            http = {"server_port": free_port(), "server_host": ["127.0.0.1"]}
            for domain, conf in (("homeassistant", {}), ("http", http), ("ffmpeg", {})):
                assert await async_setup_component(hass, domain, {domain: conf})
            assert await async_setup_component(hass, "tts", {})
            yield hass


@asynccontextmanager
async def wyoming_entry(hass: HomeAssistant, port: int) -> AsyncIterator[str]:
    """Our server at `port` added as a user adds it (Settings, Add integration, Wyoming
    Protocol, host and port): its TTS entity."""
    flow = await hass.config_entries.flow.async_init("wyoming", context={"source": "user"})
    assert flow["type"] == "form", flow
    done = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"host": "127.0.0.1", "port": port}
    )
    assert done["type"] == "create_entry", done
    entry = done["result"]
    await hass.async_block_till_done()
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    yield next(entity.entity_id for entity in entities if entity.domain == "tts")
    await hass.config_entries.async_remove(entry.entry_id)


async def cases(port: int) -> None:
    async with home_assistant() as hass, wyoming_entry(hass, port) as engine:
        entity = hass.data[tts.DATA_COMPONENT].get_entity(engine)
        voices = [voice.voice_id for voice in entity.async_get_supported_voices("en_US")]
        print(json.dumps({"voices": voices}), flush=True)
        for case, (message, options) in CASES.items():
            media = generate_media_source_id(hass, message, engine, "en_US", options, False)
            try:
                extension, data = await tts.async_get_media_source_audio(hass, media)
                print(json.dumps({"case": case, "format": extension, "bytes": len(data)}))
            except Exception as err:  # what HA's media player would get: an error
                print(json.dumps({"case": case, "error": f"{type(err).__name__}: {err}"}))
        if hasattr(tts.ResultStream, "async_set_message_stream"):
            await streamed_in_pieces(hass, engine)


async def streamed_in_pieces(hass: HomeAssistant, engine: str) -> None:
    case = "a message in pieces, mp3"
    stream = tts.async_create_stream(hass, engine, "en_US", {})
    stream.async_set_message_stream(pieces(PIECES))
    try:
        data = b"".join([chunk async for chunk in stream.async_stream_result()])
        print(json.dumps({"case": case, "format": stream.extension, "bytes": len(data)}))
    except Exception as err:
        print(json.dumps({"case": case, "error": f"{type(err).__name__}: {err}"}))


async def pieces(texts: list[str]) -> AsyncIterator[str]:
    for text in texts:
        yield text


async def timed(runs: int, servers: dict[str, int]) -> None:
    streams = hasattr(tts.ResultStream, "async_set_message_stream")
    async with home_assistant() as hass:
        for name, port in servers.items():
            async with wyoming_entry(hass, port) as engine:
                await fetch(hass, engine, SHORT, {})  # warm up
                for run in range(runs):
                    for case in TIMED:
                        message, options = CASES[case]
                        result = await fetch(hass, engine, message, options)
                        print(json.dumps({"server": name, "case": case, "run": run, **result}))
                    if streams:  # as an LLM writes it: three words at a time
                        words = THREE_SENTENCES.split(" ")
                        chunks = [" ".join(words[i : i + 3]) + " " for i in range(0, len(words), 3)]
                        result = await fetch(hass, engine, chunks, {})
                        case = "three sentences streamed, mp3"
                        print(json.dumps({"server": name, "case": case, "run": run, **result}))


async def fetch(
    hass: HomeAssistant, engine: str, message: str | list[str], options: dict[str, object]
) -> dict[str, float]:
    """What a media player gets for `message` (a list: streamed in those pieces):
    seconds to its first byte and last."""
    manager = hass.data[tts.DATA_TTS_MANAGER]
    manager.mem_cache.clear()  # each request made anew, not replayed
    stream = manager.async_create_result_stream(
        engine=engine, use_file_cache=False, language="en_US", options=options
    )
    start = time.perf_counter()
    if isinstance(message, str):
        stream.async_set_message(message)
    else:
        stream.async_set_message_stream(pieces(message))
    first, size = None, 0
    async for chunk in stream.async_stream_result():  # what the tts_proxy view writes
        first = first or time.perf_counter() - start
        size += len(chunk)
    return {"first_byte": first or 0.0, "last_byte": time.perf_counter() - start, "bytes": size}


if __name__ == "__main__":
    if sys.argv[1] == "--timed":
        named = dict(arg.split("=") for arg in sys.argv[3:])
        asyncio.run(timed(int(sys.argv[2]), {name: int(port) for name, port in named.items()}))
    else:
        asyncio.run(cases(int(sys.argv[1])))
