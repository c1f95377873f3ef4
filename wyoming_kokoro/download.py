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

_LOGGER = logging.getLogger(__name__)

_BLOCK = 1 << 20


@dataclass(frozen=True)
class RemoteFile:
    """A file with a known size and hash."""

    name: str
    size: int
    sha256: str


class DownloadError(RuntimeError):
    """A file could not be downloaded intact."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def download(
    url: str, expected: RemoteFile, target: Path, timeout: float = 30.0
) -> Path:
    """Download `url` to `target`, checked against `expected`.

    Bytes go to `target.part` first, so an interrupted download resumes where it
    stopped; the file is renamed into place only once its size and hash match.
    A copy that does not match is deleted and fetched once more from the start.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    for attempt in (1, 2):
        _fetch(url, partial, expected.size, timeout)
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
        _LOGGER.warning(
            "Download of %s was bad (%s), attempt %s", url, problem, attempt
        )
    raise DownloadError(f"{url} gave {problem} twice")


def _fetch(url: str, partial: Path, size: int, timeout: float) -> None:
    have = partial.stat().st_size if partial.exists() else 0
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
                while block := response.read(_BLOCK):
                    file.write(block)
                    progress.update(len(block))
    except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
        raise DownloadError(f"{url}: {err}") from err
