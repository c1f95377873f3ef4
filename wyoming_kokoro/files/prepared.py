"""The model as the engine loads it, made once per model and kept.

Splitting the model into its front and decoder (model_split.py) takes a child process
and a second or so; making the chosen decoder (decoders.py) ten seconds or more. What
they make is kept in the data dir, each in a folder named by the model's sha256, what
it holds and the preparation's version, with a manifest of the files' sizes; a folder
that does not match is made again. Each is written to a temporary folder and renamed
into place when complete, so an interrupted start never leaves a half-made folder
under the final name.
"""

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import SetupError
from .decoders import fast_made_for
from .download import sha256_of

_LOGGER = logging.getLogger(__name__)

VERSION = 1
"""Changes whenever what the split makes changes."""

DECODERS_VERSION = 4
"""Changes whenever how a decoder is made (or the ranges `fast` uses) changes."""

_MANIFEST = "manifest.json"


class PreparationError(SetupError):
    """The model could not be prepared: the file is damaged or not Kokoro's."""


@dataclass(frozen=True)
class Prepared:
    parts: list[Path]
    """The front and the decoder, or the model alone when it cannot be split."""
    decoder: str
    """The decoder the parts hold: fast, int8 (the int8 model's own), own (another
    model's), float, or whole."""


def prepare(
    model: Path,
    keep_in: Path,
    digest: str | None = None,
    decoder: str = "int8",
    rebuild: bool = False,
) -> Prepared:
    """The front and the `decoder` made from `model` (or `model` alone, when its graph
    has no decoder inputs to split at), kept under `keep_in`. `digest`: the model's
    sha256 where the caller has checked it already; `rebuild`: made again even if
    kept (the kept ones would not load). A decoder that cannot be made leaves the
    model's own in its place, with a warning: the server still speaks."""
    digest = digest or sha256_of(model)
    names = _keep(keep_in / f"{digest[:16]}-v{VERSION}", digest, rebuild, lambda into: [
        part.name for part in split(model, into) if part != model
    ])  # fmt: skip
    if not names:
        return Prepared([model], "whole")
    front, own = names
    # What the model's own decoder is called: int8 in the model `fast` is made from.
    own_decoder = Prepared([front, own], "int8" if digest == fast_made_for() else "own")
    if decoder == "int8":
        return own_decoder
    if decoder == "fast" and own_decoder.decoder == "own":
        # fast is the default: a model it is not made for is a choice, not a fault.
        _LOGGER.info(
            "The fast decoder is made for the int8 model (--model-variant int8); "
            "this model's own decoder runs"
        )
        return own_decoder
    folder = keep_in / f"{digest[:16]}-{decoder}-v{DECODERS_VERSION}"
    try:
        made = _keep(folder, digest, rebuild, lambda into: make_decoder(decoder, own, into))
    except PreparationError as err:
        _LOGGER.warning("Could not make the %s decoder (%s): the model's own runs", decoder, err)
        return own_decoder
    return Prepared([front, *made], decoder)


def _keep(
    folder: Path, digest: str, rebuild: bool, make: Callable[[Path], list[str]]
) -> list[Path]:
    """The files `make` writes into an empty folder (it returns their names), kept
    in `folder` for the model with this `digest`."""
    names = None if rebuild else _kept(folder, digest)
    if names is not None:
        _LOGGER.info("Using the prepared model in %s", folder)
        return [folder / name for name in names]
    folder.parent.mkdir(parents=True, exist_ok=True)
    making = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        names = make(making)
        manifest = {
            "model_sha256": digest,
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
    _LOGGER.info("Prepared %s", folder)
    _drop_older_versions(folder)
    return [folder / name for name in names]


def _drop_older_versions(folder: Path) -> None:
    """The same parts as an earlier version of the preparation made them: after an
    upgrade they would fill a Raspberry Pi's card, 70-200 MB each."""
    stem = folder.name.rsplit("-v", 1)[0]
    for older in folder.parent.glob(f"{stem}-v*"):
        if older != folder and re.fullmatch(rf"{re.escape(stem)}-v\d+", older.name):
            shutil.rmtree(older, ignore_errors=True)
            _LOGGER.info("Removed %s, made by an earlier version", older)


def _kept(folder: Path, digest: str) -> list[str] | None:
    """The names of the files in `folder` if its manifest says they are this model's
    and whole."""
    try:
        manifest = json.loads((folder / _MANIFEST).read_text())
        parts: dict[str, int] = manifest["parts"]
        if manifest["model_sha256"] != digest:
            return None
        if any((folder / name).stat().st_size != size for name, size in parts.items()):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return list(parts)


def split(model: Path, into: Path) -> list[Path]:
    """The front and decoder in `into`, or `[model]` when it cannot be split."""
    parts = [Path(line) for line in _child("model_split", model, into).splitlines()]
    if parts == [model]:
        _LOGGER.warning("%s has no decoder inputs to split at: decoding pieces whole", model)
    return parts


def make_decoder(kind: str, own: Path, into: Path) -> list[str]:
    """The `kind` decoder made from the model's `own` one, written into `into`."""
    _LOGGER.info("Making the %s decoder (once for this model)", kind)
    _child("decoders", kind, own, into / "decoder.onnx")
    return ["decoder.onnx"]


def _child(module: str, *args: object) -> str:
    """Runs one of this folder's modules in a child process, for its output: a graph
    in Python costs several times the file's size, a peak the server's memory
    should not keep."""
    child = subprocess.run(
        [sys.executable, "-m", f"{__package__}.{module}", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode < 0:
        raise PreparationError(f"stopped by signal {-child.returncode}, out of memory?")
    if child.returncode != 0:
        reason = child.stderr.strip().splitlines()[-1] if child.stderr.strip() else "it failed"
        raise PreparationError(reason)
    return child.stdout
