import json
from pathlib import Path

import pytest

from wyoming_kokoro.core.options import env_name, parse_bool, parse_voice_map


def test_env_names_follow_the_options() -> None:
    assert env_name("--samples-per-chunk") == "KOKORO_SAMPLES_PER_CHUNK"


def test_booleans_in_words_people_use() -> None:
    assert parse_bool(" Yes") and parse_bool("on") and not parse_bool("0")
    with pytest.raises(ValueError, match="expected true or false"):
        parse_bool("maybe")


def test_overrides_from_an_option_or_a_file(tmp_path: Path) -> None:
    assert parse_voice_map(" alloy = jf_alpha ,echo=jm_kumo") == {
        "alloy": "jf_alpha",
        "echo": "jm_kumo",
    }
    yaml_file = tmp_path / "voices.yaml"
    yaml_file.write_text("alloy: jf_alpha\nnova: jf_nezumi\n")
    assert parse_voice_map(str(yaml_file)) == {"alloy": "jf_alpha", "nova": "jf_nezumi"}
    json_file = tmp_path / "voices.json"
    json_file.write_text(json.dumps({"echo": "jm_kumo"}))
    assert parse_voice_map(str(json_file)) == {"echo": "jm_kumo"}
    with pytest.raises(ValueError, match="cannot read"):
        parse_voice_map(str(tmp_path / "missing.yaml"))
    json_file.write_text("[1, 2]")
    with pytest.raises(ValueError, match="must map"):
        parse_voice_map(str(json_file))
    with pytest.raises(ValueError, match="NAME=VOICE"):
        parse_voice_map("alloy=")
