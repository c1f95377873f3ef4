"""A slow CPU plans well: the benchmark's texts as slower machines would speak them.

    python -m bench.slow_cpu [--data-dir DIR] [--machines 10,25,40]

Each text of bench/texts is spoken by the real synthesizer and model with the windows a
machine decoding a frame (25 ms of audio) in the given milliseconds plans: 25 is about
real time (a Raspberry Pi 5 with ONNX Runtime's own kernels), 40 slower than speech (a
Pi 4). The clock is simulated (support/machine.py): it moves only by what each decoder
run would cost there, so the figures are that machine's whatever runs the benchmark.
For a player that starts at the first audio (the page, the HTTP API) and for Home
Assistant's, which starts once it has 4.3 s: when it starts, how long it stalls after,
and the earliest start from which it never would (support/listening.py).
"""

import argparse
import asyncio
from pathlib import Path

from support.listening import Heard, hear
from support.machine import Machine
from wyoming_kokoro.core.audio import BYTES_PER_SECOND
from wyoming_kokoro.core.settings import (
    EngineSettings,
    SpeechSettings,
    StoreSettings,
    default_data_dir,
)
from wyoming_kokoro.files.store import provision
from wyoming_kokoro.speech.engine import Engine
from wyoming_kokoro.speech.g2p import G2P
from wyoming_kokoro.speech.synthesizer import Request, Synthesizer
from wyoming_kokoro.speech.voices import VoiceCatalog
from wyoming_kokoro.wyoming.handler import HOME_ASSISTANT_GATHERS

from .__main__ import load_texts

PLAYERS = {"starts at once": 0.0, "Home Assistant's": HOME_ASSISTANT_GATHERS}


async def spoken(synthesizer: Synthesizer, machine: Machine, text: str, gathers: float) -> Heard:
    """`text` as a player that gathers `gathers` seconds hears it, on `machine`'s clock."""
    playback = synthesizer.playback(gathers)
    start = machine.clock()
    chunks = []
    async for pcm in synthesizer.stream(Request(text=text), playback):
        chunks.append((machine.clock() - start, len(pcm) / BYTES_PER_SECOND))
    return hear(chunks, gathers)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.slow_cpu", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--machines", default="10,25,40", help="ms a frame, simulated")
    args = parser.parse_args()
    files = provision(StoreSettings(data_dir=args.data_dir))
    engine = Engine(
        files.model.path,
        EngineSettings().in_data_dir(args.data_dir),
        files.model.sha256,
    )
    voices = VoiceCatalog.load([files.voices.path])
    g2p = G2P()
    texts = {name: variants[0] for name, variants in load_texts().items()}
    print(f"{'machine':<10} {'text':<10} {'audio':>6}", end="")
    for player in PLAYERS:
        print(f" | {player + ': plays, stall, gap-free':>42}", end="")
    print()
    for ms in args.machines.split(","):
        for name, text in texts.items():
            row = ""
            for gathers in PLAYERS.values():
                machine = Machine(float(ms) / 1000)
                settings = SpeechSettings(language="en_US")
                synthesizer = Synthesizer(machine.paced(engine), voices, g2p, settings)
                try:
                    heard = asyncio.run(spoken(synthesizer, machine, text, gathers))
                finally:
                    synthesizer.close()
                row += f" | {heard.first_audio:>22.2f} s {heard.stall:>6.2f} s"
                row += f" {heard.gap_free_start:>7.2f} s"
            print(f"{ms + ' ms':<10} {name:<10} {heard.audio:>5.1f}s{row}")
    print("\nseconds on the simulated clock; plays: when the player starts; stall: silence")
    print("it hears after; gap-free: the earliest start from which it would never stall")


if __name__ == "__main__":
    main()
