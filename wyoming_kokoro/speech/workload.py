"""How much speaking the server takes on at once, for every client alike.

Connections cost almost nothing while they wait; speaking costs the model's
time. So the work is bounded, not the sockets: a few requests are spoken at
once, taking turns on the model window by window, a queue waits behind them, and
only a full queue is answered with "busy".
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ..core.errors import BusyError


class Workload:
    """Turns at speaking, shared by the Wyoming and HTTP sides of one server."""

    def __init__(self, max_speaking: int, max_waiting: int) -> None:
        self.max_speaking = max_speaking
        self.max_waiting = max_waiting
        self._turns = asyncio.Semaphore(max_speaking)
        self.waiting = 0
        self.speaking = 0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold a speaking turn; raises BusyError when the queue is full."""
        if self._turns.locked() and self.waiting >= self.max_waiting:
            raise BusyError(
                f"Server busy: {self.max_speaking} requests are being spoken and "
                f"{self.waiting} are waiting (--max-requests, --max-queue)"
            )
        self.waiting += 1
        try:
            await self._turns.acquire()
        finally:
            self.waiting -= 1
        self.speaking += 1
        try:
            yield
        finally:
            self.speaking -= 1
            self._turns.release()
