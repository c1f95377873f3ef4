"""The Wyoming server: listening, announcing, and stopping cleanly on a signal."""

import asyncio
import logging
import signal
from functools import partial
from urllib.parse import urlparse

from wyoming.server import AsyncServer, AsyncStdioServer

from .discovery import Advertiser, default_name
from .handler import ConnectionSlots, KokoroEventHandler, build_info
from .settings import Settings
from .synthesizer import Synthesizer

_LOGGER = logging.getLogger(__name__)


async def serve(settings: Settings, synthesizer: Synthesizer) -> None:
    """Serve until SIGINT or SIGTERM."""
    info = build_info(synthesizer, settings.handler.streaming)
    slots = ConnectionSlots(settings.handler.max_connections)
    factory = partial(KokoroEventHandler, info, synthesizer, settings.handler, slots)
    server = AsyncServer.from_uri(settings.uri)
    if isinstance(server, AsyncStdioServer):
        await server.run(factory)
        return

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)

    await server.start(factory)
    advertiser = None
    if settings.zeroconf is not None:
        uri = urlparse(settings.uri)
        if uri.scheme != "tcp" or uri.port is None:
            _LOGGER.warning("Zeroconf needs a tcp:// URI; not announcing %s", settings.uri)
        else:
            advertiser = Advertiser(
                settings.zeroconf or default_name(), uri.hostname or "", uri.port
            )
            await advertiser.start()
    _LOGGER.info("Ready: listening on %s", settings.uri)

    await stopping.wait()
    _LOGGER.info("Stopping")
    if advertiser is not None:
        await advertiser.stop()
    await server.stop()
    synthesizer.close()
