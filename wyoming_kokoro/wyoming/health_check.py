"""Does a server answer? The health check: `python -m wyoming_kokoro.wyoming.health_check`.

It imports only what asking needs (not the model's libraries), so a container
health check costs a fraction of a second; `wyoming-kokoro check` is the same.
With --text it also asks the server to speak, and checks that audio came back.
"""

import argparse
import asyncio
import os
import struct
import sys

from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncClient
from wyoming.error import Error
from wyoming.info import Describe, Info
from wyoming.tts import Synthesize

from ..core.audio import SILENCE_LEVEL
from ..core.options import env_name
from ..core.settings import DEFAULT_URI


def add_options(parser: argparse.ArgumentParser) -> None:
    env = env_name("--uri")
    parser.add_argument(
        "--uri",
        default=os.environ.get(env) or DEFAULT_URI,
        help=f"The server to ask; 0.0.0.0 means this machine (env {env})",
    )
    parser.add_argument("--timeout", type=float, default=5.0, help="Seconds to wait")
    parser.add_argument("--text", help="Also have this spoken, and check the audio")


async def check_server(uri: str, timeout: float, text: str | None = None) -> int:
    """0 if the server at `uri` answers describe with a TTS program in time (and,
    given `text`, speaks it)."""
    uri = uri.replace("//0.0.0.0:", "//127.0.0.1:")
    try:
        async with asyncio.timeout(timeout), AsyncClient.from_uri(uri) as client:
            await client.write_event(Describe().event())
            while (event := await client.read_event()) is not None:
                if Info.is_type(event.type):
                    tts = Info.from_event(event).tts
                    print(f"ok: {uri} offers {sum(len(p.voices) for p in tts)} voices")
                    if not tts:
                        return 1
                    return 0 if text is None else await _speaks(client, text)
    except (OSError, TimeoutError) as err:
        print(f"wyoming-kokoro: {uri} did not answer: {err or 'timed out'}", file=sys.stderr)
    return 1


async def _speaks(client: AsyncClient, text: str) -> int:
    await client.write_event(Synthesize(text=text).event())
    audio = bytearray()
    bytes_per_second = 1
    while (event := await client.read_event()) is not None:
        if AudioStart.is_type(event.type):
            start = AudioStart.from_event(event)
            bytes_per_second = start.rate * start.width * start.channels
        elif AudioChunk.is_type(event.type):
            audio += AudioChunk.from_event(event).audio
        elif Error.is_type(event.type):
            print(f"wyoming-kokoro: error: {Error.from_event(event).text}", file=sys.stderr)
            return 1
        elif AudioStop.is_type(event.type):
            break
    peak = max(abs(s) for (s,) in struct.iter_unpack("<h", audio)) if audio else 0
    spoke = peak > SILENCE_LEVEL * 32767
    seconds = len(audio) / bytes_per_second
    print(f"{'ok' if spoke else 'silent'}: spoke {seconds:.2f} s of audio")
    return 0 if seconds > 0 and spoke else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wyoming-kokoro check", description=__doc__)
    add_options(parser)
    args = parser.parse_args(argv)
    return asyncio.run(check_server(args.uri, args.timeout, args.text))


if __name__ == "__main__":
    sys.exit(main())
