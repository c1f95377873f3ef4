"""How a setting is given: its flag, help, value parser and environment variable.

The settings classes (settings.py) describe each option in their fields'
metadata with `option()`; the command line (command_line.py) reads them from
there. Every option has an environment variable, KOKORO_ and the option's name.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_bool(value: str) -> bool:
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError("expected true or false")


def parse_count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"{value} is negative")
    return number


def parse_positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"{value} is not 1 or more")
    return number


def parse_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def parse_voice_map(value: str) -> dict[str, str]:
    """`alloy=af_bella,echo=jm_kumo`, or a JSON or YAML file mapping names to voices."""
    if "=" in value or not value.strip():
        pairs = (pair.partition("=") for pair in value.split(",") if pair.strip())
        mapping = {name.strip(): voice.strip() for name, _, voice in pairs}
    else:
        path = Path(value)
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as err:
            raise ValueError(f"cannot read {path}: {err}") from err
        if not isinstance(loaded, dict):
            raise ValueError(f"{path} must map OpenAI voice names to Kokoro voices")
        mapping = {str(name): str(voice) for name, voice in loaded.items()}
    if bad := [name for name, voice in mapping.items() if not name or not voice]:
        raise ValueError(f"expected NAME=VOICE pairs, got {bad[0]!r}")
    return mapping


@dataclass(frozen=True)
class Option:
    """How a setting is given on the command line and in the environment."""

    flag: str
    help: str
    parse: Callable[[str], Any] = str
    choices: tuple[str, ...] = ()
    variable: str = ""
    """The environment variable where it is not named for the flag: a setting on by
    default, whose flag is --no-X, is turned off by KOKORO_X=false."""

    const: Any = None
    """The value of the flag given alone (--zeroconf, --debug); None: it takes one."""

    serve: bool = False
    """Only the server has it."""

    group: str = ""
    """Where --help lists it; empty: with the rest of its settings class, or on its
    own for Settings' own."""

    @property
    def env(self) -> str:
        return self.variable or env_name(self.flag)

    @property
    def turns_off(self) -> bool:
        """A setting on by default, which --no-X and KOKORO_X=false turn off."""
        return bool(self.variable)


def option(
    flag: str, help: str, parse: Callable[[str], Any] = str, **kwargs: Any
) -> dict[str, Option]:
    """A dataclass field's metadata: the field's option."""
    return {"option": Option(flag, help, parse, **kwargs)}


def env_name(option: str) -> str:
    """--samples-per-chunk -> KOKORO_SAMPLES_PER_CHUNK."""
    return "KOKORO_" + option.lstrip("-").replace("-", "_").upper()
