"""The model's turns go to whoever's audio is due first."""

import asyncio
import threading
from functools import partial

from wyoming_kokoro.scheduler import ModelScheduler


async def test_the_job_due_first_runs_next() -> None:
    scheduler = ModelScheduler()
    release = threading.Event()
    ran: list[str] = []
    try:
        blocker = asyncio.create_task(scheduler.run(0.0, release.wait))
        while scheduler.waiting:  # the blocker is running: the rest must queue
            await asyncio.sleep(0)
        jobs = [
            asyncio.create_task(scheduler.run(due, partial(ran.append, name)))
            for name, due in (("late", 9.0), ("soon", 2.0), ("now", 1.0), ("also soon", 2.0))
        ]
        while scheduler.waiting < len(jobs):
            await asyncio.sleep(0)
        release.set()
        await asyncio.gather(blocker, *jobs)
    finally:
        scheduler.close()
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
    scheduler = ModelScheduler()
    release = threading.Event()
    ran: list[str] = []
    try:
        blocker = asyncio.create_task(scheduler.run(0.0, release.wait))
        while scheduler.waiting:
            await asyncio.sleep(0)
        gone = asyncio.create_task(scheduler.run(1.0, lambda: ran.append("gone")))
        stays = asyncio.create_task(scheduler.run(2.0, lambda: ran.append("stays")))
        while scheduler.waiting < 2:
            await asyncio.sleep(0)
        gone.cancel()
        release.set()
        await asyncio.gather(blocker, stays)
    finally:
        scheduler.close()
    assert ran == ["stays"]
