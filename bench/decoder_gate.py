"""Is a candidate decoder as good as today's? The quality gate for faster decoders.

    python -m bench.decoder_gate [--data-dir DIR] [--rounds 3] [CANDIDATE.onnx ...]

The int8 model's front makes the decoder inputs of 43 Home Assistant-style
sentences in two voices (jf_gongitsune, jm_kumo) once; then the int8 model's own
decoder, the package's float and fast decoders made from it (files/decoders.py)
and each candidate decode them whole. For each decoder: Whisper's
word error rate, DNSMOS (SIG, OVRL, P.808; PyPI `speechmos`, which needs librosa),
SNR and log-spectral distance against int8 and against float, and its speed
(seconds per second of speech, interleaved, median of --rounds, 1 and 2 threads).

A candidate passes when its DNSMOS P.808 is within 0.05 of int8's (or better), its
word errors within 1.5 times int8's plus 2 words, and none of its sentences loses
more than 0.5 P.808 against int8's; the worst three are named. Writes
bench/results/decoder-gate-*.json.
"""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from support.distance import log_spectral_distance, snr
from support.intelligibility import PLAIN, WRITTEN, Listener, dnsmos, edit_distance, words
from wyoming_kokoro.core.languages import ENGLISH
from wyoming_kokoro.core.settings import (
    EngineSettings,
    StoreSettings,
    default_data_dir,
    prepared_dir,
)
from wyoming_kokoro.files.decoders import KINDS, make
from wyoming_kokoro.files.model_split import DECODER_INPUTS
from wyoming_kokoro.files.prepared import prepare
from wyoming_kokoro.files.store import provision
from wyoming_kokoro.speech.decoding.output import to_pcm
from wyoming_kokoro.speech.engine import Engine
from wyoming_kokoro.speech.g2p import G2P
from wyoming_kokoro.speech.normalize import normalize
from wyoming_kokoro.speech.sentences import split_sentences
from wyoming_kokoro.speech.voices import VoiceCatalog

TEXTS = Path(__file__).parent / "texts"
VOICES = ("jf_gongitsune", "jm_kumo")
MORE = (
    "The porch light turns off at midnight.",
    "Your coffee is ready in the kitchen.",
    "I paused the music in the living room.",
    "The garden sprinklers start at five in the morning.",
    "Someone is ringing the doorbell.",
    "The oven has reached two hundred degrees.",
)


def sentences() -> list[str]:
    found = [s for name in ("assistant.txt", "weather.txt", "short.txt")
             for s in split_sentences((TEXTS / name).read_text())]  # fmt: skip
    found += [text for text, _ in PLAIN] + [heard or text for text, heard in WRITTEN]
    return [s for s in [*found, *MORE] if len(s.split()) >= 3][:44]


