from collections.abc import Iterator
from pathlib import Path

import pytest

from support.server import Server, free_port, run_server


@pytest.fixture(scope="module")
def server(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One real server for the module, its voices reading American English."""
    with run_server(data_dir, tmp_path_factory.mktemp("logs"), "--language", "en_US") as s:
        yield s


@pytest.fixture(scope="module")
def http_port() -> int:
    """A free port for a module's server to answer HTTP on."""
    return free_port()
