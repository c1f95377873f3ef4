"""Whose turn on the model: the listener who would run dry soonest.

The model runs one job at a time on a thread of its own (ONNX Runtime already
uses every core for one run). Jobs wait in order of when their audio is due:
a new answer's first window is due at once, a later window when the audio in
front of it runs out. So a long answer never starves a short one, and is itself
served in time.
"""

import asyncio
import heapq
import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

import onnxruntime as ort

T = TypeVar("T")


class ModelScheduler:
    """Earliest deadline first, one job at a time; used from one event loop."""

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="model")
        self._waiting: list[tuple[float, int, Callable[[], Any], asyncio.Future[Any]]] = []
        self._order = itertools.count()  # equal deadlines: first come, first served
        self._running = False

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def run(self, due: float, job: Callable[[], T], stop: ort.RunOptions | None = None) -> T:
        """`job()` on the model thread once every job due earlier has run. Cancelled,
        the job is dropped; under way, its model run ends, where it runs with `stop`."""
        loop = asyncio.get_running_loop()
        result: asyncio.Future[T] = loop.create_future()
        heapq.heappush(self._waiting, (due, next(self._order), job, result))
        self._start_next(loop)
        try:
            return await result
        except asyncio.CancelledError:
            if stop is not None:
                stop.terminate = True
            raise

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)

    def _start_next(self, loop: asyncio.AbstractEventLoop) -> None:
        while not self._running and self._waiting:
            _, _, job, result = heapq.heappop(self._waiting)
            if result.cancelled():  # its requester has gone
                continue
            self._running = True
            running = loop.run_in_executor(self._thread, _outcome, job)
            running.add_done_callback(partial(self._finished, loop, result))

    def _finished(
        self,
        loop: asyncio.AbstractEventLoop,
        result: asyncio.Future[Any],
        done: asyncio.Future[tuple[Any, Exception | None]],
    ) -> None:
        self._running = False
        if done.cancelled():  # the server is closing
            result.cancel()
        elif not result.cancelled():
            value, err = done.result()
            if err is None:
                result.set_result(value)
            else:
                result.set_exception(err)
        self._start_next(loop)


def _outcome(job: Callable[[], T]) -> tuple[T | None, Exception | None]:
    """What `job()` returned, or raised: a run stopped as the server closes raises
    after the loop is gone, where no one would read it but the garbage collector."""
    try:
        return job(), None
    except Exception as err:
        return None, err
