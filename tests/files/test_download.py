import hashlib
from pathlib import Path

import pytest

from wyoming_kokoro.files.download import DownloadError, RemoteFile, download
from wyoming_kokoro.files.store import bundle_voices
from wyoming_kokoro.speech.voices import VoiceCatalog

from .http_files import Route, serve_files


@pytest.fixture(scope="module")
def real_file() -> bytes:
    """A real voices file, as the official release serves one."""
    path = bundle_voices()
    assert path is not None
    return path.read_bytes()


def expect(body: bytes, name: str = "voices-v1.0.bin") -> RemoteFile:
    return RemoteFile(name, len(body), hashlib.sha256(body).hexdigest())


def test_good_file_is_downloaded_and_usable(real_file: bytes, tmp_path: Path) -> None:
    target = tmp_path / "voices-v1.0.bin"
    with serve_files({"/v": Route(real_file)}) as url:
        assert download(f"{url}/v", expect(real_file), target) == target
    assert target.read_bytes() == real_file
    assert not (tmp_path / "voices-v1.0.bin.part").exists()
    assert "jf_alpha" in [v.name for v in VoiceCatalog.load([target])]


def test_truncated_file_is_retried_once_then_refused(real_file: bytes, tmp_path: Path) -> None:
    route = Route(real_file[: len(real_file) // 2], ranges=False)
    target = tmp_path / "voices-v1.0.bin"
    with serve_files({"/v": route}) as url, pytest.raises(DownloadError, match="bytes"):
        download(f"{url}/v", expect(real_file), target)
    assert len(route.requests) == 3
    assert not target.exists()
    assert not (tmp_path / "voices-v1.0.bin.part").exists()


def test_wrong_hash_is_refused(real_file: bytes, tmp_path: Path) -> None:
    tampered = bytes([real_file[0] ^ 1]) + real_file[1:]
    target = tmp_path / "voices-v1.0.bin"
    with (
        serve_files({"/v": Route(tampered)}) as url,
        pytest.raises(DownloadError, match="sha256"),
    ):
        download(f"{url}/v", expect(real_file), target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_server_error_is_reported_without_pointless_retries(
    real_file: bytes, tmp_path: Path
) -> None:
    route = Route(b"", status=500)
    with (
        serve_files({"/v": route}) as url,
        pytest.raises(DownloadError, match="500"),
    ):
        download(f"{url}/v", expect(real_file), tmp_path / "v.bin")
    assert len(route.requests) == 1
    assert list(tmp_path.iterdir()) == []


def test_interrupted_download_resumes_where_it_stopped(real_file: bytes, tmp_path: Path) -> None:
    route = Route(real_file, cut_first_after=100_000)
    target = tmp_path / "voices-v1.0.bin"
    with serve_files({"/v": route}) as url:
        download(f"{url}/v", expect(real_file), target)
    assert route.requests == [None, "bytes=100000-"]
    assert target.read_bytes() == real_file


def test_server_without_resume_starts_over(real_file: bytes, tmp_path: Path) -> None:
    route = Route(real_file, ranges=False, cut_first_after=100_000)
    target = tmp_path / "voices-v1.0.bin"
    with serve_files({"/v": route}) as url:
        download(f"{url}/v", expect(real_file), target)
    assert route.requests == [None, "bytes=100000-"]
    assert target.read_bytes() == real_file
