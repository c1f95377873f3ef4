"""The real Home Assistant (core 2025.4.4, script/home-assistant) drives our server
through its own Wyoming integration and TTS, ffmpeg conversion included: what a media
player gets for each case, and the voice a new pipeline is offered first."""

import json
import subprocess
from pathlib import Path

import pytest

from support.server import Server

HOME_ASSISTANT = Path(__file__).parents[2] / ".home-assistant" / "2025.4.4" / "bin" / "python"
DRIVER = Path(__file__).parents[2] / "support" / "real_home_assistant.py"

pytestmark = pytest.mark.skipif(
    not HOME_ASSISTANT.exists(),
    reason="the real Home Assistant is not installed: run script/home-assistant (Python 3.13)",
)


@pytest.fixture(scope="module")
def home_assistant(server: Server) -> dict[str, dict]:
    """Each case's result as Home Assistant reported it, and the voices it lists."""
    done = subprocess.run(
        [str(HOME_ASSISTANT), str(DRIVER), str(server.port)],
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


def test_a_new_pipeline_is_offered_the_default_voice_first(
    home_assistant: dict[str, dict],
) -> None:
    assert home_assistant["voices"]["voices"][0] == "jf_gongitsune"
