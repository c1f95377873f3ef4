import re

import pytest

from wyoming_kokoro.command_line import build_parser, settings_from
from wyoming_kokoro.core.settings import SettingsError, check_settings


def parse(*argv: str):
    return settings_from(build_parser().parse_args(["serve", *argv]))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--uri", "tcp://localhost"], "--uri 'tcp://localhost': use tcp://HOST:PORT"),
        (["--uri", "tcp://host:port"], "use tcp://HOST:PORT"),
        (["--uri", "http://host:10200"], "use tcp://, unix://, stdio://"),
        (["--uri", "unix://"], "use unix://PATH"),
        (["--http-uri", "0.0.0.0:10201"], "--http-uri '0.0.0.0:10201': use http://"),
        (["--speed", "2.5"], "--speed 2.5 is outside 0.5 to 2.0"),
        (["--language", "xx_XX"], "--language 'xx_XX'"),
        (["--lexicon", "/nonexistent.yaml"], "--lexicon /nonexistent.yaml does not exist"),
    ],
)
def test_settings_are_checked_before_anything_loads(argv: list[str], message: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(message)):
        check_settings(parse(*argv))


def test_good_settings_pass() -> None:
    for argv in (["--uri", "unix:///run/kokoro.sock"], ["--uri", "stdio://"], []):
        check_settings(parse(*argv, "--http-uri", "http://0.0.0.0:10201"))
