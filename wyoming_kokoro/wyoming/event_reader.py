"""Reading Wyoming events from a client that may send anything.

wyoming's own reader trusts its peer: a header without a type raises, and a
data length larger than what follows waits forever. This one checks every part
and gives up on a stalled client, so one bad connection costs nothing but itself.
"""

import asyncio
import json
from typing import Any

from wyoming.event import Event

from ..core.errors import ProtocolError
from ..core.settings import Limits


async def read_event(
    reader: asyncio.StreamReader, limits: Limits, idle_timeout: float | None = None
) -> Event | None:
    """The next event, or None when the client has gone away.

    Raises TimeoutError when no header arrives within `idle_timeout`; nothing
    is lost then, and the caller may call again. The rest of an event must
    follow its header within the same time.
    """
    try:
        async with asyncio.timeout(idle_timeout):
            # Cut short, readline leaves what it has read in the reader's buffer.
            line = await reader.readline()
    except ValueError as err:  # longer than the reader's buffer limit
        raise ProtocolError("event header line is too long") from err
    if not line.endswith(b"\n"):
        return None  # closed, perhaps in the middle of a line
    header = _json_object(line, "event header")
    event_type = header.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise ProtocolError("event header has no type")
    data = header.get("data") or {}
    if not isinstance(data, dict):
        raise ProtocolError("event data is not a JSON object")
    try:
        async with asyncio.timeout(idle_timeout):
            data_bytes = await _read_part(reader, header, "data_length", limits.max_data_bytes)
            payload = await _read_part(reader, header, "payload_length", limits.max_payload_bytes)
    except TimeoutError as err:
        raise ProtocolError(
            f"event {event_type!r} stalled: its data or payload did not arrive"
        ) from err
    except asyncio.IncompleteReadError:
        return None
    if data_bytes:
        data = {**data, **_json_object(data_bytes, "event data")}
    return Event(type=event_type, data=data, payload=payload)


async def _read_part(
    reader: asyncio.StreamReader, header: dict[str, Any], key: str, limit: int
) -> bytes | None:
    length = header.get(key)
    if length is None or length == 0:
        return None
    if not isinstance(length, int) or isinstance(length, bool) or length < 0:
        raise ProtocolError(f"{key} is not a length: {length!r}")
    if length > limit:
        raise ProtocolError(f"{key} {length} is over this server's limit of {limit}")
    return await reader.readexactly(length)


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise ProtocolError(f"{what} is not UTF-8") from err
    except (ValueError, RecursionError) as err:
        raise ProtocolError(f"{what} is not JSON") from err
    if not isinstance(value, dict):
        raise ProtocolError(f"{what} is not a JSON object")
    return value
