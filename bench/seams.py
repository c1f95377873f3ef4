"""Seams no one hears: windowed against whole decoding, on held-out answers.

    python -m bench.seams [--data-dir DIR] [--sentences 100] [--voice NAME]...
                          [--machines 3,6,10,20] [--decoder fast|int8|float]

For each voice: Whisper tiny.en's word error on the answers in bench/answers.txt
(which no test uses) decoded whole, then in the windows a listener gets: planned
as this machine plans them (its decoder timed as it runs, as in the server), and
as simulated machines decoding a frame (25 ms of audio) in the given milliseconds
plan them (support/machine.py), one of them getting three times slower from each
piece's third window; and as they are planned for Home Assistant's player, which
plays once it has 4.3 s (here, and at the slowest machine). With each, the loudness
step at every seam in speech against whole decoding (support/seams.py), and where the
seams of the first three answers fall. Writes bench/results/seams-*.json.
"""

import argparse
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from support.intelligibility import Listener, Result, measure
from support.machine import Machine
from support.seams import decode_for_a_listener
from wyoming_kokoro.core.settings import (
    DECODERS,
    EngineSettings,
    SpeechSettings,
    StoreSettings,
    default_data_dir,
)
from wyoming_kokoro.files.store import provision
from wyoming_kokoro.speech.decoding.frames import Timeline
from wyoming_kokoro.speech.decoding.paced import PacedDecoder
from wyoming_kokoro.speech.engine import Engine
from wyoming_kokoro.speech.g2p import G2P
from wyoming_kokoro.speech.synthesizer import Request, Synthesizer
from wyoming_kokoro.speech.voices import VoiceCatalog
from wyoming_kokoro.wyoming.handler import HOME_ASSISTANT_GATHERS

ANSWERS = Path(__file__).parent / "answers.txt"


def answers(count: int) -> list[tuple[str, str | None]]:
    lines = [line.strip() for line in ANSWERS.read_text().splitlines() if line.strip()]
    return [(line, None) for line in lines[:count]]


@dataclass
class Windowed:
    """One voice in one machine's windows."""

    machine: str
    word_error_rate: float
    errors: int
    more_than_whole: int
    """Words wrong here that decoding whole got right, less those it got wrong."""
    seams: int
    steps_db: dict[str, float]
    """|loudness step| at seams in speech, dB: median, p90, max."""
    first_three: list[list[str]] = field(default_factory=list)
    """Where the seams of the first three answers fall: frame and the phonemes around."""


def windowed(
    base: Synthesizer,
    listener: Listener,
    voice: str,
    sentences: list[tuple[str, str | None]],
    whole: Result,
    machine: Machine | None,
    gathers: float = 0.0,
) -> Windowed:
    """`voice` in the windows `machine` plans (None: this machine, as the server does)
    for a player that plays once it has `gathers` seconds."""

    def paced() -> PacedDecoder:  # as a server starts: the throughput not yet fitted
        return base.paced if machine is None else machine.paced(base.engine)

    heard = measure(base, listener, "misaki", voice, paced(), sentences, gathers)
    walked = paced()
    steps: list[float] = []
    first_three: list[list[str]] = []
    seams = 0
    for text, _ in sentences:
        plan = base.plan(Request(text=text, voice=voice, language="en_US"))
        for piece in base.pieces(plan):
            front = base.engine.front(piece.phonemes, plan.voice, plan.speed)
            if front is None or not front.inputs:
                continue
            seamed = decode_for_a_listener(walked, front, gathers=gathers)
            steps += seamed.steps
            seams += len(seamed.seams)
            if len(first_three) < 3:
                timeline = Timeline.of(front.tokens, front.inputs[0], front.inputs[2])
                first_three.append([f"{s} {timeline.around(s)}" for s in seamed.seams])
    size = np.abs(steps) if steps else np.zeros(1)
    name = str(machine) if machine else "this machine"
    return Windowed(
        machine=f"Home Assistant's player, {name}" if gathers else name,
        word_error_rate=heard.word_error_rate,
        errors=heard.errors,
        more_than_whole=heard.errors - whole.errors,
        seams=seams,
        steps_db={
            "median": float(np.median(size)),
            "p90": float(np.percentile(size, 90)),
            "max": float(size.max()),
        },
        first_three=first_three,
    )


