"""How soon a new answer is heard when the one before was abandoned half-way: the
page's Stop or a second Speak, a Home Assistant pipeline cut short.

    python -m bench.abandoned [--runs 5] [--after 1.0] [--data-dir DIR] [--base CHECKOUT]

For each server (this checkout's, and with --base another checkout's, e.g. a `git
worktree` of main), over Wyoming and over HTTP: the first audio of a short answer
alone, and of the same answer asked for as soon as a long answer's client has gone
away, --after seconds after that long answer's first audio. Medians, seconds.
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path

import aiohttp
from wyoming.audio import AudioChunk
from wyoming.client import AsyncTcpClient
from wyoming.tts import Synthesize

from wyoming_kokoro.core.settings import default_data_dir

from .__main__ import checkouts, kokoro_with_http

SHORT = "The kitchen lights are on."
LONG = " ".join(["The weather will be sunny with a light breeze, and warm in the afternoon."] * 6)

FirstAudio = Callable[[str, float | None], Awaitable[float]]
"""Seconds to a text's first audio; with a time, the client goes away that long after."""


def over_wyoming(port: int) -> FirstAudio:
    async def first_audio(text: str, leave_after: float | None) -> float:
        async with AsyncTcpClient("127.0.0.1", port) as client:
            start = time.perf_counter()
            await client.write_event(Synthesize(text=text).event())
            while (event := await client.read_event()) is not None:
                if AudioChunk.is_type(event.type):
                    first = time.perf_counter() - start
                    break
            else:
                raise RuntimeError("no audio")
            if leave_after is not None:
                await asyncio.sleep(leave_after)
                return first
            while (event := await client.read_event()) is not None:
                if event.type == "audio-stop":
                    return first
        raise RuntimeError("no audio-stop")

    return first_audio


def over_http(url: str) -> FirstAudio:
    async def first_audio(text: str, leave_after: float | None) -> float:
        body = {"model": "kokoro", "input": text, "response_format": "pcm"}
        async with aiohttp.ClientSession() as session:
            start = time.perf_counter()
            async with session.post(f"{url}/v1/audio/speech", data=json.dumps(body)) as response:
                response.raise_for_status()
                await response.content.readany()
                first = time.perf_counter() - start
                if leave_after is not None:
                    await asyncio.sleep(leave_after)
                    response.close()  # the connection, not read to its end
                    return first
                await response.read()
        return first

    return first_audio


async def measure(first_audio: FirstAudio, runs: int, after: float) -> tuple[float, float]:
    """Medians: a short answer's first audio alone, and after a long one abandoned."""
    await first_audio(SHORT, None)  # warm
    alone, following = [], []
    for _ in range(runs):
        alone.append(await first_audio(SHORT, None))
        await first_audio(LONG, after)
        following.append(await first_audio(SHORT, None))
    return statistics.median(alone), statistics.median(following)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.abandoned", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--after", type=float, default=1.0)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--base", type=Path, help="Another checkout's server, measured too")
    args = parser.parse_args()

    print(
        f"First audio of {SHORT!r}, alone and after a long answer abandoned "
        f"{args.after} s into it; medians of {args.runs}, seconds"
    )
    with tempfile.TemporaryDirectory() as logs, ExitStack() as stack:
        for name, checkout in checkouts(args.base).items():
            server, url = stack.enter_context(kokoro_with_http(args.data_dir, Path(logs), checkout))
            for protocol, first_audio in (
                ("Wyoming", over_wyoming(server.port)),
                ("HTTP", over_http(url)),
            ):
                alone, after = asyncio.run(measure(first_audio, args.runs, args.after))
                print(
                    f"{name:<14} {protocol:<8} alone {alone:.3f}  after abandoned {after:.3f}"
                    f"  (+{after - alone:.3f})"
                )


if __name__ == "__main__":
    main()
