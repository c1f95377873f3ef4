"""Fetching one file over HTTP so that only a complete, verified copy is ever kept."""

import hashlib
import http.client
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from ..core.errors import SetupError

_LOGGER = logging.getLogger(__name__)

_BLOCK = 1 << 20
ATTEMPTS = 3


@dataclass(frozen=True)
class RemoteFile:
    """A file with a known size and hash."""

    name: str
    size: int
    sha256: str


class DownloadError(SetupError):
    """A file could not be downloaded intact."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def download(url: str, expected: RemoteFile, target: Path, timeout: float = 10.0) -> Path:
    """Download `url` to `target`, checked against `expected`.

    Bytes go to `target.part` first, so a broken-off transfer resumes where it
    stopped; the file is renamed into place only once its size and hash match.
    A copy that does not match is deleted and fetched again from the start.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    problem = ""
    for attempt in range(1, ATTEMPTS + 1):
        had = _size(partial)
        try:
            _fetch(url, partial, expected.size, timeout)
        except DownloadError as err:
            if _size(partial) <= had:
                raise  # nothing came: no server, no network; trying again will not help
            problem = str(err)
            _LOGGER.warning("Download of %s broke off (attempt %s): %s", url, attempt, err)
            continue
        size = partial.stat().st_size
        digest = sha256_of(partial) if size == expected.size else None
        if digest == expected.sha256:
            os.replace(partial, target)
            return target
        partial.unlink(missing_ok=True)
        problem = (
            f"{size} bytes instead of {expected.size}"
            if digest is None
            else f"sha256 {digest} instead of {expected.sha256}"
        )
        _LOGGER.warning("Download of %s was bad (attempt %s): %s", url, attempt, problem)
    raise DownloadError(f"{url}: {problem} ({ATTEMPTS} attempts)")


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _fetch(url: str, partial: Path, size: int, timeout: float) -> None:
    have = _size(partial)
    if have >= size:
        # Longer than the real file: start over rather than trust it.
        partial.unlink()
        have = 0
    request = urllib.request.Request(url)
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            resumed = have and response.status == 206
            if have and not resumed:
                _LOGGER.info("Server ignored the resume request; starting %s over", url)
                have = 0
            with (
                open(partial, "ab" if resumed else "wb") as file,
                tqdm(
                    total=size,
                    initial=have,
                    unit="B",
                    unit_scale=True,
                    desc=partial.name.removesuffix(".part"),
                    disable=None,
                ) as progress,
            ):
                received = 0
                while block := response.read(_BLOCK):
                    file.write(block)
                    received += len(block)
                    progress.update(len(block))
            announced = response.headers.get("Content-Length")
            if announced is not None and received < int(announced):
                # Kept: the next attempt asks for the rest.
                raise DownloadError(f"connection closed after {received} of {announced} bytes")
    except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
        raise DownloadError(str(err)) from err
