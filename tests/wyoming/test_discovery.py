import ipaddress
import re

import pytest

from wyoming_kokoro.wyoming.discovery import Advertiser, default_name, lan_address


def test_the_default_name_is_this_machines_and_stable() -> None:
    assert re.fullmatch(r"kokoro-[0-9a-f]{12}", default_name())
    assert default_name() == default_name()


def test_a_server_on_one_address_is_announced_there() -> None:
    advertiser = Advertiser("kitchen", "127.0.0.1", 10200)
    assert (advertiser.host, advertiser.port, advertiser.name) == ("127.0.0.1", 10200, "kitchen")


def test_a_server_on_every_address_is_announced_on_the_lans() -> None:
    try:
        address = lan_address()
    except OSError:
        pytest.skip("this machine has no route to a local network")
    assert ipaddress.ip_address(address).version == 4
    assert Advertiser("kitchen", "0.0.0.0", 10200).host == address
