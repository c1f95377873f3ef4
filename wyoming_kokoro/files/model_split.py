"""Kokoro's model cut in two where the decoder's inputs are made.

`python -m wyoming_kokoro.files.model_split MODEL DIR` writes DIR/front.onnx and
DIR/decoder.onnx and prints their paths, or prints MODEL alone when its graph
does not have those inputs (another export). The engine runs it as a child
process: the graph in Python costs several times the file's size, a peak the
server's memory should not keep.
"""

import sys
from pathlib import Path

import onnx
from onnx.utils import Extractor

# Where the Kokoro v1.0 export makes the decoder's inputs: aligned text features
# [1, 512, T], F0 [1, 2T] and noise [1, 2T]; the decoder also takes `style`.
DECODER_INPUTS = (
    "/encoder/MatMul_1_output_0",
    "/encoder/Reshape_output_0",
    "/encoder/Reshape_1_output_0",
)


def split(model_path: Path, into: Path) -> list[Path]:
    model = onnx.load(str(model_path))
    names = {output for node in model.graph.node for output in node.output}
    if not set(DECODER_INPUTS) <= names:
        return [model_path]
    extractor = Extractor(model)
    parts = {
        "front": extractor.extract_model(["tokens", "style", "speed"], list(DECODER_INPUTS)),
        "decoder": extractor.extract_model([*DECODER_INPUTS, "style"], ["audio"]),
    }
    for name, part in parts.items():
        onnx.save(part, str(into / f"{name}.onnx"))
    return [into / f"{name}.onnx" for name in parts]


def main(argv: list[str]) -> int:
    try:
        print(*split(Path(argv[0]), Path(argv[1])), sep="\n")
    except Exception as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
