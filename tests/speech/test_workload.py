import asyncio

import pytest

from wyoming_kokoro.core.errors import BusyError
from wyoming_kokoro.speech.workload import Workload


async def test_the_workload_admits_a_queue_then_refuses() -> None:
    workload = Workload(max_speaking=1, max_waiting=1)
    async with workload.turn():
        waiting = asyncio.create_task(_hold(workload))
        await asyncio.sleep(0)
        assert workload.waiting == 1
        with pytest.raises(BusyError):
            async with workload.turn():
                pass
    await waiting
    async with workload.turn():
        pass


async def _hold(workload: Workload) -> None:
    async with workload.turn():
        await asyncio.sleep(0)
