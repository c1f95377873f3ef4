"""Many clients at once against one real server: everyone gets complete audio."""

import asyncio
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop

from support.server import Reply, Server, describe_seconds, loudness, memory_mb, request, run_server

pytestmark = pytest.mark.slow

CLIENTS = 8
REQUESTS = 8
TEXTS = ["Turned on the lights.", "Done.", "The garage door is closed."]
STREAM = ["It is sunny. ", "Have a ", "nice day!"]


@pytest.fixture(scope="module")
def soak_server(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_server(data_dir, tmp_path_factory.mktemp("logs"), "--language", "en_US") as server:
        yield server


def complete(reply: Reply, streaming: bool) -> bool:
    groups = reply.groups()
    expected = ["synthesize-stopped"] if streaming else ["audio-stop"]
    return (
        "error" not in reply.types
        and reply.types[-1:] == expected
        and len(groups) == (2 if streaming else 1)
        and all(loudness(group) > 0.01 for group in groups)
    )


async def test_soak(soak_server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    failures: list[str] = []
    first_round = asyncio.Barrier(CLIENTS + 1)
    describe_latencies: list[float] = []
    replies: list[Reply] = []
    done = asyncio.Event()
    replied = asyncio.Event()  # a reply came while the others' answers are being made

    async def client(n: int) -> None:
        async with soak_server.client() as conn:
            for i in range(REQUESTS):
                streaming = (n + i) % 2 == 0
                if streaming:
                    events = [
                        SynthesizeStart().event(),
                        *[SynthesizeChunk(text=t).event() for t in STREAM],
                        SynthesizeStop().event(),
                    ]
                    reply = await request(conn, events, until="synthesize-stopped")
                else:
                    text = TEXTS[(n + i) % len(TEXTS)]
                    reply = await request(conn, [Synthesize(text=text).event()], until="audio-stop")
                replies.append(reply)
                replied.set()
                if not complete(reply, streaming):
                    failures.append(f"client {n} request {i}: {reply.types[-3:]}")
                if i == 0:
                    await first_round.wait()

    async def describer() -> None:
        # Asked again at each reply, paced by the server's work, not by a clock.
        while not done.is_set():
            describe_latencies.append(await describe_seconds(soak_server))
            await replied.wait()
            replied.clear()

    start = time.perf_counter()
    describing = asyncio.create_task(describer())
    clients = asyncio.gather(*(client(n) for n in range(CLIENTS)))
    await first_round.wait()
    rss_first = memory_mb(soak_server.process.pid)
    await clients
    rss_last = memory_mb(soak_server.process.pid)
    done.set()
    replied.set()
    await describing
    elapsed = time.perf_counter() - start

    with capsys.disabled():
        print(
            f"\nsoak: {CLIENTS * REQUESTS} requests in {elapsed:.0f} s, "
            f"{len(failures)} failures; describe median "
            f"{statistics.median(describe_latencies) * 1000:.0f} ms, "
            f"max {max(describe_latencies) * 1000:.0f} ms over {len(describe_latencies)}; "
            f"RSS after first round {rss_first:.0f} MB, after run {rss_last:.0f} MB"
        )
    assert failures == []
    # How long the model keeps a client silent between its windows (the wait for a
    # turn left out): describe, asked meanwhile, must not wait for it.
    window = max(max(reply.silences[1:], default=0.0) for reply in replies)
    assert max(describe_latencies) < window / 2, (max(describe_latencies), window)
    assert rss_last <= 1.10 * rss_first
