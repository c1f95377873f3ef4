import asyncio
import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wyoming_kokoro.core.errors import ProtocolError
from wyoming_kokoro.core.settings import Limits
from wyoming_kokoro.wyoming.event_reader import read_event

LIMITS = Limits(max_data_bytes=1000, max_payload_bytes=1000)


def reader_with(data: bytes, eof: bool = True) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    if eof:
        reader.feed_eof()
    return reader


async def test_a_well_formed_event_is_read() -> None:
    data = json.dumps({"text": "hi"}).encode()
    header = {"type": "synthesize", "data_length": len(data), "payload_length": 3}
    reader = reader_with(json.dumps(header).encode() + b"\n" + data + b"abc")
    event = await read_event(reader, LIMITS)
    assert event is not None
    assert (event.type, event.data, event.payload) == ("synthesize", {"text": "hi"}, b"abc")
    assert await read_event(reader, LIMITS) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json\n", "not JSON"),
        (b"\xff\xfe{}\n", "not UTF-8"),
        (b'{"data": {}}\n', "no type"),
        (b'{"type": 5}\n', "no type"),
        (b"[1, 2]\n", "not a JSON object"),
        (b'{"type": "x", "data": [1]}\n', "not a JSON object"),
        (b'{"type": "x", "data_length": -1}\n', "not a length"),
        (b'{"type": "x", "data_length": "9"}\n', "not a length"),
        (b'{"type": "x", "data_length": 99999}\n', "over this server's limit"),
        (b'{"type": "x", "payload_length": 99999}\n', "over this server's limit"),
        (b'{"type": "x", "data_length": 5}\n[1,2]', "not a JSON object"),
        (b"[" * 100_000 + b"\n", "too long"),
        (b"[" * 50_000 + b"\n", "not JSON"),
    ],
)
async def test_bad_input_is_a_protocol_error(raw: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        await read_event(reader_with(raw), LIMITS)


async def test_data_shorter_than_announced_stalls_into_an_error() -> None:
    reader = reader_with(b'{"type": "x", "data_length": 500}\n{}', eof=False)
    with pytest.raises(ProtocolError, match="stalled"):
        await read_event(reader, LIMITS, idle_timeout=0.2)


async def test_idle_timeout_loses_nothing() -> None:
    reader = reader_with(b'{"type": "pi', eof=False)
    with pytest.raises(TimeoutError):
        await read_event(reader, LIMITS, idle_timeout=0.05)
    reader.feed_data(b'ng"}\n')
    event = await read_event(reader, LIMITS, idle_timeout=0.05)
    assert event is not None and event.type == "ping"


async def test_a_client_gone_mid_event_is_none() -> None:
    assert await read_event(reader_with(b'{"type": "x", "payload_length": 9}\nabc'), LIMITS) is None
    assert await read_event(reader_with(b'{"type": "x"'), LIMITS) is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_reader(raw: bytes) -> None:
    async def read_all() -> None:
        reader = reader_with(raw)
        for _ in range(len(raw) + 1):
            try:
                if await read_event(reader, LIMITS) is None:
                    return
            except ProtocolError:
                return

    asyncio.run(read_all())


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["type", "data", "data_length", "payload_length", "version"]),
        st.one_of(st.none(), st.integers(-5, 5000), st.text(max_size=5), st.booleans()),
    ),
    st.binary(max_size=50),
)
def test_random_headers_never_crash_the_reader(header: dict, rest: bytes) -> None:
    async def read_one() -> None:
        reader = reader_with(json.dumps(header).encode() + b"\n" + rest)
        with contextlib.suppress(ProtocolError):
            await read_event(reader, LIMITS)

    asyncio.run(read_one())
