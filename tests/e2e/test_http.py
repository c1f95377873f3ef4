"""The optional HTTP side of the real server (health, metrics), and the command-line tools."""

import contextlib
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from wyoming.tts import Synthesize

from support.server import Server, free_port, request, run_cli, run_server, wait_until


def get(url: str, data: bytes | None = None) -> tuple[int, bytes, str]:
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.read(), response.headers["Content-Type"]
    except urllib.error.HTTPError as err:
        return err.code, err.read(), err.headers["Content-Type"]


@pytest.fixture(scope="module")
def http_server(
    data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, str]]:
    http = f"http://127.0.0.1:{free_port()}"
    with run_server(
        data_dir, tmp_path_factory.mktemp("logs"), "--language", "en_US", "--http-uri", http
    ) as server:
        yield server, http


def test_health_is_503_while_loading_then_200(data_dir: Path, tmp_path: Path) -> None:
    http = f"http://127.0.0.1:{free_port()}"
    argv = [sys.executable, "-m", "wyoming_kokoro", "--uri", f"tcp://127.0.0.1:{free_port()}"]
    argv += ["--data-dir", str(data_dir), "--no-download", "--http-uri", http]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    statuses: list[int] = []

    def healthy() -> bool:
        with contextlib.suppress(OSError):  # not listening yet
            statuses.append(get(f"{http}/health")[0])
        return statuses[-1:] == [200]

    try:
        wait_until(healthy, "/health says 200")
    finally:
        process.terminate()
        process.wait(20)
    assert statuses[0] == 503
    assert statuses[-1] == 200


async def test_metrics_move_after_a_synthesis(http_server: tuple[Server, str]) -> None:
    server, http = http_server
    async with server.client() as client:
        await request(client, [Synthesize(text="Lights on.").event()], until="audio-stop")
    status, body, content_type = get(f"{http}/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    metrics = {
        line.split()[0]: float(line.split()[1])
        for line in body.decode().splitlines()
        if line and not line.startswith("#")
    }
    assert metrics["kokoro_requests_total"] >= 1
    assert metrics["kokoro_audio_seconds_total"] > 0.5
    assert metrics["kokoro_time_to_first_audio_seconds_count"] >= 1
    assert metrics["kokoro_real_time_factor_count"] >= 1
    assert metrics["kokoro_g2p_fallbacks"] == 0


def test_check_asks_a_running_server(http_server: tuple[Server, str]) -> None:
    server, _ = http_server
    result = run_cli("check", "--uri", server.uri)
    assert result.returncode == 0 and "5 voices" in result.stdout
    spoken = run_cli("check", "--uri", server.uri, "--text", "Lights on.", "--timeout", "60")
    assert spoken.returncode == 0 and "ok: spoke" in spoken.stdout
    # The health check's own entry point, as the Docker image runs it.
    lean = subprocess.run(
        [sys.executable, "-m", "wyoming_kokoro.wyoming.health_check"],
        env={**os.environ, "KOKORO_URI": server.uri.replace("127.0.0.1", "0.0.0.0")},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert lean.returncode == 0 and "5 voices" in lean.stdout
    closed = run_cli("check", "--uri", f"tcp://127.0.0.1:{free_port()}", "--timeout", "2")
    assert closed.returncode == 1 and "did not answer" in closed.stderr


def test_download_assembles_the_offline_bundle(tmp_path: Path) -> None:
    result = run_cli("download", "--data-dir", str(tmp_path), "--no-download")
    assert result.returncode == 0
    assert str(tmp_path / "kokoro-v1.0.int8.onnx") in result.stdout


def test_doctor_on_a_good_and_a_broken_data_dir(data_dir: Path, tmp_path: Path) -> None:
    good = run_cli("doctor", "--data-dir", str(data_dir), "--no-download")
    assert good.returncode == 0, good.stdout
    for check in (
        "python",
        "misaki",
        "spaCy pipeline",
        "espeak-ng",
        "onnxruntime",
        "voices and decoder",
    ):
        assert f"ok    {check}:" in good.stdout
    assert "; decoder fast" in good.stdout
    # The files found are loaded as found: not taken for the user's and hashed again.
    assert "Loaded kokoro-v1.0.int8.onnx (data-dir," in good.stderr, good.stderr
    assert "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb" in good.stdout
    voices = tmp_path / "voices.npz"
    voices.write_bytes(b"\0" * 1000)
    broken = run_cli(
        "doctor", "--data-dir", str(data_dir), "--no-download", "--voices", str(voices)
    )
    assert broken.returncode == 1
    assert "FAIL  voices and decoder" in broken.stdout and str(voices) in broken.stdout
    assert "cannot start" in broken.stdout
