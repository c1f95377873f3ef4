import hashlib
from pathlib import Path

import pytest

from wyoming_kokoro.core.settings import VARIANTS, StoreSettings
from wyoming_kokoro.files import store
from wyoming_kokoro.files.decoders import fast_made_for
from wyoming_kokoro.files.download import RemoteFile
from wyoming_kokoro.files.store import (
    ProvisionError,
    UnusableFileError,
    provision,
)

from .http_files import Route, serve_files


def offline(data_dir: Path, **kwargs: object) -> StoreSettings:
    return StoreSettings(data_dir=data_dir, download=False, **kwargs)  # type: ignore[arg-type]


def test_user_files_come_first(model_files: store.ModelFiles, tmp_path: Path) -> None:
    found = provision(
        offline(tmp_path, model=model_files.model.path, voices=model_files.voices.path)
    )
    assert (found.model.source, found.voices.source) == ("user", "user")
    assert found.model.path == model_files.model.path
    assert found.model.sha256 is None  # not checked: the engine hashes it itself
    assert not any(tmp_path.iterdir())


def test_a_missing_user_file_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(UnusableFileError, match=r"nope\.onnx"):
        provision(offline(tmp_path, model=tmp_path / "nope.onnx"))


def test_files_in_the_data_dir_are_used(data_dir: Path) -> None:
    found = provision(offline(data_dir))
    assert found.model.source == "data-dir"
    assert found.model.path == data_dir / "kokoro-v1.0.int8.onnx"
    assert found.model.sha256 == store.MODELS["int8"].sha256  # checked: not hashed again


@pytest.mark.model
def test_offline_bundle_is_assembled_and_checked(tmp_path: Path) -> None:
    found = provision(offline(tmp_path))
    assert found.model.source == "offline-bundle"
    assert found.voices.source == "offline-bundle"
    model = tmp_path / "kokoro-v1.0.int8.onnx"
    assert found.model.path == model
    assert model.stat().st_size == store.MODELS["int8"].size
    # The voices are kept beside it, so that the next start needs nothing else.
    assert found.voices.path == tmp_path / store.OFFLINE_VOICES
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([model.name, store.OFFLINE_VOICES])
    again = provision(offline(tmp_path))
    assert (again.model.source, again.voices.source) == ("data-dir", "data-dir")


