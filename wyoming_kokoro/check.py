"""Does a server answer? The health check: `python -m wyoming_kokoro.check`.

It imports only what asking needs (not the model's libraries), so a container
health check costs a fraction of a second; `wyoming-kokoro check` is the same.
"""

import argparse
import asyncio
import os
import sys

from wyoming.client import AsyncClient
from wyoming.info import Describe, Info

from .settings import DEFAULT_URI, env_name


def add_options(parser: argparse.ArgumentParser) -> None:
    env = env_name("--uri")
    parser.add_argument(
        "--uri",
        default=os.environ.get(env) or DEFAULT_URI,
        help=f"The server to ask; 0.0.0.0 means this machine (env {env})",
    )
    parser.add_argument("--timeout", type=float, default=5.0, help="Seconds to wait")


async def check_server(uri: str, timeout: float) -> int:
    """0 if the server at `uri` answers describe with a TTS program in time."""
    uri = uri.replace("//0.0.0.0:", "//127.0.0.1:")
    try:
        async with asyncio.timeout(timeout), AsyncClient.from_uri(uri) as client:
            await client.write_event(Describe().event())
            while (event := await client.read_event()) is not None:
                if Info.is_type(event.type):
                    tts = Info.from_event(event).tts
                    print(f"ok: {uri} offers {sum(len(p.voices) for p in tts)} voices")
                    return 0 if tts else 1
    except (OSError, TimeoutError) as err:
        print(f"wyoming-kokoro: {uri} did not answer: {err or 'timed out'}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wyoming-kokoro check", description=__doc__)
    add_options(parser)
    args = parser.parse_args(argv)
    return asyncio.run(check_server(args.uri, args.timeout))


if __name__ == "__main__":
    sys.exit(main())