@dataclass
class VoiceResult:
    whole: float
    """Word error rate decoded whole."""
    whole_errors: int
    words: int
    windowed: list[Windowed]


@dataclass
class Report:
    decoder: str
    this_machine: str
    """The throughput the server's plan used here."""
    sentences: int
    voices: dict[str, VoiceResult]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.seams", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--sentences", type=int, default=100)
    parser.add_argument("--voice", action="append", help="Voices (default: the server's)")
    parser.add_argument("--machines", default="3,6,10,20", help="ms a frame, simulated")
    parser.add_argument("--decoder", choices=DECODERS, default=EngineSettings.decoder)
    args = parser.parse_args()
    machines = [Machine(float(ms) / 1000) for ms in args.machines.split(",") if ms]
    machines.append(Machine(0.006, slower_after=2, slower=3.0))
    report = run(args.data_dir, args.decoder, args.voice, args.sentences, machines)
    print_report(report)
    output = Path(__file__).parent / "results" / f"seams-{time.strftime('%Y%m%d-%H%M%S')}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, default=asdict, indent=2))
    print(f"\nwritten to {output}")


def run(
    data_dir: Path,
    decoder: str,
    voices: list[str] | None,
    sentences: int,
    machines: list[Machine],
) -> Report:
    """Each voice decoded whole and in the windows of this machine and of `machines`."""
    files = provision(StoreSettings(data_dir=data_dir))
    engine = Engine(
        files.model.path,
        EngineSettings(decoder=decoder).in_data_dir(data_dir),
        files.model.sha256,
    )
    catalog = VoiceCatalog.load([files.voices.path])
    base = Synthesizer(PacedDecoder(engine), catalog, G2P(), SpeechSettings(language="en_US"))
    base.warm_up()
    speed = base.paced.throughput
    this_machine = f"{1000 * speed.per_frame:.1f} ms a frame + {1000 * speed.overhead:.0f} ms a run"
    listener = Listener()
    chosen = answers(sentences)
    slowest = sorted(machines, key=lambda machine: machine.per_frame)[-1:]
    by_voice = {}
    try:
        for voice in voices or [base.default_voice.name]:
            whole = measure(base, listener, "misaki", voice, None, chosen)
            by_voice[voice] = VoiceResult(
                whole.word_error_rate,
                whole.errors,
                whole.words,
                [
                    *(
                        windowed(base, listener, voice, chosen, whole, machine)
                        for machine in [None, *machines]
                    ),
                    *(
                        windowed(
                            base, listener, voice, chosen, whole, machine, HOME_ASSISTANT_GATHERS
                        )
                        for machine in [None, *slowest]
                    ),
                ],
            )
    finally:
        base.close()
    return Report(engine.decoder, this_machine, len(chosen), by_voice)


def print_report(report: Report) -> None:
    print(
        f"{report.decoder} decoder, this machine {report.this_machine} at warm-up, "
        f"{report.sentences} held-out answers, Whisper tiny.en"
    )
    for voice, result in report.voices.items():
        print(f"\n{voice}: decoded whole {result.whole:.3f} ({result.whole_errors}/{result.words})")
        print(f"{'windows planned by':<44} {'WER':>6} {'vs whole':>8} {'seams':>6}  |step| dB")
        for row in result.windowed:
            steps = row.steps_db
            print(
                f"{row.machine:<44} {row.word_error_rate:>6.3f} {row.more_than_whole:>+8d} "
                f"{row.seams:>6}  {steps['median']:.1f} / {steps['p90']:.1f} / {steps['max']:.1f}"
            )
        for row in result.windowed:
            seams = "; ".join(", ".join(answer) or "none" for answer in row.first_three)
            print(f"  where the first three answers' seams fall, {row.machine}: {seams}")
    print(
        "\nvs whole: words wrong in the windows less those wrong decoded whole; |step|:"
        "\nhow much more the loudness changes across a seam in speech than across the same"
        "\nplace decoded whole (200 ms each side), median / 90th percentile / largest"
    )


if __name__ == "__main__":
    main()
