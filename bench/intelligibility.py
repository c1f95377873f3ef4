"""Word error rate per mode, so that what people hear shows up as numbers.

    python -m bench.intelligibility [--data-dir DIR] [--voice NAME]

Synthesizes the sentences of tests/intelligibility.py with misaki, with espeak-ng
only, and with misaki but no normalization; Whisper tiny.en transcribes them.
"""

import argparse
from pathlib import Path

from tests.intelligibility import MODES, Listener, measure
from wyoming_kokoro.engine import Engine, EngineSettings
from wyoming_kokoro.g2p import G2P
from wyoming_kokoro.settings import default_data_dir
from wyoming_kokoro.store import StoreSettings, provision
from wyoming_kokoro.synthesizer import SpeechSettings, Synthesizer
from wyoming_kokoro.voices import VoiceCatalog


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.intelligibility", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--voice", help="Default: the best installed")
    parser.add_argument("--verbose", action="store_true", help="Print what Whisper heard")
    args = parser.parse_args()
    files = provision(StoreSettings(data_dir=args.data_dir))
    base = Synthesizer(
        Engine(files.model.path, EngineSettings()),
        VoiceCatalog.load([files.voices.path]),
        G2P(),
        SpeechSettings(voice=args.voice, language="en_US"),
    )
    listener = Listener()
    print(f"voice {base.default_voice.name}, {files.model.path.name}, Whisper tiny.en")
    print(f"{'mode':<18} {'WER':>6} {'errors':>8}")
    for mode in MODES:
        result = measure(base, listener, mode)
        print(f"{mode:<18} {result.word_error_rate:>6.3f} {result.errors:>4}/{result.words}")
        if args.verbose:
            for expected, heard in result.heard:
                print(f"    {expected}  ->  {heard}")
    base.close()


if __name__ == "__main__":
    main()
