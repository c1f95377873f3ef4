"""Start-up, discovery and shutdown of the real server process."""

import asyncio
import signal
import socket
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from wyoming.client import AsyncClient, AsyncTcpClient
from wyoming.error import Error
from wyoming.tts import Synthesize
from zeroconf import ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncServiceBrowser, AsyncZeroconf

from support.server import Reply, loudness, request, run_cli, run_server, wait_until
from wyoming_kokoro.core.settings import prepared_dir
from wyoming_kokoro.wyoming.discovery import SERVICE_TYPE

NAME = "kokoro-e2e-test"


async def browse(timeout: float = 10.0) -> tuple[str, int, list[str]]:
    """Find our service with a zeroconf browser on this machine's loopback."""
    aiozc = AsyncZeroconf(interfaces=["127.0.0.1"])
    found: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def on_change(
        zeroconf: Zeroconf,
        service_type: str,
        name: str,
        state_change: ServiceStateChange,
    ) -> None:
        if state_change is ServiceStateChange.Added and NAME in name and not found.done():
            found.set_result(name)

    browser = AsyncServiceBrowser(aiozc.zeroconf, SERVICE_TYPE, handlers=[on_change])
    try:
        name = await asyncio.wait_for(found, timeout)
        info = await aiozc.async_get_service_info(SERVICE_TYPE, name, 3000)
        assert info is not None and info.port is not None
        return name, info.port, info.parsed_addresses()
    finally:
        await browser.async_cancel()
        await aiozc.async_close()


async def test_zeroconf_announces_the_server_and_sigterm_stops_it_cleanly(
    data_dir: Path, tmp_path: Path
) -> None:
    with run_server(data_dir, tmp_path, "--zeroconf", NAME) as server:
        name, port, addresses = await browse()
        assert name == f"{NAME}.{SERVICE_TYPE}"
        assert port == server.port
        assert addresses == ["127.0.0.1"]
        # Stopped in the middle of a synthesis: the client is told.
        async with server.client() as client:
            await client.write_event(Synthesize(text="Hello there. " * 40).event())
            assert (await client.read_event()) is not None
            assert server.stop() == 0
            rest = []
            while (event := await client.read_event()) is not None:
                rest.append(event)
            # The reason, then the audio closed, so Home Assistant keeps what it has.
            assert [e.type for e in rest[-2:]] == ["error", "audio-stop"]
            assert Error.from_event(rest[-2]).text == "The server is stopping"
    log = server.log_text()
    assert "Traceback" not in log
    assert "Zeroconf announcement withdrawn" not in log  # only at debug level
    assert "Stopping" in log


def test_speak_writes_a_wav_file(data_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "x.wav"
    text = "The kitchen lights are on."
    common = ["--data-dir", str(data_dir), "--no-download", "--language", "en_US"]
    result = run_cli(
        "speak", *common, "--voice", "jf_alpha", "--text", text, "--output", str(output)
    )
    assert result.returncode == 0, result.stderr
    with wave.open(str(output)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (24000, 1, 2)
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    seconds = len(samples) / 24000
    assert 1.0 < seconds < 4.0
    assert loudness(samples) > 0.02
    assert f"Wrote {output}: {seconds:.2f} s of audio, voice jf_alpha" in result.stderr


def test_speak_to_stdout_and_voices(data_dir: Path) -> None:
    common = ["--data-dir", str(data_dir), "--no-download"]
    speak = ["speak", *common, "--language", "en_US", "--text", "Hi.", "--output", "-"]
    wav = subprocess.run(
        [sys.executable, "-m", "wyoming_kokoro", *speak],
        check=True,
        capture_output=True,
        timeout=120,
    ).stdout
    assert wav[:4] == b"RIFF" and len(wav) > 10_000
    listing = run_cli("voices", *common).stdout
    assert "jm_kumo\tja_JP\tmale\tKumo - Japanese, male" in listing.splitlines()


def test_a_default_voice_that_is_not_installed_does_not_stop_the_server(
    data_dir: Path, tmp_path: Path
) -> None:
    """docker/compose.yaml's af_heart comes only with the download: with the offline
    bundle the server warns and serves with the best installed voice."""
    with run_server(data_dir, tmp_path, "--voice", "af_heart", "--language", "en_US") as server:
        reply = asyncio.run(_synthesize(server.client(), "Lights on."))
        assert loudness(reply.groups()[0]) > 0.02
    assert "'af_heart' is not installed" in server.log_text()
    assert "using jf_gongitsune instead" in server.log_text()


async def _synthesize(client: AsyncTcpClient, text: str) -> Reply:
    async with client:
        return await request(client, [Synthesize(text=text).event()], "audio-stop")


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["--voice", "xx_nobody"], "Voice 'xx_nobody' is not installed", 1),
        (["--model", "/nonexistent/model.onnx"], "/nonexistent/model.onnx does not exist", 2),
        (["--speed", "5"], "--speed 5.0 is outside", 2),
        (["--lexicon", "/nonexistent/names.json"], "--lexicon /nonexistent/names.json", 2),
    ],
)
def test_bad_settings_are_one_clear_line(
    data_dir: Path, args: list[str], message: str, code: int
) -> None:
    common = ["--data-dir", str(data_dir), "--no-download"]
    result = run_cli("speak", *common, "--text", "Hi.", "--output", "-", *args)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("option", "content", "message"),
    [
        ("--voices", b"", "is not a voices file Kokoro can read"),
        ("--voices", b"PK\x03\x04 cut short by a power cut", "is not a voices file"),
        ("--voices", b'{"af_heart": [1, 2]}', "is not a voices file"),
        ("--model", b"", "Could not load the model"),
        ("--model", b"\x08\x07 not a model", "Could not load the model"),
        ("--lexicon", b'{"Kokoro": 5}', "expected a mapping of words"),
        ("--lexicon", b"\xff\xfe not text", "Lexicon"),
    ],
)
def test_a_damaged_file_the_user_gave_is_one_line_and_exit_2(
    data_dir: Path, tmp_path: Path, option: str, content: bytes, message: str
) -> None:
    damaged = tmp_path / ("file.json" if option == "--lexicon" else "file.bin")
    damaged.write_bytes(content)
    common = ["--data-dir", str(data_dir), "--no-download", option, str(damaged)]
    result = run_cli("speak", *common, "--text", "Hi.", "--output", "-")
    assert result.returncode == 2, result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("wyoming-kokoro: error: ") and str(damaged) in error
    assert message in error and "Traceback" not in result.stderr


