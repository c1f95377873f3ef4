"""The decoder's exact rewrites, on small graphs shaped as Kokoro's export writes
its AdaIN and Snake steps (the real decoder: tests/speech/test_decoders.py)."""

from collections import Counter
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from wyoming_kokoro.files.rewrites import rewritten

CHANNELS, FRAMES = 4, 50
_RNG = np.random.default_rng(0)


class _Graph:
    """Nodes and weights, added as the exporter lays them out."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.weights: list[onnx.TensorProto] = []
        self.constant("axes", np.array([2], dtype=np.int64))
        self.constant("eps", np.array(1e-5, dtype=np.float32))
        self.constant("one", np.array(1.0, dtype=np.float32))
        self.constant("two", np.array(2.0, dtype=np.float32))

    def constant(self, name: str, value: np.ndarray) -> str:
        self.weights.append(numpy_helper.from_array(value, name))
        return name

    def node(self, op: str, inputs: list[str], name: str, **attributes: Any) -> str:
        self.nodes.append(helper.make_node(op, inputs, [name], name=name, **attributes))
        return name

    def normalized(self, x: str, name: str) -> str:
        mean = self.node("ReduceMean", [x, "axes"], f"{name}/ReduceMean")
        centred = self.node("Sub", [x, mean], f"{name}/Sub")
        square = self.node("Mul", [centred, centred], f"{name}/Mul_2")
        variance = self.node("ReduceMean", [square, "axes"], f"{name}/ReduceMean_2")
        spread = self.node(
            "Sqrt", [self.node("Add", [variance, "eps"], f"{name}/Add_2")], f"{name}/Sqrt"
        )
        return self.node("Div", [centred, spread], f"{name}/Div_1")

    def styled(self, normalized: str, name: str) -> str:
        """(1 + γ) x + β, with γ and β from the style input, as AdaIN makes them."""
        gamma = self.node("Slice", ["style", "start_g", "end_g", "axis_c"], f"{name}/gamma")
        beta = self.node("Slice", ["style", "start_b", "end_b", "axis_c"], f"{name}/beta")
        scale = self.node("Add", [gamma, "one"], f"{name}/Add_1")
        return self.node(
            "Add", [self.node("Mul", [scale, normalized], f"{name}/Mul_3"), beta], f"{name}/Add_3"
        )

    def snake(self, x: str, name: str) -> str:
        alpha = self.constant(
            f"{name}.alpha", _RNG.uniform(0.1, 2.0, (1, CHANNELS, 1)).astype(np.float32)
        )
        inverse = self.node("Reciprocal", [alpha], f"{name}/Reciprocal")
        wave = self.node("Sin", [self.node("Mul", [alpha, x], f"{name}/Mul")], f"{name}/Sin")
        squared = self.node("Pow", [wave, "two"], f"{name}/Pow")
        return self.node(
            "Add", [x, self.node("Mul", [inverse, squared], f"{name}/Mul_1")], f"{name}/Add"
        )

    def conv(self, x: str, name: str, group: int = 1) -> str:
        weights = _RNG.normal(0, 0.3, (CHANNELS, CHANNELS // group, 3)).astype(np.float32)
        self.constant(f"{name}.weight", weights)
        return self.node("Conv", [x, f"{name}.weight"], name, pads=[1, 1], group=group)

    def model(self, output: str) -> onnx.ModelProto:
        for name, value in (("start_g", 0), ("end_g", CHANNELS), ("start_b", CHANNELS),
                            ("end_b", 2 * CHANNELS), ("axis_c", 1)):  # fmt: skip
            self.constant(name, np.array([value], dtype=np.int64))
        graph = helper.make_graph(
            self.nodes,
            "adain",
            [
                helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, CHANNELS, "frames"]),
                helper.make_tensor_value_info("style", TensorProto.FLOAT, [1, 2 * CHANNELS, 1]),
            ],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)],
            self.weights,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
        return onnx.shape_inference.infer_shapes(model)


def _run(model: onnx.ModelProto) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feed = {
        "x": _RNG.normal(0, 1, (1, CHANNELS, FRAMES)).astype(np.float32),
        "style": _RNG.normal(0, 0.5, (1, 2 * CHANNELS, 1)).astype(np.float32),
    }
    return np.asarray(session.run(None, feed)[0])


def _rewritten_alike(model: onnx.ModelProto) -> onnx.ModelProto:
    """`model` rewritten (in place), after checking that it computes what it did."""
    state = _RNG.bit_generator.state
    before = _run(model)
    _RNG.bit_generator.state = state
    made = rewritten(model)
    np.testing.assert_allclose(_run(made), before, rtol=1e-4, atol=1e-5)
    return made


def _ops(model: onnx.ModelProto) -> Counter[str]:
    return Counter(node.op_type for node in model.graph.node)


def _sines_read(model: onnx.ModelProto) -> list[str]:
    made = {out: node for node in model.graph.node for out in node.output}
    return [made[n.input[0]].op_type for n in model.graph.node if n.op_type == "Sin"]


def _block(graph: _Graph, x: str, name: str, group: int = 1) -> str:
    """AdaIN, Snake, Conv: one step of a decoder resblock."""
    styled = graph.styled(graph.normalized(x, name), name)
    return graph.conv(graph.snake(styled, f"{name}/snake"), f"{name}/conv", group)


def test_an_adain_and_snake_before_a_float_conv_lose_their_element_wise_steps() -> None:
    graph = _Graph()
    made = _rewritten_alike(graph.model(_block(graph, graph.conv("x", "conv0"), "block")))
    ops = _ops(made)
    assert ops["InstanceNormalization"] == 1
    assert ops["ReduceMean"] == ops["Pow"] == ops["Div"] == ops["Sub"] == 0
    assert _sines_read(made) == ["InstanceNormalization"]  # αx made by the normalization
    assert ops["Mul"] == 3  # the normalization's scale and bias times α, sin² as sin·sin
    # Both convolutions 2-D, for the blocked-channel kernels.
    assert ops["Unsqueeze"] == ops["Squeeze"] == ops["Conv"] == 2
    assert all(len(w.dims) == 4 for w in made.graph.initializer if w.name.endswith(".weight"))


def test_a_normalization_shared_by_two_styles_becomes_one_for_each() -> None:
    graph = _Graph()
    normalized = graph.normalized(graph.conv("x", "conv0"), "shared")
    ends = [
        graph.conv(graph.snake(graph.styled(normalized, name), f"{name}/snake"), f"{name}/conv")
        for name in ("block0", "block1")
    ]
    made = _rewritten_alike(graph.model(graph.node("Add", ends, "sum")))
    assert _ops(made)["InstanceNormalization"] == 2
    assert _ops(made)["ReduceMean"] == 0
    assert _sines_read(made) == ["InstanceNormalization"] * 2


def test_a_snake_before_a_grouped_conv_keeps_its_multiplications() -> None:
    """A grouped convolution's weights do not line up with its input's channels."""
    graph = _Graph()
    made = _rewritten_alike(graph.model(_block(graph, graph.conv("x", "conv0"), "block", group=2)))
    assert _ops(made)["InstanceNormalization"] == 1
    assert _sines_read(made) == ["Mul"]
    assert _ops(made)["Unsqueeze"] == 2  # 2-D, in groups as before
