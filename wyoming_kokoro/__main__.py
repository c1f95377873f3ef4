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
import sys
from pathlib import Path

from .command_line import COMMANDS, build_parser, settings_from
from .core.audio import BYTES_PER_SECOND, wav_bytes
from .core.errors import KokoroError, SetupError
from .core.settings import check_settings
from .doctor import run_doctor
from .files.store import provision
from .server import serve
from .speech.loader import list_voices, load_synthesizer
from .speech.synthesizer import Request, Synthesizer
from .wyoming.health_check import check_server

_LOGGER = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help", "--version"):
        argv.insert(0, "serve")
    args = build_parser(__doc__).parse_args(argv)
    if args.command == "check":
        return asyncio.run(check_server(args.uri, args.timeout, args.text))
    try:
        settings = settings_from(args)
    except ValueError as err:  # an environment variable that does not parse
        print(f"wyoming-kokoro: error: {err}", file=sys.stderr)
        return 2
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
    plan = synthesizer.plan(Request(text=args.text, voice=synthesizer.settings.voice))
    pcm = b"".join(synthesizer.speak_plan(plan))
    _write(args.output, wav_bytes(pcm))
    where = "standard output" if args.output == "-" else args.output
    # On stderr: stdout may be the audio itself.
    print(
        f"Wrote {where}: {len(pcm) / BYTES_PER_SECOND:.2f} s of audio, voice {plan.voice.name}",
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