@pytest.mark.model
def test_offline_bundle_with_a_bad_hash_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = store.MODELS["int8"]
    monkeypatch.setitem(store.MODELS, "int8", RemoteFile(good.name, good.size, "0" * 64))
    with pytest.raises(ProvisionError, match="do not match sha256") as error:
        provision(offline(tmp_path))
    assert "offline-bundle" in str(error.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("damage", ["truncate", "corrupt"])
@pytest.mark.model
def test_a_damaged_model_in_the_data_dir_is_moved_aside_and_made_again(
    model_files: store.ModelFiles,
    tmp_path: Path,
    damage: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    model = tmp_path / "kokoro-v1.0.int8.onnx"
    data = model_files.model.path.read_bytes()
    if damage == "truncate":
        data = data[: len(data) // 3]
    else:
        data = data[:1000] + bytes(1000) + data[2000:]
    model.write_bytes(data)
    found = provision(offline(tmp_path))
    assert found.model.path == model and found.model.source == "offline-bundle"
    assert model.read_bytes() == model_files.model.path.read_bytes()
    assert (tmp_path / "kokoro-v1.0.int8.onnx.damaged").read_bytes() == data
    assert "was damaged or incomplete" in caplog.text and "moved it" in caplog.text


@pytest.mark.model
def test_damaged_offline_voices_are_copied_again(tmp_path: Path) -> None:
    provision(offline(tmp_path))
    kept = tmp_path / store.OFFLINE_VOICES
    kept.write_bytes(b"PK not an archive")
    found = provision(offline(tmp_path))
    assert found.voices.path == kept and kept.read_bytes() != b"PK not an archive"
    assert (tmp_path / f"{store.OFFLINE_VOICES}.damaged").exists()


def small_release(monkeypatch: pytest.MonkeyPatch, model: bool = True) -> dict[str, Route]:
    """A release of small stand-in files (the voices, and the model unless told not
    to), served by serve_files."""
    routes = {}
    files = [("kokoro-v1.0.int8.onnx", b"model")] if model else []
    for name, body in [*files, ("voices-v1.0.bin", b"voices")]:
        remote = RemoteFile(name, len(body), hashlib.sha256(body).hexdigest())
        if name.startswith("voices"):
            monkeypatch.setattr(store, "VOICES", remote)
        else:
            monkeypatch.setitem(store.MODELS, "int8", remote)
        routes[f"/release/{name}"] = Route(body)
    return routes


def test_only_a_first_start_downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    routes = small_release(monkeypatch)
    with serve_files(routes) as url:
        settings = StoreSettings(data_dir=tmp_path, release_url=f"{url}/release/")
        first = provision(settings)
        assert (first.model.source, first.voices.source) == ("download", "download")
        again = provision(settings)
    assert (again.model.source, again.voices.source) == ("data-dir", "data-dir")
    assert [len(route.requests) for route in routes.values()] == [1, 1]


@pytest.mark.model
def test_a_data_dir_with_the_offline_files_reaches_for_nothing(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    provision(offline(tmp_path))  # a first start without a network
    routes = small_release(monkeypatch, model=False)
    with serve_files(routes) as url:
        settings = StoreSettings(data_dir=tmp_path, release_url=f"{url}/release/")
        found = provision(settings)
        assert found.voices.path == tmp_path / store.OFFLINE_VOICES
        assert not any(route.requests for route in routes.values())
        # Fetching the official files is a deliberate act: `wyoming-kokoro download`.
        fetched = provision(settings, fetch=True)
    assert fetched.voices.source == "download"
    assert fetched.model.source == "data-dir"  # the int8 model is the official one


def test_nothing_found_lists_what_was_tried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "BUNDLE_MODEL_PARTS", ("no_such_bundle_part",))
    with serve_files({}) as url:
        settings = StoreSettings(data_dir=tmp_path, release_url=url)
        with pytest.raises(ProvisionError) as error:
            provision(settings)
    message = str(error.value)
    for source in ("user: not there", "data-dir: not there", "download:", "404"):
        assert source in message
    assert "offline-bundle: not there" in message
    assert "pip install 'wyoming-kokoro[offline]'" in message


def test_unknown_variant_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProvisionError, match="variant"):
        provision(offline(tmp_path, variant="fp8"))


@pytest.mark.parametrize("errno_name", ["ENOSPC", "EROFS"])
def test_a_full_or_read_only_data_dir_is_a_clear_error_and_leaves_no_half_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, errno_name: str
) -> None:
    import errno
    import os

    real_open = open

    def failing_open(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        handle = real_open(file, mode, *args, **kwargs)  # type: ignore[call-overload]
        if "w" in mode and str(file).endswith(".part"):
            handle.close()
            code = getattr(errno, errno_name)
            raise OSError(code, os.strerror(code), str(file))
        return handle

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(ProvisionError) as error:
        provision(offline(tmp_path))
    assert os.strerror(getattr(errno, errno_name)) in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_names_the_folder_and_the_space_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    def full(target: Path, *args: object, **kwargs: object) -> Path:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(store, "write_atomically", full)
    with pytest.raises(ProvisionError) as error:
        provision(offline(tmp_path))
    assert str(error.value) == (
        f"No space left on device in {tmp_path} for the model (92 MB): free some space "
        "or choose another --data-dir"
    )


def test_an_interrupted_write_leaves_no_file_behind(tmp_path: Path) -> None:
    target = tmp_path / "file.bin"

    def interrupted(out: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.write_atomically(target, interrupted)
    assert list(tmp_path.iterdir()) == []


def test_a_data_dir_the_server_cannot_write_says_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root here, which may write anywhere: the refusal is staged.
    def refuse(data_dir: Path) -> Path:
        raise PermissionError(13, "Permission denied", str(data_dir / "kokoro-v1.0.int8.onnx.part"))

    monkeypatch.setattr(store, "assemble_bundle_model", refuse)
    with pytest.raises(ProvisionError) as caught:
        provision(offline(tmp_path))
    message = str(caught.value)
    assert f"Cannot write to {tmp_path}" in message and "chown -R" in message
    assert "1000:1000" in message and "offline bundle" not in message


def test_the_variants_offered_are_the_models_known() -> None:
    assert tuple(store.MODELS) == VARIANTS


def test_the_fast_decoders_ranges_were_measured_on_the_int8_model_fetched() -> None:
    """Two records of one model: what the store fetches, and what the ranges that make
    the fast decoder were measured on (bench/calibrate_decoder.py writes them)."""
    assert fast_made_for() == store.MODELS["int8"].sha256
