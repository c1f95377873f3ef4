"""The model as the engine loads it, made once per model and kept.

Splitting the model into its front and decoder (model_split.py) takes a child process
and a second or so at every start. The parts are kept in the data dir, in a
folder named by the model's sha256 and the preparation's version, with a
manifest of their sizes; a folder that does not match is made again. Each is
written to a temporary folder and renamed into place when complete, so an
interrupted start never leaves a half-made folder under the final name.
"""

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..core.errors import SetupError
from .download import sha256_of

_LOGGER = logging.getLogger(__name__)

VERSION = 1
"""Changes whenever what the preparation makes changes."""

_MANIFEST = "manifest.json"


class PreparationError(SetupError):
    """The model could not be prepared: the file is damaged or not Kokoro's."""


def prepare(
    model: Path, keep_in: Path, digest: str | None = None, rebuild: bool = False
) -> list[Path]:
    """The front and decoder models for `model` (or `model` alone, when its graph
    has no decoder inputs to split at), kept under `keep_in`. `digest`: the model's
    sha256 where the caller has checked it already; `rebuild`: made again even if
    kept (the kept ones would not load)."""
    digest = digest or sha256_of(model)
    folder = keep_in / f"{digest[:16]}-v{VERSION}"
    parts = None if rebuild else _kept(folder, digest, model)
    if parts is not None:
        _LOGGER.info("Using the prepared model in %s", folder)
        return parts
    keep_in.mkdir(parents=True, exist_ok=True)
    making = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=keep_in))
    try:
        parts = split(model, making)
        names = [part.name for part in parts] if parts != [model] else []
        manifest = {
            "model_sha256": digest,
            "version": VERSION,
            "parts": {name: (making / name).stat().st_size for name in names},
        }
        (making / _MANIFEST).write_text(json.dumps(manifest))
        if folder.exists():
            aside = folder.with_name(folder.name + ".damaged")
            shutil.rmtree(aside, ignore_errors=True)
            os.replace(folder, aside)
            _LOGGER.warning("%s did not match its model: moved it to %s", folder, aside.name)
        os.replace(making, folder)
    except BaseException:
        shutil.rmtree(making, ignore_errors=True)
        raise
    _LOGGER.info("Prepared the model into %s", folder)
    return [folder / name for name in names] or [model]


def _kept(folder: Path, digest: str, model: Path) -> list[Path] | None:
    """The parts in `folder` if its manifest says they are this model's and whole."""
    try:
        manifest = json.loads((folder / _MANIFEST).read_text())
        parts: dict[str, int] = manifest["parts"]
        if manifest["model_sha256"] != digest or manifest["version"] != VERSION:
            return None
        if any((folder / name).stat().st_size != size for name, size in parts.items()):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return [folder / name for name in parts] or [model]


def split(model: Path, into: Path) -> list[Path]:
    """Runs model_split.py in a child process: the graph in Python costs several times
    the file's size, a peak the server's memory should not keep."""
    child = subprocess.run(
        [sys.executable, "-m", "wyoming_kokoro.files.model_split", str(model), str(into)],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        reason = child.stderr.strip().splitlines()[-1] if child.stderr.strip() else "it failed"
        raise PreparationError(reason)
    parts = [Path(line) for line in child.stdout.splitlines()]
    if parts == [model]:
        _LOGGER.warning("%s has no decoder inputs to split at: decoding pieces whole", model)
    return parts
