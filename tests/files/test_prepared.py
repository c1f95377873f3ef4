"""The model's front and decoder, made once and kept in the data dir."""

from pathlib import Path

import pytest

from wyoming_kokoro.files import prepared
from wyoming_kokoro.files.prepared import PreparationError, prepare
from wyoming_kokoro.files.store import ModelFiles


@pytest.fixture(scope="module")
def kept(model_files: ModelFiles, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("prepared")
    prepare(model_files.model.path, folder)
    return folder


def no_split(model: Path, into: Path) -> list[Path]:
    raise AssertionError("split again")


def test_parts_are_made_once_and_kept(
    model_files: ModelFiles, kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prepared, "split", no_split)
    parts = prepare(model_files.model.path, kept)
    assert [part.name for part in parts] == ["front.onnx", "decoder.onnx"]
    assert all(part.parent.parent == kept for part in parts)
    assert parts[0].parent.name.endswith(f"-v{prepared.VERSION}")
    assert not [p for p in kept.iterdir() if p.name.startswith(".")]  # no half-made folder


def test_a_damaged_part_is_made_again(
    model_files: ModelFiles, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    front, decoder = prepare(model_files.model.path, tmp_path)
    whole = decoder.read_bytes()
    decoder.write_bytes(whole[: len(whole) // 2])
    again = prepare(model_files.model.path, tmp_path)
    assert again == [front, decoder] and decoder.read_bytes() == whole
    assert "did not match its model" in caplog.text
    assert (tmp_path / f"{decoder.parent.name}.damaged").is_dir()


def test_another_model_gets_its_own_parts(model_files: ModelFiles, kept: Path) -> None:
    digest = prepared.sha256_of(model_files.model.path)
    folder = kept / f"{digest[:16]}-v{prepared.VERSION}"
    assert folder.is_dir()
    manifest = (folder / "manifest.json").read_text()
    assert digest in manifest


def test_a_file_that_is_not_a_model_cannot_be_prepared(tmp_path: Path) -> None:
    broken = tmp_path / "model.onnx"
    broken.write_bytes(b"not a model")
    with pytest.raises(PreparationError):
        prepare(broken, tmp_path / "kept")
    assert not list((tmp_path / "kept").iterdir())
