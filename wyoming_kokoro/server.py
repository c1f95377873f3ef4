"""The Wyoming server: loading, listening, announcing, and stopping on a signal."""

import asyncio
import logging
import signal
from functools import partial
from urllib.parse import urlparse

from wyoming.server import AsyncServer, AsyncStdioServer

from .core.settings import Settings
from .http.app import WebServer, start_web
from .http.metrics import Metrics
from .speech.loader import load_synthesizer
from .speech.workload import Workload
from .wyoming.discovery import Advertiser, default_name
from .wyoming.handler import KokoroEventHandler, build_info

_LOGGER = logging.getLogger(__name__)


async def serve(settings: Settings) -> None:
    """Load the model, then serve until SIGINT or SIGTERM.

    The HTTP side (if any) starts first, so /health can say the model is loading;
    the Wyoming side listens and is announced only once the model is warm.
    """
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)

    web: WebServer | None = None
    if settings.http.http_uri:
        web = await start_web(settings.http)
    try:
        synthesizer = await loop.run_in_executor(None, load_synthesizer, settings)
        try:
            workload = Workload(settings.handler.max_requests, settings.handler.max_queue)
            metrics = Metrics(lambda: synthesizer.g2p.fallbacks, workload)
            synthesizer.observer = metrics
            if web is not None:
                web.ready(synthesizer, workload, metrics)
            info = build_info(synthesizer, settings.handler.streaming)
            factory = partial(KokoroEventHandler, info, synthesizer, settings.handler, workload)
            server = AsyncServer.from_uri(settings.uri)
            if isinstance(server, AsyncStdioServer):
                await server.run(factory)
                return
            await server.start(factory)
            advertiser = await _announce(settings)
            _LOGGER.info("Ready: listening on %s", settings.uri)
            await stopping.wait()
            _LOGGER.info("Stopping")
            if advertiser is not None:
                await advertiser.stop()
            await server.stop()
        finally:
            synthesizer.close()
    finally:
        if web is not None:
            await web.stop()


async def _announce(settings: Settings) -> Advertiser | None:
    if settings.zeroconf is None:
        return None
    uri = urlparse(settings.uri)
    if uri.scheme != "tcp" or uri.port is None:
        _LOGGER.warning("Zeroconf needs a tcp:// URI; not announcing %s", settings.uri)
        return None
    advertiser = Advertiser(settings.zeroconf or default_name(), uri.hostname or "", uri.port)
    await advertiser.start()
    return advertiser
