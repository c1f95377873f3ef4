from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

from wyoming_kokoro.files.model_split import DECODER_INPUTS, split


def tiny_kokoro(path: Path) -> None:
    """A graph shaped like Kokoro's export: tokens, style and speed in, the decoder's
    three inputs made in the middle, audio out."""
    f32 = TensorProto.FLOAT
    nodes = [
        helper.make_node("Cast", ["tokens"], ["t"], to=f32),
        helper.make_node("Mul", ["t", "speed"], [DECODER_INPUTS[0]]),
        helper.make_node("Add", [DECODER_INPUTS[0], "speed"], [DECODER_INPUTS[1]]),
        helper.make_node("Sub", [DECODER_INPUTS[0], "speed"], [DECODER_INPUTS[2]]),
        helper.make_node("Add", [DECODER_INPUTS[1], DECODER_INPUTS[2]], ["s"]),
        helper.make_node("ReduceSum", ["style"], ["style_sum"], keepdims=0),
        helper.make_node("Add", ["s", "style_sum"], ["audio"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [
            helper.make_tensor_value_info("tokens", TensorProto.INT64, [1, 4]),
            helper.make_tensor_value_info("style", f32, [1, 2]),
            helper.make_tensor_value_info("speed", f32, [1]),
        ],
        [helper.make_tensor_value_info("audio", f32, [1, 4])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    # Kokoro's export carries every tensor's shape: the split reads them.
    onnx.save(onnx.shape_inference.infer_shapes(model), str(path))


def test_the_two_parts_compute_what_the_whole_does(tmp_path: Path) -> None:
    model = tmp_path / "model.onnx"
    tiny_kokoro(model)
    front_path, decoder_path = split(model, tmp_path)
    inputs = {
        "tokens": np.array([[1, 2, 3, 4]], dtype=np.int64),
        "style": np.array([[0.5, 0.25]], dtype=np.float32),
        "speed": np.array([2.0], dtype=np.float32),
    }
    (whole,) = ort.InferenceSession(str(model)).run(None, inputs)
    middle = ort.InferenceSession(str(front_path)).run(None, inputs)
    decoder = ort.InferenceSession(str(decoder_path))
    feeds = dict(zip(DECODER_INPUTS, middle, strict=True))
    (audio,) = decoder.run(None, {**feeds, "style": inputs["style"]})
    np.testing.assert_allclose(audio, whole)


def test_another_export_is_kept_whole(tmp_path: Path) -> None:
    model = tmp_path / "model.onnx"
    tiny_kokoro(model)
    graph = onnx.load(str(model))
    graph.graph.node[1].output[0] = "renamed"
    graph.graph.node[2].input[0] = graph.graph.node[3].input[0] = "renamed"
    onnx.save(graph, str(model))
    assert split(model, tmp_path) == [model]
