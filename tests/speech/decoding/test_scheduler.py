"""The model's turns go to whoever's audio is due first."""

import asyncio
import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import onnxruntime as ort

from wyoming_kokoro.speech.decoding.scheduler import ModelScheduler


@asynccontextmanager
async def busy_model() -> AsyncIterator[tuple[ModelScheduler, threading.Event]]:
    """A scheduler whose model thread is busy until the event is set."""
    scheduler = ModelScheduler()
    release = threading.Event()
    blocker = asyncio.create_task(scheduler.run(0.0, release.wait))
    try:
        while scheduler.waiting:  # the blocker is running: the rest must queue
            await asyncio.sleep(0)
        yield scheduler, release
        await blocker
    finally:
        release.set()
        scheduler.close()


async def queued(scheduler: ModelScheduler, count: int) -> None:
    while scheduler.waiting < count:
        await asyncio.sleep(0)


async def test_the_job_due_first_runs_next() -> None:
    ran: list[str] = []
    async with busy_model() as (scheduler, release):
        jobs = [
            asyncio.create_task(scheduler.run(due, partial(ran.append, name)))
            for name, due in (("late", 9.0), ("soon", 2.0), ("now", 1.0), ("also soon", 2.0))
        ]
        await queued(scheduler, len(jobs))
        release.set()
        await asyncio.gather(*jobs)
    assert ran == ["now", "soon", "also soon", "late"]


async def test_a_failing_job_fails_its_caller_only() -> None:
    scheduler = ModelScheduler()
    try:
        failing = scheduler.run(0.0, lambda: 1 / 0)
        fine = scheduler.run(0.0, lambda: 42)
        results = await asyncio.gather(failing, fine, return_exceptions=True)
    finally:
        scheduler.close()
    assert isinstance(results[0], ZeroDivisionError) and results[1] == 42


async def test_a_caller_that_leaves_skips_its_job() -> None:
    ran: list[str] = []
    async with busy_model() as (scheduler, release):
        gone = asyncio.create_task(scheduler.run(1.0, partial(ran.append, "gone")))
        stays = asyncio.create_task(scheduler.run(2.0, partial(ran.append, "stays")))
        await queued(scheduler, 2)
        gone.cancel()
        release.set()
        await stays
    assert ran == ["stays"]


async def test_a_caller_that_leaves_while_its_job_runs_stops_its_run() -> None:
    """The run under way is told to stop (ONNX Runtime's run then raises), what it
    raised is read, not left to be logged, and the model goes on to the next job."""
    stop = ort.RunOptions()
    running, left = threading.Event(), threading.Event()

    def run() -> None:
        running.set()
        left.wait(60)
        if stop.terminate:
            raise RuntimeError("Exiting due to terminate flag being set to true")

    loop = asyncio.get_running_loop()
    unretrieved: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _, context: unretrieved.append(context))
    scheduler = ModelScheduler()
    try:
        gone = asyncio.create_task(scheduler.run(0.0, run, stop))
        await asyncio.to_thread(running.wait, 60)
        gone.cancel()
        await asyncio.gather(gone, return_exceptions=True)
        left.set()
        assert stop.terminate
        assert await scheduler.run(1.0, lambda: 42) == 42
    finally:
        scheduler.close()
        loop.set_exception_handler(None)
    gc.collect()
    assert unretrieved == []
