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
from .audio import wav_bytes
from .check import add_options as add_check_options
from .check import check_server
from .doctor import run_doctor
from .engine import PROVIDERS
from .errors import KokoroError
from .loader import list_voices, load_synthesizer
from .openai_api import parse_overrides
from .server import serve
from .settings import (
    DEFAULT_URI,
    RELEASE_URL,
    EngineSettings,
    HandlerSettings,
    HttpSettings,
    Settings,
    SpeechSettings,
    StoreSettings,
    check_settings,
    default_data_dir,
    env_bool,
    env_name,
    parse_bool,
)
from .store import MODELS, provision
from .synthesizer import Request, Synthesizer

_LOGGER = logging.getLogger(__name__)

COMMANDS = ("serve", "speak", "voices", "download", "doctor", "check")


def _option(
    parser: "argparse._ActionsContainer",
    flag: str,
    help: str,
    type: Callable[[str], Any] = str,
    default: Any = None,
    **kwargs: Any,
) -> None:
    """An option whose default comes from its environment variable."""
    env = env_name(flag)
    value = os.environ.get(env)
    if value:
        try:
            default = type(value)
        except ValueError as err:
            raise ValueError(f"{env}={value!r}: {err}") from err
    parser.add_argument(
        flag, type=_said(type), default=default, help=f"{help} (env {env})", **kwargs
    )


def _said(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """`convert` whose ValueError message argparse shows as it is."""

    def parse(value: str) -> Any:
        try:
            return convert(value)
        except ValueError as err:
            raise argparse.ArgumentTypeError(f"{value!r}: {err}") from err

    return parse


def _switch(parser: "argparse._ActionsContainer", flag: str, env: str, help: str) -> None:
    """A --no-X switch, also set by X's environment variable being false."""
    parser.add_argument(
        flag,
        action="store_false",
        dest=flag.removeprefix("--no-").replace("-", "_"),
        default=env_bool(env, True),
        help=f"{help} (env {env}=false)",
    )


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    store = common.add_argument_group("model and voices")
    _option(store, "--data-dir", "Where models are kept", Path, default_data_dir())
    _option(store, "--model", "Use this model file (.onnx)", Path)
    _option(store, "--voices", "Use this voices file (.npz, e.g. voices-v1.0.bin)", Path)
    _option(
        store,
        "--model-variant",
        "Official model to use",
        default="int8",
        choices=MODELS,
    )
    _switch(store, "--no-download", "KOKORO_DOWNLOAD", "Never download the model")
    _option(
        store,
        "--release-url",
        "Where the official files are downloaded from",
        default=RELEASE_URL,
    )
    speech = common.add_argument_group("speech")
    _option(speech, "--voice", "Default voice (default: the best installed)")
    _option(
        speech,
        "--voice-blends",
        "Blends to offer as voices, comma-separated, e.g. af_heart:0.7+af_bella:0.3",
        _blends,
        (),
    )
    _option(speech, "--language", "Default language, e.g. en_US (default: the voice's)")
    _option(speech, "--speed", "Default speed, 0.5 to 2.0", float, 1.0)
    _switch(speech, "--no-misaki", "KOKORO_MISAKI_ENABLED", "Use espeak-ng for English")
    _option(
        speech, "--lexicon", "Pronunciations: JSON or YAML, word to /phonemes/ or respelling", Path
    )
    _switch(speech, "--no-normalize", "KOKORO_NORMALIZE", "Read markup, units and times as written")
    _option(speech, "--cache-mb", "Keep recent answers' audio, up to MB (0: off)", float, 0.0)
    _option(speech, "--max-text-chars", "Longest text accepted", int, 100_000)
    engine = common.add_argument_group("engine")
    _option(engine, "--provider", "ONNX Runtime provider", default="cpu", choices=PROVIDERS)
    _option(engine, "--threads", "Threads for the model (0: one per core)", int, 0)
    _option(
        engine,
        "--coreml-compute-units",
        "CoreML compute units",
        default="ALL",
        choices=("ALL", "CPUAndGPU", "CPUAndNeuralEngine", "CPUOnly"),
    )
    _option(
        common,
        "--debug",
        "Log debug messages",
        type=parse_bool,
        default=False,
        nargs="?",
        const=True,
    )

    parser = argparse.ArgumentParser(
        prog="wyoming-kokoro",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)

    server = commands.add_parser("serve", parents=[common], help="Run the Wyoming server")
    _option(
        server,
        "--uri",
        "Where to listen: tcp://HOST:PORT, unix://PATH, stdio://",
        default=DEFAULT_URI,
    )
    _option(
        server,
        "--zeroconf",
        "Announce with zeroconf, optionally under NAME",
        nargs="?",
        const="",
        metavar="NAME",
    )
    _option(
        server,
        "--http-uri",
        "Serve /health, /metrics and OpenAI's speech API, e.g. http://0.0.0.0:10201",
    )
    _option(server, "--http-api-key", "Bearer token the OpenAI API wants (default: none)")
    _option(
        server,
        "--openai-voices",
        "OpenAI voice names to Kokoro voices: alloy=af_bella,echo=jm_kumo or a JSON/YAML file",
        parse_overrides,
        {},
    )
    _option(server, "--samples-per-chunk", "Samples per audio-chunk event", int, 1024)
    _switch(server, "--no-streaming", "KOKORO_STREAMING", "Do not accept streamed text")
    _option(
        server,
        "--max-requests",
        "Requests spoken at once, taking turns on the model",
        _positive_int,
        HandlerSettings.max_requests,
    )
    _option(
        server,
        "--max-queue",
        "Requests waiting for a turn; more are answered busy",
        _count,
        HandlerSettings.max_queue,
    )
    _option(server, "--idle-timeout", "Close a silent connection after seconds", float, 60.0)

    speak = commands.add_parser("speak", parents=[common], help="Speak text into a WAV file")
    speak.add_argument("--text", required=True, help="What to say")
    speak.add_argument("--output", required=True, help="WAV file to write, - for stdout")

    commands.add_parser("voices", parents=[common], help="List the installed voices")
    commands.add_parser("download", parents=[common], help="Fetch or assemble the model")
    commands.add_parser("doctor", parents=[common], help="Check the installation")
    add_check_options(commands.add_parser("check", help="Exit 0 if a server answers describe"))
    return parser


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"{value} is negative")
    return number


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"{value} is not 1 or more")
    return number


