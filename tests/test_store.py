import hashlib
import re
from pathlib import Path

import pytest

from wyoming_kokoro import store
from wyoming_kokoro.download import RemoteFile
from wyoming_kokoro.settings import VARIANTS, StoreSettings
from wyoming_kokoro.store import (
    ProvisionError,
    UnusableFileError,
    bundle_voices,
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
    assert not any(tmp_path.iterdir())


def test_a_missing_user_file_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(UnusableFileError, match=r"nope\.onnx"):
        provision(offline(tmp_path, model=tmp_path / "nope.onnx"))


def test_files_in_the_data_dir_are_used(data_dir: Path) -> None:
    found = provision(offline(data_dir))
    assert found.model.source == "data-dir"
    assert found.model.path == data_dir / "kokoro-v1.0.int8.onnx"


def test_offline_bundle_is_assembled_and_checked(tmp_path: Path) -> None:
    found = provision(offline(tmp_path))
    assert found.model.source == "offline-bundle"
    assert found.voices.source == "offline-bundle"
    model = tmp_path / "kokoro-v1.0.int8.onnx"
    assert found.model.path == model
    assert model.stat().st_size == store.MODELS["int8"].size
    assert [p.name for p in tmp_path.iterdir()] == [model.name]


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
def test_a_damaged_model_in_the_data_dir_stops_start_up(
    model_files: store.ModelFiles, tmp_path: Path, damage: str
) -> None:
    model = tmp_path / "kokoro-v1.0.int8.onnx"
    data = model_files.model.path.read_bytes()
    if damage == "truncate":
        data = data[: len(data) // 3]
    else:
        data = data[:1000] + bytes(1000) + data[2000:]
    model.write_bytes(data)
    with pytest.raises(UnusableFileError, match=re.escape(str(model))) as error:
        provision(offline(tmp_path))
    assert "Delete it" in str(error.value)
    assert model.read_bytes() == data


def test_downloads_come_before_the_offline_bundle(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    voices_path = bundle_voices()
    assert voices_path is not None
    body = voices_path.read_bytes()
    remote = RemoteFile("voices-v1.0.bin", len(body), hashlib.sha256(body).hexdigest())
    monkeypatch.setattr(store, "VOICES", remote)
    (tmp_path / "kokoro-v1.0.int8.onnx").symlink_to(data_dir / "kokoro-v1.0.int8.onnx")
    route = Route(body)
    with serve_files({"/release/voices-v1.0.bin": route}) as url:
        found = provision(StoreSettings(data_dir=tmp_path, release_url=f"{url}/release/"))
    assert found.voices.source == "download"
    assert found.voices.path == tmp_path / "voices-v1.0.bin"
    assert found.model.source == "data-dir"
    # Next time the downloaded file is simply there.
    again = provision(StoreSettings(data_dir=tmp_path, release_url=f"{url}/release/"))
    assert again.voices.source == "data-dir"
    assert len(route.requests) == 1


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
