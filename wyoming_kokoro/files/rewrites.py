"""Exact rewrites of a decoder graph that ONNX Runtime does not make itself.

The decoder's audio-rate blocks spent about a quarter of their time in element-wise
passes over long tensors: each AdaIN is nine of them (mean, variance, normalize, the
style's scale and shift) and each Snake (x + sin²(αx)/α) five. An AdaIN is one
InstanceNormalization with the style's (1 + γ) and β as its scale and bias; a Snake
before a float convolution needs neither of its two multiplications when α goes into
the normalization before it and 1/α into the convolution's weights after it. And a
float 1-D convolution written as a 2-D one (a row of height 1) runs ONNX Runtime's
blocked-channel (NCHWc) kernels on x86, which it gives only to 2-D ones. The audio is
the same to float rounding (about 115 dB SNR on the float decoder); the fast decoder
decodes 1.05 to 1.15 times as fast as without them (docs/decisions.md).
"""

import numpy as np
import onnx
from onnx import helper, numpy_helper

_CONVOLUTIONS = {"Conv", "ConvInteger", "ConvTranspose"}
_KEEP_RANK = {"Add", "Sub", "Mul", "Div", "Cast", "QuantizeLinear", "DequantizeLinear",
              "InstanceNormalization", "LeakyRelu", "Sin", "Pad"}  # fmt: skip


def rewritten(model: onnx.ModelProto) -> onnx.ModelProto:
    """`model` (its shapes inferred) with its AdaINs, Snakes and float convolutions
    rewritten, in place."""
    graph = model.graph
    _squares_as_products(GraphIndex(graph))
    _instance_norms(GraphIndex(graph))
    _snakes_folded(GraphIndex(graph))
    _convs_as_2d(GraphIndex(graph))
    _sort(graph)
    drop_unused(graph)
    return model


def drop_unused(graph: onnx.GraphProto) -> None:
    """Nodes whose outputs nothing reads, and the weights no node reads."""
    needed = {o.name for o in graph.output}
    while True:
        read = {i for n in graph.node for i in n.input} | needed
        dead = [n for n in graph.node if not set(n.output) & read]
        if not dead:
            break
        for node in dead:
            graph.node.remove(node)
    used = {i for n in graph.node for i in n.input}
    kept = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    del graph.value_info[:]


class GraphIndex:
    """Who makes and who reads each tensor, the weights, the inferred shapes: what
    every rewrite of a decoder graph looks up (decoders.py's too)."""

    def __init__(self, graph: onnx.GraphProto) -> None:
        self.graph = graph
        self.made = {out: node for node in graph.node for out in node.output}
        self.users: dict[str, list[onnx.NodeProto]] = {}
        for node in graph.node:
            for name in dict.fromkeys(node.input):
                self.users.setdefault(name, []).append(node)
        self.weights = {init.name: init for init in graph.initializer}
        self.shapes = {
            v.name: tuple(_length(d) for d in v.type.tensor_type.shape.dim)
            for v in graph.value_info
            if v.type.tensor_type.HasField("shape")
        }
        self._ranks: dict[str, int | None] = {}

    def constant(self, name: str) -> np.ndarray | None:
        if name in self.weights:
            return numpy_helper.to_array(self.weights[name])
        node = self.made.get(name)
        if node is not None and node.op_type == "Constant":
            return numpy_helper.to_array(node.attribute[0].t)
        if node is not None and node.op_type == "Reciprocal":
            value = self.constant(node.input[0])
            return None if value is None else 1.0 / value
        return None

    def rank(self, name: str) -> int | None:
        """How many axes `name` has, where shape inference lost it (lengths that
        depend on the input): from the weights of the convolution that made it,
        through element-wise steps."""
        if name in self.shapes:
            return len(self.shapes[name])
        if (value := self.constant(name)) is not None:
            return value.ndim
        if name not in self._ranks:
            self._ranks[name] = None  # a cycle, or not known
            node = self.made.get(name)
            if node is not None and node.op_type in _CONVOLUTIONS:
                self._ranks[name] = self.rank(node.input[1])
            elif node is not None and node.op_type in _KEEP_RANK:
                ranks = [
                    self.rank(i) for i in node.input[: 1 if node.op_type == "Pad" else None] if i
                ]
                if None not in ranks:
                    self._ranks[name] = max(r for r in ranks if r is not None)
        return self._ranks[name]

    def only_user(self, name: str, op_type: str) -> onnx.NodeProto | None:
        users = self.users.get(name, [])
        return users[0] if len(users) == 1 and users[0].op_type == op_type else None

    def other_input(self, node: onnx.NodeProto, name: str) -> str:
        return node.input[1] if node.input[0] == name else node.input[0]

    def per_channel(self, name: str, channels: int | None) -> bool:
        """Whether `name` holds one value a channel of a batch of one: (1, C, 1)."""
        shape = self.shapes.get(name)
        if shape is None and (value := self.constant(name)) is not None:
            shape = value.shape
        return (
            shape is not None
            and len(shape) == 3
            and shape[0] == shape[2] == 1
            and (channels is None or shape[1] == channels)
        )


