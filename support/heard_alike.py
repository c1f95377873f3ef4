"""Do servers say the same? The same sentences from each, heard by Whisper, and how far
each one's audio is from the first server's.

    python -m support.heard_alike NAME=URI [NAME=URI ...] [--text TEXT ...] [--voice V]
        [--dnsmos] [--max-distance DB] [--timeout S]

docker/test --arm64 compares the arm64 image with the amd64 one so (not bit for bit:
their kernels differ, and round the words' lengths a frame apart now and then). Exits 1
where a server after the first makes more word errors in a sentence than the first plus
one, or its audio is further than --max-distance from the first's (log-spectral
distance after aligning the two in time, blind to phase). Measured: arm64 under qemu
6.7 dB from amd64 for the same sentence, where another sentence is 12.7 dB away and
amd64's own fast and int8 decoders 5.0-5.7 dB apart.
"""

import argparse
import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from wyoming.audio import AudioChunk, AudioStop
from wyoming.client import AsyncClient
from wyoming.tts import Synthesize, SynthesizeVoice

from support.distance import aligned_spectral_distance
from support.intelligibility import Listener, dnsmos, edit_distance, words
from wyoming_kokoro.core.audio import SAMPLE_RATE

TEXTS = (
    "The front door is locked and the lights are off.",
    "Tomorrow will be cloudy with a chance of rain in the afternoon.",
)


@dataclass(frozen=True)
class Spoken:
    server: str
    text: str
    audio: np.ndarray
    heard: str
    errors: int


async def speak(uri: str, text: str, voice: str | None, timeout: float) -> np.ndarray:
    """`text` as the server at `uri` speaks it, as floats."""
    pcm = bytearray()
    async with asyncio.timeout(timeout), AsyncClient.from_uri(uri) as client:
        chosen = SynthesizeVoice(name=voice) if voice else None
        await client.write_event(Synthesize(text=text, voice=chosen).event())
        while (event := await client.read_event()) is not None:
            if AudioChunk.is_type(event.type):
                pcm += AudioChunk.from_event(event).audio
            elif AudioStop.is_type(event.type):
                break
    return np.frombuffer(bytes(pcm), dtype=np.int16).astype(np.float32) / 32768


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m support.heard_alike", description=__doc__)
    parser.add_argument("servers", nargs="+", help="NAME=URI, the first the reference")
    parser.add_argument("--text", action="append", help="A sentence (repeat); two by default")
    parser.add_argument("--voice")
    parser.add_argument("--dnsmos", action="store_true", help="Also DNSMOS P.808 (speechmos)")
    parser.add_argument("--max-distance", type=float, default=9.0, help="dB")
    parser.add_argument("--timeout", type=float, default=900.0, help="Seconds a sentence")
    parser.add_argument("--save", type=Path, help="Write each server's audio here (.npy)")
    args = parser.parse_args(argv)
    servers = dict(server.split("=", 1) for server in args.servers)
    listener = Listener()
    spoken: dict[str, list[Spoken]] = {}
    for name, uri in servers.items():
        spoken[name] = []
        for text in args.text or TEXTS:
            audio = asyncio.run(speak(uri, text, args.voice, args.timeout))
            pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes()
            heard = listener.transcribe(pcm).strip()
            errors = edit_distance(words(text), words(heard))
            spoken[name].append(Spoken(name, text, audio, heard, errors))
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                np.save(args.save / f"{name}-{len(spoken[name])}.npy", audio)
    reference, *others = servers
    failed = False
    for n, text in enumerate(args.text or TEXTS):
        print(f"{text!r}")
        first = spoken[reference][n]
        for name in servers:
            said = spoken[name][n]
            line = f"  {name:<12} {len(said.audio) / SAMPLE_RATE:5.2f} s, {said.errors} word errors"
            if name != reference:
                distance = aligned_spectral_distance(first.audio, said.audio)
                line += f", {distance:.1f} dB from {reference}"
                if said.errors > first.errors + 1 or distance > args.max_distance:
                    failed = True
                    line += "  <- not alike"
            if args.dnsmos:
                line += f", DNSMOS P.808 {dnsmos(said.audio)['p808_mos']:.2f}"
            print(f"{line}: {said.heard!r}")
    print("not alike" if failed else f"alike: {', '.join(others) or reference}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
