"""Zeroconf (mDNS) advertisement, so that Home Assistant finds the server."""

import logging
import socket
import uuid

from zeroconf import InterfaceChoice
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

_LOGGER = logging.getLogger(__name__)

SERVICE_TYPE = "_wyoming._tcp.local."
_MDNS_GROUP = "224.0.0.251"
_ANY = ("", "0.0.0.0")


def lan_address() -> str:
    """The address this machine uses to reach the local network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        # Connecting a UDP socket sends nothing; it only picks the route.
        probe.connect((_MDNS_GROUP, 1))
        address: str = probe.getsockname()[0]
        return address


def default_name() -> str:
    return f"kokoro-{uuid.getnode():012x}"


class Advertiser:
    """Announces one Wyoming server for as long as it runs."""

    def __init__(self, name: str, bound_host: str, port: int) -> None:
        # A server bound to every interface is announced with its LAN address;
        # one bound to a single address only on that address.
        everywhere = bound_host in _ANY
        self.host = lan_address() if everywhere else bound_host
        self.name = name
        self.port = port
        self._zeroconf = AsyncZeroconf(
            interfaces=InterfaceChoice.All if everywhere else [self.host]
        )
        self._info = AsyncServiceInfo(
            SERVICE_TYPE,
            f"{name}.{SERVICE_TYPE}",
            addresses=[socket.inet_aton(self.host)],
            port=port,
            server=f"{name}.local.",
        )

    async def start(self) -> None:
        await self._zeroconf.async_register_service(self._info)
        _LOGGER.info("Announced %s on %s:%s (zeroconf)", self.name, self.host, self.port)

    async def stop(self) -> None:
        await self._zeroconf.async_unregister_service(self._info)
        await self._zeroconf.async_close()
        _LOGGER.debug("Zeroconf announcement withdrawn")