def session(path: Path, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.enable_mem_pattern = False
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def decode(decoder: ort.InferenceSession, inputs: tuple[np.ndarray, ...]) -> np.ndarray:
    features, f0, noise, style = inputs
    feeds = {DECODER_INPUTS[0]: features, DECODER_INPUTS[1]: f0, DECODER_INPUTS[2]: noise}
    audio = decoder.run(None, {**feeds, "style": style})[0]
    return np.asarray(audio, np.float32).reshape(-1)


def paired(measure: Any, references: list[np.ndarray], made: list[np.ndarray]) -> float:
    return statistics.median(measure(r, a) for r, a in zip(references, made, strict=True))


def speed(
    paths: dict[str, Path], clips: list[tuple[np.ndarray, ...]], threads: int, rounds: int
) -> dict:
    sessions = {name: session(path, threads) for name, path in paths.items()}
    seconds = sum(c[0].shape[2] for c in clips) * 0.025
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(rounds):
        for name, decoder in sessions.items():  # interleaved: a busy moment hits all alike
            began = time.perf_counter()
            for clip in clips:
                decode(decoder, clip)
            times[name].append(time.perf_counter() - began)
    return {name: statistics.median(t) / seconds for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.decoder_gate", description=__doc__)
    parser.add_argument("candidates", nargs="*", type=Path)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--rounds", type=int, default=3, help="Speed rounds (median)")
    args = parser.parse_args()
    files = provision(StoreSettings(data_dir=args.data_dir, download=False))
    prepared = prepared_dir(args.data_dir)
    settings = EngineSettings(decoder="int8", prepared_dir=prepared)
    engine = Engine(files.model.path, settings, files.model.sha256)
    int8 = prepare(files.model.path, prepared, files.model.sha256, "int8").parts[1]
    voices = VoiceCatalog.load([files.voices.path])
    phonemize = G2P().phonemizer(ENGLISH)
    texts = sentences()
    clips = []
    for text in texts:
        phonemes = phonemize(normalize(text, ENGLISH))
        for voice in VOICES:
            front = engine.front(phonemes, voices.get(voice))
            assert front is not None
            clips.append((text, voice, front.inputs))
    listener = Listener()
    with tempfile.TemporaryDirectory() as scratch:
        paths = {"int8": int8}
        for kind in KINDS:  # the package's own float and fast decoders
            paths[kind] = Path(scratch) / f"{kind}.onnx"
            make(kind, int8, paths[kind])
        paths |= {path.stem: path for path in args.candidates}
        audio = {}
        for name, path in paths.items():
            decoder = session(path, 2)
            audio[name] = [decode(decoder, clip[2]) for clip in clips]
            del decoder
        few = [c[2] for c in clips[:8]]
        fast = {threads: speed(paths, few, threads, args.rounds) for threads in (2, 1)}
    report: dict[str, Any] = {"sentences": len(texts), "voices": VOICES, "decoders": {}}
    for name, made in audio.items():
        heard = [
            edit_distance(words(text), words(listener.transcribe(to_pcm(a))))
            for (text, _, _), a in zip(clips, made, strict=True)
        ]
        scores = [dnsmos(a) for a in made]
        report["decoders"][name] = {
            "word_errors": sum(heard),
            "words": sum(len(words(text)) for text, _, _ in clips),
            "p808": statistics.mean(s["p808_mos"] for s in scores),
            "sig": statistics.mean(s["sig_mos"] for s in scores),
            "ovrl": statistics.mean(s["ovrl_mos"] for s in scores),
            "per_sentence_p808": [s["p808_mos"] for s in scores],
            "snr_vs_int8": statistics.median(
                snr(r, a) for r, a in zip(audio["int8"], made, strict=True)
            ),
            "snr_vs_float32": statistics.median(
                snr(r, a) for r, a in zip(audio["float"], made, strict=True)
            ),
            "lsd_vs_int8": statistics.median(
                log_spectral_distance(r, a) for r, a in zip(audio["int8"], made, strict=True)
            ),
            "lsd_vs_float32": statistics.median(
                log_spectral_distance(r, a) for r, a in zip(audio["float"], made, strict=True)
            ),
            "seconds_per_second": {t: fast[t][name] for t in fast},
            "speedup_vs_int8": {t: fast[t]["int8"] / fast[t][name] for t in fast},
        }
    base = report["decoders"]["int8"]
    print(f"{len(texts)} sentences x {len(VOICES)} voices, {base['words']} words")
    print(
        "decoder      errors  P.808   SIG  OVRL  SNR/int8 SNR/f32 LSD/int8 LSD/f32  "
        "x2thr  x1thr  gate"
    )
    for name, r in report["decoders"].items():
        drops = [
            b - c for b, c in zip(base["per_sentence_p808"], r["per_sentence_p808"], strict=True)
        ]
        worst = sorted(range(len(drops)), key=lambda i: -drops[i])[:3]
        passed = (
            r["p808"] >= base["p808"] - 0.05
            and r["word_errors"] <= 1.5 * base["word_errors"] + 2
            and max(drops) <= 0.5
        )
        r["passes"] = passed
        r["worst"] = [f"{clips[i][1]}: {clips[i][0]} ({-drops[i]:+.2f})" for i in worst]
        print(
            f"{name:12s} {r['word_errors']:6d} {r['p808']:6.2f} {r['sig']:5.2f} {r['ovrl']:5.2f}"
            f" {r['snr_vs_int8']:8.1f} {r['snr_vs_float32']:7.1f} {r['lsd_vs_int8']:8.2f}"
            f" {r['lsd_vs_float32']:7.2f} {r['speedup_vs_int8'][2]:6.2f}"
            f" {r['speedup_vs_int8'][1]:6.2f}  {'pass' if passed else 'FAIL'}"
        )
        print("             worst:", "; ".join(r["worst"]))
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    out = results / f"decoder-gate-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=1))
    print("Wrote", out)


if __name__ == "__main__":
    main()
