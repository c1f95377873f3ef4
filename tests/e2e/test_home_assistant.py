"""The real Home Assistant (core 2025.4.4, which reads whole messages, and 2026.2.3,
which streams; script/home-assistant) drives our server through its own Wyoming
integration and TTS, ffmpeg conversion included: what a media player gets for each
case, and the voice a new pipeline is offered first."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from support.server import Server

INSTALLED = Path(__file__).parents[2] / ".home-assistant"
DRIVER = Path(__file__).parents[2] / "support" / "real_home_assistant.py"


def driver_command(version: str) -> list[str]:
    """How Home Assistant `version` runs the driver; skips where it is not installed."""
    if version == "2025.4.4":
        python = INSTALLED / version / "bin" / "python"
        if not python.exists():
            pytest.skip(
                "Home Assistant 2025.4.4 is not installed: script/home-assistant (Python 3.13)"
            )
        return [str(python), str(DRIVER)]
    root = INSTALLED / version
    if not (root / "ha" / "installed").exists():
        pytest.skip(f"Home Assistant {version} is not installed: script/home-assistant (as root)")
    (root / "w").mkdir(exist_ok=True)
    shutil.copy(DRIVER, root / "w" / DRIVER.name)
    # In a mount namespace of its own: /proc is mounted for the run only.
    run = f"mount -t proc proc {root}/proc && exec chroot {root} /ha/bin/python /w/{DRIVER.name}"
    return ["unshare", "-m", "sh", "-c", run + ' "$@"', "driver"]


@pytest.fixture(scope="module", params=["2025.4.4", "2026.2.3"])
def home_assistant(request: pytest.FixtureRequest, server: Server) -> dict[str, dict]:
    """Each case's result as Home Assistant reported it, and the voices it lists."""
    done = subprocess.run(
        [*driver_command(request.param), str(server.port)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {line.get("case", "voices"): line for line in lines}


@pytest.mark.parametrize(
    ("case", "extension", "least"),
    [
        ("short, mp3", "mp3", 5000),
        ("short, 16 kHz wav", "wav", 16000 * 2 * 1),
        ("three sentences, mp3", "mp3", 30000),
        ("a named voice", "mp3", 5000),
        ("a voice since removed, mp3", "mp3", 5000),
    ],
)
def test_a_media_player_gets_the_answer(
    home_assistant: dict[str, dict], case: str, extension: str, least: int
) -> None:
    result = home_assistant[case]
    assert "error" not in result, result
    assert result["format"] == extension and result["bytes"] >= least, result


@pytest.mark.parametrize("case", ["empty text, mp3", "only spaces, 16 kHz wav", "only emoji, mp3"])
def test_nothing_to_say_is_still_a_file_a_media_player_plays(
    home_assistant: dict[str, dict], case: str
) -> None:
    """Without audio HA's ffmpeg conversion fails and its media player gets HTTP 500."""
    result = home_assistant[case]
    assert "error" not in result, result
    assert 0 < result["bytes"] < 8000, result


def test_a_message_streamed_in_pieces_is_spoken_whole(home_assistant: dict[str, dict]) -> None:
    """An LLM's reply reaches the server a few words at a time (HA 2026.2 and later)."""
    if "a message in pieces, mp3" not in home_assistant:
        pytest.skip("this Home Assistant does not stream messages")
    result = home_assistant["a message in pieces, mp3"]
    assert "error" not in result, result
    assert result["bytes"] >= 30000, result


def test_a_new_pipeline_is_offered_the_default_voice_first(
    home_assistant: dict[str, dict],
) -> None:
    assert home_assistant["voices"]["voices"][0] == "jf_gongitsune"
