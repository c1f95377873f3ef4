"""Word error rate per voice and per G2P mode: what people hear, as numbers.

    python -m bench.intelligibility [--data-dir DIR] [--decoder fast|int8|float] [--verbose]

Every installed voice reads the English sentences of support/intelligibility.py
(misaki G2P) and Whisper tiny.en transcribes them; voices are ranked by word
error rate, with each one's worst sentences. Then the default voice reads them
with espeak-ng only and without normalization. Whisper tiny.en hears English
only, so voices are not measured in their own languages. Writes the figures to
bench/results/intelligibility-*.json.
"""

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path

from support.intelligibility import MODES, Listener, Result, measure
from wyoming_kokoro.core.settings import (
    DECODERS,
    EngineSettings,
    SpeechSettings,
    StoreSettings,
    default_data_dir,
)
from wyoming_kokoro.files.store import provision
from wyoming_kokoro.speech.decoding.paced import PacedDecoder
from wyoming_kokoro.speech.engine import Engine
from wyoming_kokoro.speech.g2p import G2P
from wyoming_kokoro.speech.synthesizer import Synthesizer
from wyoming_kokoro.speech.voices import VoiceCatalog


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.intelligibility", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--decoder", choices=DECODERS, default=EngineSettings.decoder)
    parser.add_argument("--verbose", action="store_true", help="Print what Whisper heard")
    args = parser.parse_args()
    files = provision(StoreSettings(data_dir=args.data_dir))
    voices = VoiceCatalog.load([files.voices.path])
    engine = Engine(
        files.model.path,
        EngineSettings(decoder=args.decoder).in_data_dir(args.data_dir),
        files.model.sha256,
    )
    base = Synthesizer(
        PacedDecoder(engine),
        voices,
        G2P(),
        SpeechSettings(language="en_US"),
    )
    listener = Listener()
    default = base.default_voice.name
    print(
        f"{files.model.path.name}, {base.engine.decoder} decoder, Whisper tiny.en, English; "
        f"default voice {default}"
    )
    ranked = sorted(
        (measure(base, listener, "misaki", voice.name) for voice in voices),
        key=lambda r: r.word_error_rate,
    )
    print(f"{'voice':<16} {'WER':>6} {'errors':>8}  worst sentences")
    for result in ranked:
        worst = "; ".join(f"{h.expected!r} -> {h.heard!r}" for h in result.worst(2))
        print(f"{result.voice:<16} {result.word_error_rate:>6.3f} {_count(result):>8}  {worst}")
    modes = [r for r in ranked if r.voice == default]
    modes += [measure(base, listener, mode) for mode in MODES if mode != "misaki"]
    print(f"\n{default} by G2P mode:\n{'mode':<18} {'WER':>6} {'errors':>8}")
    for result in modes:
        print(f"{result.mode:<18} {result.word_error_rate:>6.3f} {_count(result):>8}")
        if args.verbose:
            for heard in result.heard:
                print(f"    {heard.expected}  ->  {heard.heard}")
    base.close()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    output = Path(__file__).parent / "results" / f"intelligibility-{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "model": files.model.path.name,
        "decoder": base.engine.decoder,
        "voices": ranked,
        "modes": modes,
    }
    output.write_text(json.dumps(report, default=asdict, indent=2))
    print(f"\nwritten to {output}")


def _count(result: Result) -> str:
    return f"{result.errors}/{result.words}"


if __name__ == "__main__":
    main()
