import re
import shlex
from pathlib import Path

import pytest

from wyoming_kokoro.__main__ import main
from wyoming_kokoro.command_line import COMMANDS, all_options, build_parser, settings_from


def parse(*argv: str):
    return settings_from(build_parser().parse_args(["serve", *argv]))


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KOKORO_VOICE", "KOKORO_SPEED", "KOKORO_PROVIDER", "KOKORO_MISAKI_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    settings = parse()
    assert settings.uri == "tcp://0.0.0.0:10200"
    assert settings.speech.voice is None and settings.speech.speed == 1.0
    assert settings.engine.provider == "cpu" and settings.use_misaki
    assert settings.zeroconf is None and settings.http.http_uri is None


def test_every_kind_of_option_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env = {
        "KOKORO_VOICE": "af_bella",
        "KOKORO_SPEED": "1.25",
        "KOKORO_PROVIDER": "coreml",
        "KOKORO_MISAKI_ENABLED": "false",
        "KOKORO_STREAMING": "no",
        "KOKORO_DOWNLOAD": "0",
        "KOKORO_DATA_DIR": str(tmp_path),
        "KOKORO_SAMPLES_PER_CHUNK": "512",
        "KOKORO_ZEROCONF": "kitchen",
        "KOKORO_HTTP_URI": "http://127.0.0.1:10201",
        "KOKORO_HTTP_API_KEY": "secret",
        "KOKORO_OPENAI_VOICES": "alloy=jm_kumo, nova = jf_alpha",
        "KOKORO_MODEL_VARIANT": "fp16",
        "KOKORO_LANGUAGE": "en_GB",
        "KOKORO_DEBUG": "true",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = parse()
    assert settings.speech.voice == "af_bella"
    assert settings.speech.speed == 1.25
    assert settings.speech.language == "en_GB"
    assert settings.engine.provider == "coreml"
    assert settings.engine.cache_dir == tmp_path / "coreml-cache"
    assert not settings.use_misaki
    assert not settings.handler.streaming
    assert settings.handler.samples_per_chunk == 512
    assert not settings.store.download
    assert settings.store.data_dir == tmp_path
    assert settings.store.variant == "fp16"
    assert settings.zeroconf == "kitchen"
    assert settings.http.http_uri == "http://127.0.0.1:10201"
    assert settings.http.http_api_key == "secret"
    assert settings.http.openai_voices == {"alloy": "jm_kumo", "nova": "jf_alpha"}
    assert settings.debug


def test_the_command_line_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOKORO_VOICE", "af_bella")
    monkeypatch.setenv("KOKORO_SPEED", "1.25")
    settings = parse("--voice", "bf_emma", "--speed", "0.9")
    assert (settings.speech.voice, settings.speech.speed) == ("bf_emma", 0.9)


def test_a_bad_boolean_in_the_environment_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KOKORO_MISAKI_ENABLED", "maybe")
    with pytest.raises(ValueError, match="KOKORO_MISAKI_ENABLED='maybe': expected true or false"):
        parse()


def test_a_number_that_does_not_parse_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOKORO_SPEED", "fast")
    with pytest.raises(ValueError, match="KOKORO_SPEED='fast'"):
        parse()


def test_a_variable_is_read_only_for_the_subcommand_that_has_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KOKORO_OPENAI_VOICES", "/nonexistent/voices.yaml")
    monkeypatch.setenv("KOKORO_SAMPLES_PER_CHUNK", "many")
    settings = settings_from(build_parser().parse_args(["voices"]))
    assert settings.http.openai_voices == {} and settings.handler.samples_per_chunk == 1024
    with pytest.raises(ValueError, match="KOKORO_SAMPLES_PER_CHUNK='many'"):
        parse()
    assert main(["check", "--uri", "tcp://127.0.0.1:9", "--timeout", "0.5"]) == 1
    assert "KOKORO_" not in capsys.readouterr().err


def test_a_bad_option_value_says_what_is_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse("--openai-voices", "alloy=af_heart,=jm_kumo")
    assert (
        "--openai-voices: 'alloy=af_heart,=jm_kumo': expected NAME=VOICE" in capsys.readouterr().err
    )


def test_the_readme_lists_every_option_with_its_variable() -> None:
    """The README's option table and the settings classes say the same."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    rows = re.findall(r"^\| `(--[a-z-]+)[^`]*` \| `(KOKORO_[A-Z_]+)[^`]*` \|", readme, re.M)
    documented = dict(rows)
    offered = {setting.option.flag: setting.option.env for setting in all_options()}
    assert documented == offered


def test_every_command_the_readme_shows_parses() -> None:
    """A newcomer copies them: `script/run` and `wyoming-kokoro` lines, as written."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    shown = re.findall(r"script/run([^`\n&|]*)", readme)
    shown += re.findall(r" wyoming-kokoro ([a-z]+[^`\n]*)`", readme)
    assert len(shown) >= 8
    for command in shown:
        argv = shlex.split(command.replace("HOST", "localhost"))
        if not argv or argv[0] not in COMMANDS:
            argv = ["serve", *argv]
        build_parser().parse_args(argv)  # exits, and fails the test, where it does not parse


def test_every_option_reaches_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each option, given on the command line, changes the setting it names."""
    for setting in all_options():
        monkeypatch.delenv(setting.option.env, raising=False)
    defaults = parse()
    for setting in all_options():
        option = setting.option
        if option.turns_off:
            argv = [option.flag]
        elif option.choices:
            argv = [option.flag, next(c for c in option.choices if c != setting.default)]
        else:
            argv = [option.flag, _EXAMPLES.get(option.flag, "7")]
        changed = parse(*argv)
        assert changed != defaults, option.flag


_EXAMPLES = {
    "--uri": "tcp://127.0.0.1:10300",
    "--http-uri": "http://127.0.0.1:10201",
    "--openai-voices": "alloy=jm_kumo",
    "--voice-blends": "jf_alpha+jm_kumo",
    "--debug": "true",
}