def _squares_as_products(index: GraphIndex) -> None:
    for node in index.graph.node:
        if node.op_type == "Pow" and _equals(index.constant(node.input[1]), 2.0):
            node.op_type = "Mul"
            node.input[1] = node.input[0]


def _instance_norms(index: GraphIndex) -> None:
    """mean, x - mean, its square's mean, + eps, sqrt, divide, * (1 + γ), + β over
    the last axis of (1, C, T): one InstanceNormalization with scale 1 + γ, bias β."""
    graph, made = index.graph, []
    flat = "rewrites/flat"
    graph.initializer.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), flat))
    for mean in [n for n in graph.node if n.op_type == "ReduceMean"]:
        x = mean.input[0]
        if len(mean.input) < 2 or not _equals(index.constant(mean.input[1]), [-1], [2]):
            continue
        sub = index.only_user(mean.output[0], "Sub")
        if sub is None or list(sub.input) != [x, mean.output[0]]:
            continue
        centred = sub.output[0]
        readers = index.users.get(centred, [])
        square = next((n for n in readers if n.op_type == "Mul" and n.input[1] == centred), None)
        if len(readers) != 2 or square is None or square.input[0] != centred:
            continue
        variance = index.only_user(square.output[0], "ReduceMean")
        eps = variance and index.only_user(variance.output[0], "Add")
        root = eps and index.only_user(eps.output[0], "Sqrt")
        divide = root and index.only_user(root.output[0], "Div")
        if not (variance and eps and divide) or divide.input[0] != centred:
            continue
        epsilon = index.constant(index.other_input(eps, variance.output[0]))
        if (
            epsilon is None
            or epsilon.size != 1
            or not _equals(index.constant(variance.input[1]), [-1], [2])
            or index.rank(x) != 3  # InstanceNormalization normalizes every axis after the 2nd
        ):
            continue
        # The export shares one normalization between blocks that read the same
        # input, each with its own style: one InstanceNormalization each.
        styled = [(n, index.only_user(n.output[0], "Add")) for n in index.users[divide.output[0]]]
        channels = index.shapes.get(x, (None, None))[1]
        if not all(
            scale.op_type == "Mul"
            and shift is not None
            and index.per_channel(index.other_input(scale, divide.output[0]), channels)
            and index.per_channel(index.other_input(shift, scale.output[0]), channels)
            for scale, shift in styled
        ):
            continue
        for scale, shift in styled:
            assert shift is not None
            gamma = index.other_input(scale, divide.output[0])
            beta = index.other_input(shift, scale.output[0])
            name = scale.name.rsplit("/", 1)[0] + "/InstanceNormalization"
            made += [
                helper.make_node("Reshape", [gamma, flat], [f"{name}_scale"]),
                helper.make_node("Reshape", [beta, flat], [f"{name}_bias"]),
                helper.make_node(
                    "InstanceNormalization",
                    [x, f"{name}_scale", f"{name}_bias"],
                    [shift.output[0]],
                    name=name,
                    epsilon=float(epsilon.reshape(())),
                ),
            ]
            graph.node.remove(scale)
            graph.node.remove(shift)
        for node in (mean, sub, square, variance, eps, root, divide):
            graph.node.remove(node)
    graph.node.extend(made)


