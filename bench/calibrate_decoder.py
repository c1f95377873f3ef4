"""Measures the activation ranges the fast decoder is made with.

    python -m bench.calibrate_decoder [--data-dir DIR] [--output FILE]

The int8 model's front makes decoder inputs for 20 Home Assistant-style sentences
(none of them among the quality gate's) in the five offline voices; windows of 120
frames (the size the server decodes) are fed to the float decoder made from the
int8 one (files/decoders.py's `dequantized`), and MinMax takes the range of every
convolution's input and output over the first 60 (12 sentences in five voices).
In resblocks.5, whose rare peaks would cost the rest of its range its precision, the
range is the 99.99th percentile of the magnitude over the first 40 instead (as ONNX
Runtime's symmetric Percentile calibration; the blocks it was tried on:
docs/decisions.md). Writes
wyoming_kokoro/files/data/decoder_ranges.json unless --output says otherwise; run
the gate on what it makes, and raise prepared.DECODERS_VERSION when the ranges
change, so kept decoders are made again.
"""

import argparse
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper
from onnxruntime.quantization.calibrate import (
    CalibrationDataReader,
    CalibrationMethod,
    create_calibrator,
)

from wyoming_kokoro.core.languages import ENGLISH
from wyoming_kokoro.core.settings import (
    EngineSettings,
    StoreSettings,
    default_data_dir,
    prepared_dir,
)
from wyoming_kokoro.files import decoders
from wyoming_kokoro.files.model_split import DECODER_INPUTS
from wyoming_kokoro.files.prepared import prepare
from wyoming_kokoro.files.store import provision
from wyoming_kokoro.speech.engine import Engine
from wyoming_kokoro.speech.g2p import G2P
from wyoming_kokoro.speech.normalize import normalize
from wyoming_kokoro.speech.voices import VoiceCatalog

SENTENCES = """\
The bedroom blinds are now open halfway.
I set an alarm for six thirty tomorrow morning.
The dishwasher will finish in about twenty minutes.
Humidity in the bathroom is sixty two percent.
Your package was delivered to the front porch at noon.
The solar panels produced fourteen kilowatt hours today.
Would you like me to play some jazz in the kitchen?
There is a car parked in the driveway.
The air quality outside is good this afternoon.
I could not find a device called the study lamp.
Mom called while you were out; she will try again later.
The fridge door has been open for three minutes!
Traffic to the office is light, about twenty five minutes.
Good night. I turned off every light and locked the doors.
The next train to the city leaves at eight fifteen.
It will snow tonight, so the heating stays on.
Reminder: water the plants on the balcony.
The baby monitor detected sound in the nursery.
Battery level of the front door lock is low.
Sunset is at nine forty two this evening.""".splitlines()
VOICES = ("jf_gongitsune", "jm_kumo", "jf_alpha", "jf_nezumi", "jf_tebukuro")
FRAMES = 120
"""One length for every window, the size of a large one the server decodes."""
PERCENTILE = 99.99
PERCENTILE_IN = ("/decoder/decoder/generator/resblocks.5/",)


class Windows(CalibrationDataReader):
    def __init__(self, windows: list[dict[str, np.ndarray]]) -> None:
        self._windows: Iterator[dict[str, np.ndarray]] = iter(windows)

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._windows, None)


def windows(data_dir: Path, clips: int) -> list[dict[str, np.ndarray]]:
    """Decoder inputs for the first `clips` sentence-and-voice pairs, each cut to
    FRAMES (those shorter are left out)."""
    files = provision(StoreSettings(data_dir=data_dir, download=False))
    settings = EngineSettings(decoder="int8").in_data_dir(data_dir)
    engine = Engine(files.model.path, settings, files.model.sha256)
    voices = VoiceCatalog.load([files.voices.path])
    phonemize = G2P().phonemizer(ENGLISH)
    pairs = [(text, voice) for text in SENTENCES for voice in VOICES][:clips]
    found = []
    for text, voice in pairs:
        front = engine.front(phonemize(normalize(text, ENGLISH)), voices.get(voice))
        assert front is not None
        features, f0, noise, style = front.inputs
        if features.shape[2] >= FRAMES:
            found.append({
                DECODER_INPUTS[0]: features[:, :, :FRAMES],
                DECODER_INPUTS[1]: f0[:, : 2 * FRAMES],
                DECODER_INPUTS[2]: noise[:, : 2 * FRAMES],
                "style": style,
            })  # fmt: skip
    return found


def ranges(decoder: Path, scratch: Path, feed: list) -> dict:
    calibrator = create_calibrator(
        decoder,
        ["Conv"],
        augmented_model_path=str(scratch / "augmented.onnx"),
        calibrate_method=CalibrationMethod.MinMax,
    )
    calibrator.collect_data(Windows(feed))
    found = calibrator.compute_data()
    return {name: [float(np.min(d.range_value[0])), float(np.max(d.range_value[1]))]
            for name, d in found.data.items()}  # fmt: skip


def percentile_ranges(decoder: Path, feed: list) -> dict:
    """The range of each convolution's input and output in PERCENTILE_IN that
    holds PERCENTILE % of their magnitudes."""
    model = onnx.load(str(decoder))
    names = sorted({name for node in model.graph.node if node.op_type == "Conv"
                    for name in (node.input[0], node.output[0])
                    if name.startswith(PERCENTILE_IN)})  # fmt: skip
    outputs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in names]
    model.graph.output.extend(outputs)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    seen: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for window in feed:
        for name, value in zip(names, session.run(names, window), strict=True):
            seen[name].append(value.reshape(-1))
    found = {}
    for name, values in seen.items():
        x = np.concatenate(values)
        limit = float(np.percentile(np.abs(x), PERCENTILE))
        found[name] = [max(-limit, float(x.min())), min(limit, float(x.max()))]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.calibrate_decoder", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(decoders.__file__).parent / "data" / "decoder_ranges.json",
    )
    args = parser.parse_args()
    feed = windows(args.data_dir, 60)
    print(f"{len(feed)} windows of {FRAMES} frames")
    files = provision(StoreSettings(data_dir=args.data_dir, download=False))
    int8 = prepare(files.model.path, prepared_dir(args.data_dir), files.model.sha256).parts[1]
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        decoder = scratch / "float.onnx"
        # Before rewrites.py's: the ranges are those of the graph the quantizer sees.
        onnx.save(decoders.dequantized(onnx.load(str(int8))), str(decoder))
        found = ranges(decoder, scratch, feed) | percentile_ranges(decoder, feed[:40])
    measured = {"model_sha256": files.model.sha256, "ranges": dict(sorted(found.items()))}
    args.output.write_text(json.dumps(measured, indent=0) + "\n")
    print(f"{len(found)} ranges written to {args.output}")


if __name__ == "__main__":
    main()
