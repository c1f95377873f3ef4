"""The command line: subcommands, options and their environment variables into
`Settings`.

The parser is built from the settings classes (core/settings.py). The command
line wins; an option not given comes from its environment variable, read only
for the subcommand being run (a bad server-only variable cannot break `voices`),
and otherwise keeps its default.
"""

import argparse
import os
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any

from . import __version__
from .core.options import Option, parse_bool
from .core.settings import (
    EngineSettings,
    HandlerSettings,
    HttpSettings,
    Settings,
    SpeechSettings,
    StoreSettings,
)
from .wyoming.health_check import add_options as add_check_options

COMMANDS = ("serve", "speak", "voices", "download", "doctor", "check")

SECTIONS: dict[str, type] = {
    "store": StoreSettings,
    "engine": EngineSettings,
    "speech": SpeechSettings,
    "handler": HandlerSettings,
    "http": HttpSettings,
}
GROUPS = {
    "store": "model and voices",
    "engine": "engine",
    "speech": "speech",
    "handler": "server",
    "http": "server",
}


@dataclass(frozen=True)
class Setting:
    """One option of one settings class."""

    name: str
    """The field's name: unique across the classes."""

    option: Option
    default: Any
    group: str


def all_options() -> list[Setting]:
    """Every option, section by section, then Settings' own."""
    owners = [*SECTIONS.items(), ("", Settings)]
    return [
        Setting(
            f.name,
            f.metadata["option"],
            f.default if f.default_factory is MISSING else f.default_factory(),
            f.metadata["option"].group or GROUPS.get(section, ""),
        )
        for section, owner in owners
        for f in fields(owner)
        if "option" in f.metadata
    ]


def build_settings(values: Mapping[str, Any]) -> Settings:
    """Settings from option values by field name; what is not there keeps its default."""

    def make(owner: Any) -> Any:
        given = {f.name: values[f.name] for f in fields(owner) if f.name in values}
        return owner(**given)

    sections = {name: make(owner) for name, owner in SECTIONS.items()}
    sections["engine"] = sections["engine"].in_data_dir(sections["store"].data_dir)
    own = {
        f.name: values[f.name]
        for f in fields(Settings)
        if "option" in f.metadata and f.name in values
    }
    return Settings(**sections, **own)


def options_of(command: str) -> list[Setting]:
    """The options a subcommand takes: the server's own only for `serve`."""
    return [s for s in all_options() if command == "serve" or not s.option.serve]


def build_parser(description: str | None = None) -> argparse.ArgumentParser:
    """Every subcommand and its options; nothing is read from the environment yet."""
    common = argparse.ArgumentParser(add_help=False)
    groups: dict[str, argparse._ArgumentGroup] = {}
    for setting in options_of("speak"):
        if not setting.group:
            _add(common, setting)
        else:
            if setting.group not in groups:
                groups[setting.group] = common.add_argument_group(setting.group)
            _add(groups[setting.group], setting)

    parser = argparse.ArgumentParser(
        prog="wyoming-kokoro",
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)

    server = commands.add_parser("serve", parents=[common], help="Run the Wyoming server")
    for setting in all_options():
        if setting.option.serve:
            _add(server, setting)

    speak = commands.add_parser("speak", parents=[common], help="Speak text into a WAV file")
    speak.add_argument("--text", required=True, help="What to say")
    speak.add_argument("--output", required=True, help="WAV file to write, - for stdout")

    commands.add_parser("voices", parents=[common], help="List the installed voices")
    commands.add_parser("download", parents=[common], help="Fetch or assemble the model")
    commands.add_parser("doctor", parents=[common], help="Check the installation")
    add_check_options(commands.add_parser("check", help="Exit 0 if a server answers describe"))
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings of a parsed command line: what was given, else the environment's,
    else the default. A variable that does not parse is a ValueError naming it."""
    given = vars(args)
    values = {}
    for setting in options_of(args.command):
        if setting.name in given:
            values[setting.name] = given[setting.name]
        elif (value := os.environ.get(setting.option.env, "")).strip():
            values[setting.name] = _from_env(setting.option, value)
    return build_settings(values)


def _from_env(option: Option, value: str) -> Any:
    try:
        return parse_bool(value) if option.turns_off else option.parse(value)
    except ValueError as err:
        raise ValueError(f"{option.env}={value!r}: {err}") from err


def _add(parser: "argparse._ActionsContainer", setting: Setting) -> None:
    """A setting's option; absent from the parsed arguments unless given."""
    option = setting.option
    if option.turns_off:
        parser.add_argument(
            option.flag,
            action="store_false",
            dest=setting.name,
            default=argparse.SUPPRESS,
            help=f"{option.help} (env {option.env}=false)",
        )
        return
    extra: dict[str, Any] = {"choices": option.choices} if option.choices else {}
    if option.const is not None:
        extra.update(nargs="?", const=option.const)
    shown = "" if setting.default in (None, "", (), {}) else f"default {setting.default}, "
    parser.add_argument(
        option.flag,
        dest=setting.name,
        type=_said(option.parse),
        default=argparse.SUPPRESS,
        help=f"{option.help} ({shown}env {option.env})",
        **extra,
    )


def _said(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """`convert` whose ValueError message argparse shows as it is."""

    def parse(value: str) -> Any:
        try:
            return convert(value)
        except ValueError as err:
            raise argparse.ArgumentTypeError(f"{value!r}: {err}") from err

    return parse