def _blends(value: str) -> tuple[str, ...]:
    return tuple(spec.strip() for spec in value.split(",") if spec.strip())


def _given(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    return {name: getattr(args, name) for name in names if hasattr(args, name)}


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(
        store=StoreSettings(
            data_dir=args.data_dir,
            model=args.model,
            voices=args.voices,
            variant=args.model_variant,
            download=args.download,
            release_url=args.release_url,
        ),
        engine=EngineSettings(
            provider=args.provider,
            threads=args.threads,
            cache_dir=args.data_dir / "coreml-cache",
            coreml_compute_units=args.coreml_compute_units,
        ),
        speech=SpeechSettings(
            voice=args.voice,
            language=args.language,
            speed=args.speed,
            max_text_chars=args.max_text_chars,
            normalize=args.normalize,
            cache_bytes=int(args.cache_mb * 1024 * 1024),
        ),
        # Server options exist only for `serve`; elsewhere the defaults hold.
        handler=HandlerSettings(
            **_given(
                args, "samples_per_chunk", "streaming", "max_requests", "max_queue", "idle_timeout"
            )
        ),
        use_misaki=args.misaki,
        lexicon=args.lexicon,
        blends=args.voice_blends,
        http=HttpSettings(**_given(args, "http_uri", "http_api_key", "openai_voices")),
        **_given(args, "uri", "zeroconf"),
        debug=args.debug,
    )


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
            files = provision(settings.store)
            print(files.model.path, files.voices.path, sep="\n")
        elif args.command == "voices":
            for row in list_voices(settings):
                print(*row, sep="\t")
        else:
            _speak(args, load_synthesizer(settings))
    except KokoroError as err:  # what a user can fix: one line, no traceback
        print(f"wyoming-kokoro: error: {err}", file=sys.stderr)
        return 1
    return 0


def _speak(args: argparse.Namespace, synthesizer: Synthesizer) -> None:
    # Named in the request, a voice that is not installed is an error here.
    pcm = b"".join(synthesizer.speak(Request(text=args.text, voice=args.voice)))
    _write(args.output, wav_bytes(pcm))


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