def test_a_filled_data_dir_starts_without_reaching_for_the_network(
    data_dir: Path, tmp_path: Path
) -> None:
    """Home networks that drop packets silently would make every start wait: a data dir
    that has its files reaches for nothing (the release URL counts connections)."""
    with socket.socket() as release:
        release.bind(("127.0.0.1", 0))
        release.listen()
        release.setblocking(False)
        url = f"http://127.0.0.1:{release.getsockname()[1]}/"
        common = ["--data-dir", str(data_dir), "--release-url", url]
        assert run_cli("voices", *common).returncode == 0
        spoken = run_cli("speak", *common, "--text", "Hi.", "--output", str(tmp_path / "x.wav"))
        assert spoken.returncode == 0, spoken.stderr
        with pytest.raises(BlockingIOError):
            release.accept()
    assert "Downloading" not in spoken.stderr


def test_a_truncated_model_in_the_data_dir_comes_back_repaired_and_speaking(
    data_dir: Path, tmp_path: Path
) -> None:
    model = tmp_path / "kokoro-v1.0.int8.onnx"
    whole = (data_dir / model.name).read_bytes()
    model.write_bytes(whole[: len(whole) // 2])  # a copy a power cut broke off
    with run_server(tmp_path, tmp_path, "--language", "en_US") as server:
        reply = asyncio.run(_synthesize(server.client(), "Lights on."))
        assert loudness(reply.groups()[0]) > 0.02
    assert model.read_bytes() == whole
    assert (tmp_path / f"{model.name}.damaged").stat().st_size == len(whole) // 2
    assert "was damaged or incomplete" in server.log_text()


async def test_unix_socket_uri(data_dir: Path, tmp_path: Path) -> None:
    socket_path = tmp_path / "kokoro.sock"
    uri = f"unix://{socket_path}"
    argv = [sys.executable, "-m", "wyoming_kokoro", "--uri", uri, "--data-dir", str(data_dir)]
    process = subprocess.Popen([*argv, "--no-download", "--language", "en_US"])
    try:

        def listening() -> bool:
            assert process.poll() is None, "exited before it listened"
            return socket_path.exists()

        wait_until(listening, f"a socket at {socket_path}")
        async with AsyncClient.from_uri(uri) as client:
            reply = await request(client, [Synthesize(text="Lights on.").event()], "audio-stop")
        assert loudness(reply.groups()[0]) > 0.02
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
    assert not socket_path.exists()


def test_the_prepared_model_is_kept_and_made_again_when_damaged(
    data_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "kokoro-v1.0.int8.onnx").symlink_to(data_dir / "kokoro-v1.0.int8.onnx")
    logs = []
    for start in range(3):
        with run_server(tmp_path, tmp_path, "--language", "en_US") as server:
            reply = asyncio.run(_synthesize(server.client(), "Lights on."))
            assert loudness(reply.groups()[0]) > 0.02
        logs.append(server.log_text())
        server.log.unlink()
        if start == 1:  # a disk error cuts the kept decoder short
            (decoder,) = prepared_dir(tmp_path).glob("*-fast-v*/decoder.onnx")
            decoder.write_bytes(decoder.read_bytes()[:1000])
    assert logs[0].count("Prepared ") == 2 and "Making the fast decoder" in logs[0]
    assert "Using the prepared model in" in logs[1] and "Prepared" not in logs[1]
    assert "did not match its model" in logs[2] and "Making the fast decoder" in logs[2]
    assert all("fast decoder)" in log for log in logs)


def test_a_start_killed_mid_copy_leaves_no_half_file(tmp_path: Path) -> None:
    """A power cut while the model is assembled: nothing under the final name, and
    the next start cleans up and assembles it whole."""
    argv = [sys.executable, "-m", "wyoming_kokoro", "download", "--data-dir", str(tmp_path)]
    process = subprocess.Popen([*argv, "--no-download"], stderr=subprocess.DEVNULL)
    try:

        def copying() -> bool:
            assert process.poll() is None, "finished before it could be interrupted"
            return bool(list(tmp_path.glob(".kokoro-v1.0.int8.onnx.*.part")))

        wait_until(copying, "the model being assembled")
        process.kill()
    finally:
        process.wait()
    assert not (tmp_path / "kokoro-v1.0.int8.onnx").exists()
    assert run_cli("download", "--data-dir", str(tmp_path), "--no-download").returncode == 0
    assert (tmp_path / "kokoro-v1.0.int8.onnx").stat().st_size == 92_361_271
    assert not list(tmp_path.glob(".*.part"))
