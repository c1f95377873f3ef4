"""The real server as a process, and a Wyoming client to talk to it."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
from wyoming.audio import AudioChunk, AudioStart
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.info import Describe
from wyoming.tts import Synthesize

READY_TIMEOUT = 60.0

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    ready_seconds: float = 0.0
    """From starting the process to its first answer to describe."""

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def client(self) -> AsyncTcpClient:
        return AsyncTcpClient("127.0.0.1", self.port)

    def stop(self, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def memory_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's memory from /proc: VmRSS now, or VmHWM, its peak."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m wyoming_kokoro ARGS`, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "wyoming_kokoro", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def answers_describe(port: int) -> bool:
    """Whether a Wyoming server on this port answers describe (plain sockets, so
    that it works inside and outside an event loop)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b'{"type": "describe"}\n')
            return b'"info"' in sock.makefile("rb").readline()
    except OSError:
        return False


def wait_until(ready: Callable[[], bool], what: str, seconds: float = READY_TIMEOUT) -> None:
    """Until `ready()` (observable state: a file, a status, a port), looked at every
    10 ms; TimeoutError naming `what` after `seconds`, however fast the machine."""
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {seconds:g} s")
        time.sleep(0.01)


@contextmanager
def run_process(argv: list[str], port: int, log: Path, cwd: Path | None = None) -> Iterator[Server]:
    """Start any Wyoming server process listening on `port`; stop it on exit."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("KOKORO_VOICE", None)
    start = time.perf_counter()
    with open(log, "wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    server = Server(process, port, log)
    try:

        def ready() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"server exited before it answered:\n{server.log_text()}")
            return answers_describe(port)

        wait_until(ready, f"the server on port {port}")
        server.ready_seconds = time.perf_counter() - start
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@contextmanager
def run_server(data_dir: Path, log_dir: Path, *args: str) -> Iterator[Server]:
    """Start `python -m wyoming_kokoro` on a free port; stop it on exit."""
    port = free_port()
    argv = [sys.executable, "-m", "wyoming_kokoro", "--uri", f"tcp://127.0.0.1:{port}"]
    argv += ["--data-dir", str(data_dir), "--no-download", *args]
    with run_process(argv, port, log_dir / f"server-{port}.log") as server:
        yield server


@dataclass
class Reply:
    """What the server sent for one request."""

    events: list[Event] = field(default_factory=list)
    silences: list[float] = field(default_factory=list)
    """Seconds before each event: from the request for the first, then from the one before."""

    @property
    def types(self) -> list[str]:
        return [e.type for e in self.events]

    def groups(self) -> list[np.ndarray]:
        """The audio of each audio-start .. audio-stop group, as int16 samples."""
        groups: list[np.ndarray] = []
        current: list[bytes] | None = None
        for event in self.events:
            if AudioStart.is_type(event.type):
                current = []
            elif AudioChunk.is_type(event.type):
                assert current is not None, "audio-chunk before audio-start"
                current.append(AudioChunk.from_event(event).audio)
            elif event.type == "audio-stop":
                assert current is not None, "audio-stop before audio-start"
                groups.append(np.frombuffer(b"".join(current), dtype=np.int16))
                current = None
        return groups


async def request(
    client: AsyncTcpClient, events: list[Event], until: str, timeout: float = 120.0
) -> Reply:
    """Send `events`, then collect events up to and including one of type `until`
    (or an error)."""
    for event in events:
        await client.write_event(event)
    reply = Reply()
    last = time.perf_counter()
    async with asyncio.timeout(timeout):
        while True:
            received = await client.read_event()
            assert received is not None, f"connection closed after {reply.types}"
            reply.events.append(received)
            now = time.perf_counter()
            reply.silences.append(now - last)
            last = now
            if received.type in (until, "error"):
                return reply


async def describe_seconds(server: Server) -> float:
    """How long a fresh connection waits for the answer to describe."""
    async with server.client() as client:
        start = time.perf_counter()
        reply = await request(client, [Describe().event()], until="info")
        assert reply.types == ["info"]
        return time.perf_counter() - start


async def describe_seconds_during(server: Server, busy: Awaitable[T]) -> tuple[T, list[float]]:
    """What `busy` gives, and how long describe waited, asked again and again on
    fresh connections until `busy` was done.

    A server that ran the model or loaded a language on its event loop would keep
    describe waiting for about as long as that work keeps the client silent, so
    tests compare the two, which slow machines stretch alike."""
    task = asyncio.ensure_future(busy)
    latencies = []
    while not task.done():
        latencies.append(await describe_seconds(server))
        await asyncio.sleep(0.01)
    return await task, latencies


def metrics(http_port: int) -> set[str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=10) as response:
        return set(response.read().decode().splitlines())


def metric(http_port: int, name: str) -> float:
    (line,) = (line for line in metrics(http_port) if line.startswith(f"{name} "))
    return float(line.split()[1])


async def until_speaking(http_port: int, speaking: int, waiting: int) -> None:
    """Until the server's metrics say so many requests are spoken and so many wait."""
    wanted = {f"kokoro_requests_speaking {speaking:.1f}", f"kokoro_requests_waiting {waiting:.1f}"}
    await asyncio.to_thread(
        wait_until, lambda: wanted <= metrics(http_port), f"metrics {sorted(wanted)}"
    )


async def freed_after_client_left(server: Server, http_port: int, produced: float) -> None:
    """After a client left mid-answer (`produced`: the server's audio total before it
    left): once nothing is spoken, no more audio was counted, and the server serves.
    Only a finished answer counts its audio: one spoken on to nobody would."""
    await until_speaking(http_port, 0, 0)
    assert metric(http_port, "kokoro_audio_seconds_total") == produced
    await still_serves(server)


async def synthesize(server: Server, event: Event) -> Reply:
    """One non-streaming request on a fresh connection, read to its audio-stop."""
    async with server.client() as client:
        return await request(client, [event], until="audio-stop")


async def still_serves(server: Server) -> None:
    """A plain request on a fresh connection gets the whole answer, audibly."""
    reply = await synthesize(server, Synthesize(text="Still here.").event())
    assert reply.types[0] == "audio-start" and reply.types[-1] == "audio-stop"
    assert loudness(reply.groups()[0]) > 0.02


def seconds(samples: np.ndarray) -> float:
    return len(samples) / 24000


def loudness(samples: np.ndarray) -> float:
    """RMS level relative to full scale."""
    return float(np.sqrt(np.mean((samples.astype(np.float64) / 32768) ** 2)))