def _snakes_folded(index: GraphIndex) -> None:
    """x + sin²(αx)/α between an InstanceNormalization and a float Conv: the
    normalization makes u = αx, the convolution's weights take the 1/α of
    (u + sin²(u))/α, and both multiplications go."""
    graph = index.graph
    for sin in [n for n in graph.node if n.op_type == "Sin"]:
        times_alpha = index.made.get(sin.input[0])
        if times_alpha is None or times_alpha.op_type != "Mul":
            continue
        alpha_name = next((i for i in times_alpha.input if index.constant(i) is not None), None)
        if alpha_name is None:
            continue
        x = index.other_input(times_alpha, alpha_name)
        norm = index.made.get(x)
        square = index.only_user(sin.output[0], "Mul")
        over_alpha = square and index.only_user(square.output[0], "Mul")
        add = over_alpha and index.only_user(over_alpha.output[0], "Add")
        conv = add and index.only_user(add.output[0], "Conv")
        if not (square and over_alpha and add and conv) or norm is None:
            continue
        alpha = index.constant(alpha_name)
        over = index.constant(index.other_input(over_alpha, square.output[0]))
        weights = index.weights.get(conv.input[1])
        if (
            norm.op_type != "InstanceNormalization"
            or list(square.input) != [sin.output[0]] * 2
            or sorted(add.input) != sorted([x, over_alpha.output[0]])
            or {n.name for n in index.users[x]} != {times_alpha.name, add.name}
            or alpha is None
            or over is None
            or not index.per_channel(alpha_name, None)
            or not np.allclose(alpha * over, 1.0, rtol=1e-6)
            or weights is None
            or len(index.users[weights.name]) != 1
            or any(a.name == "group" and a.i != 1 for a in conv.attribute)
        ):
            continue
        flat = alpha.reshape(-1).astype(np.float32)
        kernel = numpy_helper.to_array(weights)
        if kernel.shape[1] != flat.size:
            continue
        for k in (1, 2):  # the normalization's scale and bias, times α
            name = f"{norm.name}_{'scale' if k == 1 else 'bias'}_alpha"
            graph.initializer.append(numpy_helper.from_array(flat, f"{name}_by"))
            graph.node.append(helper.make_node("Mul", [norm.input[k], f"{name}_by"], [name]))
            norm.input[k] = name
        shape = (1, -1) + (1,) * (kernel.ndim - 2)
        weights.CopyFrom(
            numpy_helper.from_array((kernel / flat.reshape(shape)).astype(np.float32), weights.name)
        )
        sin.input[0] = x
        add.input[0], add.input[1] = x, square.output[0]
        graph.node.remove(times_alpha)
        graph.node.remove(over_alpha)
        index.users[x] = [sin, add]


def _convs_as_2d(index: GraphIndex) -> None:
    """Conv(x, W) over (1, C, T) as Squeeze(Conv(Unsqueeze(x), W of height 1)), for
    each float convolution whose weights no other node reads."""
    graph, nodes = index.graph, []
    axis = "rewrites/axis"
    graph.initializer.append(numpy_helper.from_array(np.array([2], dtype=np.int64), axis))
    for node in graph.node:
        weights = index.weights.get(node.input[1]) if node.op_type == "Conv" else None
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if (
            weights is None
            or len(weights.dims) != 3
            or len(index.users[weights.name]) != 1
            or attributes.get("auto_pad", b"NOTSET") != b"NOTSET"
        ):
            nodes.append(node)
            continue
        kernel = numpy_helper.to_array(weights)
        weights.CopyFrom(numpy_helper.from_array(kernel[:, :, None, :], weights.name))
        as_2d = {"group": attributes.get("group", 1)}
        for name, value in attributes.items():
            if name in ("dilations", "strides", "kernel_shape"):
                as_2d[name] = [1, *value]
            elif name == "pads":
                as_2d[name] = [0, value[0], 0, value[1]]
        x, y = f"{node.name}_rows", f"{node.name}_rows_out"
        nodes += [
            helper.make_node("Unsqueeze", [node.input[0], axis], [x]),
            helper.make_node("Conv", [x, *node.input[1:]], [y], name=node.name, **as_2d),
            helper.make_node("Squeeze", [y, axis], [node.output[0]]),
        ]
    del graph.node[:]
    graph.node.extend(nodes)


def _sort(graph: onnx.GraphProto) -> None:
    """The nodes in an order where each comes after what it reads."""
    ready = {i.name for i in graph.input} | {i.name for i in graph.initializer} | {""}
    pending, ordered = list(graph.node), []
    while pending:
        waiting = []
        for node in pending:
            if all(i in ready for i in node.input):
                ordered.append(node)
                ready.update(node.output)
            else:
                waiting.append(node)
        if len(waiting) == len(pending):
            raise ValueError("the decoder graph has a cycle")
        pending = waiting
    del graph.node[:]
    graph.node.extend(ordered)


def _length(dim: onnx.TensorShapeProto.Dimension) -> int | None:
    return dim.dim_value if dim.HasField("dim_value") else None


def _equals(value: np.ndarray | None, *choices: float | list[int]) -> bool:
    return value is not None and any(
        np.array_equal(value.reshape(-1), np.reshape(choice, -1)) for choice in choices
    )
