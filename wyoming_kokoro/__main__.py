"""The command line: options and environment into settings, then a subcommand.

wyoming-kokoro [serve] [options]     the Wyoming server (the default)
wyoming-kokoro speak --text ... --output out.wav
wyoming-kokoro voices                the installed voices
wyoming-kokoro download              fetch or assemble the model, then exit
wyoming-kokoro doctor                check the installation
wyoming-kokoro check [--uri URI]     ask a running server `describe` (health check)
"""

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import __version__
from .core.audio import BYTES_PER_SECOND, wav_bytes
from .core.errors import KokoroError, SetupError
from .core.settings import (
    Setting,
    Settings,
    all_options,
    build_settings,
    check_settings,
    env_bool,
)
from .doctor import run_doctor
from .files.store import provision
from .server import serve
from .speech.loader import list_voices, load_synthesizer
from .speech.synthesizer import Request, Synthesizer
from .wyoming.health_check import add_options as add_check_options
from .wyoming.health_check import check_server

_LOGGER = logging.getLogger(__name__)

COMMANDS = ("serve", "speak", "voices", "download", "doctor", "check")


def _add(parser: "argparse._ActionsContainer", setting: Setting) -> None:
    """A setting's option, its default taken from its environment variable if set."""
    option = setting.option
    env = option.env
    if option.switch:
        parser.add_argument(
            option.flag,
            action="store_false",
            dest=setting.name,
            default=env_bool(env, setting.default),
            help=f"{option.help} (env {env}=false)",
        )
        return
    default = setting.default
    if value := os.environ.get(env):
        try:
            default = option.parse(value)
        except ValueError as err:
            raise ValueError(f"{env}={value!r}: {err}") from err
    extra: dict[str, Any] = {"choices": option.choices} if option.choices else {}
    if option.const is not None:
        extra.update(nargs="?", const=option.const)
    shown = "" if setting.default in (None, "", (), {}) else f"default {setting.default}, "
    parser.add_argument(
        option.flag,
        dest=setting.name,
        type=_said(option.parse),
        default=default,
        help=f"{option.help} ({shown}env {env})",
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


def build_parser() -> argparse.ArgumentParser:
    """The command line, built from the settings classes (settings.py)."""
    common = argparse.ArgumentParser(add_help=False)
    serve_only: list[Setting] = []
    groups: dict[str, argparse._ArgumentGroup] = {}
    for setting in all_options():
        if setting.option.serve:
            serve_only.append(setting)
        elif not setting.group:
            _add(common, setting)
        else:
            if setting.group not in groups:
                groups[setting.group] = common.add_argument_group(setting.group)
            _add(groups[setting.group], setting)

    parser = argparse.ArgumentParser(
        prog="wyoming-kokoro",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)

    server = commands.add_parser("serve", parents=[common], help="Run the Wyoming server")
    for setting in serve_only:
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
    return build_settings(vars(args))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help", "--version"):
        argv.insert(0, "serve")
    try:
        parser = build_parser()
    except ValueError as err:  # an environment variable that does not parse
        print(f"wyoming-kokoro: error: {err}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    if args.command == "check":
        return asyncio.run(check_server(args.uri, args.timeout, args.text))
    settings = settings_from(args)
    logging.basicConfig(
        level=logging.DEBUG if settings.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        check_settings(settings)
        if args.command == "serve":
            asyncio.run(serve(settings))
        elif args.command == "doctor":
            return run_doctor(settings)
        elif args.command == "download":
            files = provision(settings.store, fetch=True)
            print(files.model.path, files.voices.path, sep="\n")
        elif args.command == "voices":
            for row in list_voices(settings):
                print(*row, sep="\t")
        else:
            _speak(args, load_synthesizer(settings))
    except KokoroError as err:  # what a user can fix: one line, no traceback
        print(f"wyoming-kokoro: error: {err}", file=sys.stderr)
        return 2 if isinstance(err, SetupError) else 1
    return 0


def _speak(args: argparse.Namespace, synthesizer: Synthesizer) -> None:
    # Named in the request, a voice that is not installed is an error here.
    request = Request(text=args.text, voice=args.voice)
    pcm = b"".join(synthesizer.speak(request))
    _write(args.output, wav_bytes(pcm))
    voice = synthesizer.plan(request).voice.name
    where = "standard output" if args.output == "-" else args.output
    # On stderr: stdout may be the audio itself.
    print(
        f"Wrote {where}: {len(pcm) / BYTES_PER_SECOND:.2f} s of audio, voice {voice}",
        file=sys.stderr,
    )


def _write(output: str, data: bytes) -> None:
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(output).write_bytes(data)


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
