"""The model's front and decoder, made once and kept in the data dir."""

import logging
from pathlib import Path

import pytest

from wyoming_kokoro.files import prepared
from wyoming_kokoro.files.prepared import PreparationError, prepare
from wyoming_kokoro.files.store import ModelFiles


@pytest.fixture(scope="module")
def kept(model_files: ModelFiles, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("prepared")
    prepare(model_files.model.path, folder, decoder="fast")
    return folder


def made_again(*args: object) -> list[Path]:
    raise AssertionError("made again")


def test_parts_are_made_once_and_kept(
    model_files: ModelFiles, kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prepared, "split", made_again)
    monkeypatch.setattr(prepared, "make_decoder", made_again)
    own = prepare(model_files.model.path, kept)
    assert own.decoder == "int8"
    assert [part.name for part in own.parts] == ["front.onnx", "decoder.onnx"]
    assert own.parts[0].parent.name.endswith(f"-v{prepared.VERSION}")
    fast = prepare(model_files.model.path, kept, decoder="fast")
    assert fast.decoder == "fast" and fast.parts[0] == own.parts[0]
    assert fast.parts[1].parent.name.endswith(f"-fast-v{prepared.DECODERS_VERSION}")
    assert all(part.parent.parent == kept for part in fast.parts)
    assert not [p for p in kept.iterdir() if p.name.startswith(".")]  # no half-made folder


def test_a_damaged_part_is_made_again(
    model_files: ModelFiles, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    front, decoder = prepare(model_files.model.path, tmp_path).parts
    whole = decoder.read_bytes()
    decoder.write_bytes(whole[: len(whole) // 2])
    again = prepare(model_files.model.path, tmp_path)
    assert again.parts == [front, decoder] and decoder.read_bytes() == whole
    assert "did not match its model" in caplog.text
    assert (tmp_path / f"{decoder.parent.name}.damaged").is_dir()


def test_an_earlier_versions_parts_are_removed_when_made_anew(
    model_files: ModelFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sha256 = model_files.model.sha256
    assert sha256 is not None
    digest = sha256[:16]
    older = tmp_path / f"{digest}-fast-v{prepared.DECODERS_VERSION - 1}"
    older.mkdir()
    (older / "decoder.onnx").write_bytes(b"made by an earlier version")
    another = tmp_path / f"{'0' * 16}-fast-v{prepared.DECODERS_VERSION - 1}"  # another model's
    another.mkdir()
    monkeypatch.setattr(prepared, "make_decoder", lambda kind, own, into: [])
    made = prepare(model_files.model.path, tmp_path, sha256, decoder="fast")
    assert made.decoder == "fast"
    assert not older.exists() and another.is_dir()
    assert (tmp_path / f"{digest}-fast-v{prepared.DECODERS_VERSION}").is_dir()


def test_a_damaged_fast_decoder_is_made_again(
    model_files: ModelFiles, kept: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fast = prepare(model_files.model.path, kept, decoder="fast").parts[1]
    whole = fast.read_bytes()
    fast.write_bytes(whole[:1000])
    again = prepare(model_files.model.path, kept, decoder="fast")
    assert again.decoder == "fast" and again.parts[1].read_bytes() == whole
    assert "did not match its model" in caplog.text


def test_a_decoder_that_cannot_be_made_leaves_the_models_own(
    model_files: ModelFiles, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A child killed for memory on a small board, an onnxruntime without the
    quantizer the fast decoder needs: the server still speaks."""
    own = prepare(model_files.model.path, tmp_path)

    def killed(*args: object) -> list[str]:
        raise PreparationError("stopped by signal 9, out of memory?")

    with pytest.MonkeyPatch.context() as patch, caplog.at_level(logging.WARNING):
        patch.setattr(prepared, "make_decoder", killed)
        fell_back = prepare(model_files.model.path, tmp_path, decoder="fast")
    assert fell_back == own
    assert "Could not make the fast decoder (stopped by signal 9" in caplog.text
    assert not [p for p in tmp_path.iterdir() if "-fast-" in p.name]


def test_the_fast_decoder_is_made_only_for_the_model_it_was_measured_on(
    model_files: ModelFiles, kept: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        other = prepare(model_files.model.path, kept, digest="0" * 64, decoder="fast")
    assert other.decoder == "own" and other.parts[1].name == "decoder.onnx"
    assert "made for the int8 model" in caplog.text


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
