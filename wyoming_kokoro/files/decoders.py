"""The decoder a user chooses, made from the int8 model's own.

The int8 model's decoder is quantized dynamically: every convolution measures its
input's range and quantizes it at run time, which is most of the decoder's time.
`fast` quantizes the inputs of the audio-rate convolutions that keep the voice
(the noise path, resblocks.0-2 and resblocks.5: two thirds of the decoder's time)
with ranges measured once (static int8, QDQ, per-channel weights); keeps the
frame-rate blocks (encode, decode, asr_res: most of the weights) as the model's own
dynamic int8; and turns the rest back into float (resblocks.3-4, F0_conv and N_conv,
conv_post), where static int8 cost the voice what DNSMOS hears. The gate and each
candidate: docs/decisions.md.
`float` turns every quantized convolution back into a float one. Both then get
rewrites.py's exact rewrites (AdaIN, Snake, 2-D convolutions).

`python -m wyoming_kokoro.files.decoders KIND DECODER OUT` writes OUT; the
preparation runs it as a child process, since the graph in Python costs several
times the file's size.
"""

import json
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ..core.settings import DECODERS
from .rewrites import GraphIndex, drop_unused, rewritten

KINDS = tuple(decoder for decoder in DECODERS if decoder != "int8")
"""The decoders made here; int8 is the model's own."""

_STATIC_IN_FAST = tuple(
    f"/decoder/decoder/generator/{block}"
    for block in (
        "noise_res.", "noise_convs.", "resblocks.0/", "resblocks.1/", "resblocks.2/", "resblocks.5/"
    )
)  # fmt: skip
_OWN_IN_FAST = tuple(f"/decoder/decoder/{block}" for block in ("encode/", "decode.", "asr_res/"))


def ranges() -> dict[str, Any]:
    """The activation ranges `fast` is made with, and the model they were measured on."""
    text = (resources.files(__package__) / "data" / "decoder_ranges.json").read_text("utf-8")
    found: dict[str, Any] = json.loads(text)
    return found


def fast_made_for() -> str:
    """The sha256 of the model whose decoder the ranges were measured on."""
    return str(ranges()["model_sha256"])


def dequantized(model: onnx.ModelProto, keep: tuple[str, ...] = ()) -> onnx.ModelProto:
    """`model` with every ConvInteger whose name does not start with one of `keep`
    (and the nodes that quantize its input and bias and scale its output) back to a
    float Conv with dequantized weights."""
    graph = model.graph
    index = GraphIndex(graph)
    made, users, weights = index.made, index.users, index.weights

    def value(name: str) -> np.ndarray:
        return numpy_helper.to_array(weights[name])

    replaced: dict[int, Any] = {}
    gone: set[int] = set()
    extra = []
    for node in list(graph.node):
        if node.op_type != "ConvInteger" or node.name.startswith(keep):
            continue
        x = made[node.input[0]].input[0]
        step = users[node.output[0]][0]
        chain, bias = [node], None
        if step.op_type == "Add":  # the bias, quantized at run time from a float one
            other = next(i for i in step.input if i != node.output[0])
            division = made[made[made[made[other].input[0]].input[0]].input[0]]
            bias = value(division.input[0])
            chain.append(step)
            step = users[step.output[0]][0]
        cast, mul = step, users[step.output[0]][0]
        chain += [cast, mul]
        scale = made[next(i for i in mul.input if i != cast.output[0])]
        w_scale = value(next(i for i in scale.input if i in weights))
        w_q = value(node.input[1]).astype(np.int32)
        w_zero = value(node.input[3]).astype(np.int32)
        shape = (-1,) + (1,) * (w_q.ndim - 1)
        w = (w_q - np.reshape(w_zero, shape if w_zero.ndim else ())) * np.reshape(
            w_scale, shape if w_scale.ndim else ()
        )
        inputs = [x, f"{node.name}_W"]
        extra.append(numpy_helper.from_array(w.astype(np.float32), inputs[1]))
        if bias is not None:
            inputs.append(f"{node.name}_B")
            extra.append(numpy_helper.from_array(bias.astype(np.float32), inputs[2]))
        conv = helper.make_node(
            "Conv", inputs, [mul.output[0]], name=node.name.removesuffix("_quant")
        )
        conv.attribute.extend(node.attribute)
        replaced[id(node)] = conv
        gone.update(id(n) for n in chain[1:])
    nodes = [replaced.get(id(n), n) for n in graph.node if id(n) not in gone]
    del graph.node[:]
    graph.node.extend(nodes)
    graph.initializer.extend(extra)
    drop_unused(graph)
    return onnx.shape_inference.infer_shapes(model)


def quantized(model: onnx.ModelProto) -> onnx.ModelProto:
    """`model` with the convolutions that keep the voice quantized statically, with
    the ranges measured once: no calibration run here."""
    from onnxruntime.quantization import QuantType
    from onnxruntime.quantization.calibrate import CalibrationMethod, TensorData, TensorsData
    from onnxruntime.quantization.qdq_quantizer import QDQQuantizer
    from onnxruntime.quantization.quant_utils import load_model_with_shape_infer

    known = {
        name: TensorData(lowest=np.float32(low), highest=np.float32(high))
        for name, (low, high) in ranges()["ranges"].items()
    }
    static = [
        n.name
        for n in model.graph.node
        if n.op_type == "Conv" and n.name.startswith(_STATIC_IN_FAST)
    ]
    with tempfile.TemporaryDirectory(prefix="kokoro-decoder-") as scratch:
        # The quantizer wants the shapes inferred from a file.
        path = Path(scratch) / "float.onnx"
        onnx.save(model, str(path))
        quantizer = QDQQuantizer(
            load_model_with_shape_infer(path),
            True,  # per-channel weights
            True,  # reduce_range: 7-bit weights, no saturation without VNNI
            QuantType.QInt8,
            QuantType.QUInt8,
            TensorsData(CalibrationMethod.MinMax, known),
            static,
            [],
            ["Conv"],
            {},
        )
        quantized: onnx.ModelProto = quantizer.quantize_model()
    return quantized


def make(kind: str, decoder: Path, into: Path) -> None:
    """Writes the `kind` decoder made from `decoder` (the model's own) to `into`."""
    if kind not in KINDS:
        raise ValueError(f"Unknown decoder {kind!r}; choose from {KINDS}")
    own = onnx.load(str(decoder))
    made = dequantized(own) if kind == "float" else quantized(dequantized(own, keep=_OWN_IN_FAST))
    onnx.save(rewritten(made), str(into))


def main(argv: list[str]) -> int:
    try:
        make(argv[0], Path(argv[1]), Path(argv[2]))
    except Exception as err:
        print(f"{type(err).__name__}: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
