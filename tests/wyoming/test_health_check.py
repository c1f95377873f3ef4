import subprocess
import sys

HEAVY = ("onnxruntime", "onnx", "misaki", "spacy", "av", "aiohttp", "numpy")


def imported_by(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_the_health_check_and_settings_load_nothing_heavy() -> None:
    for module in ("wyoming_kokoro.wyoming.health_check", "wyoming_kokoro.core.settings"):
        assert imported_by(module).isdisjoint(HEAVY), module
    # The test can tell: the package's entry point loads them all.
    assert {"onnxruntime", "av", "aiohttp", "numpy"} <= imported_by("wyoming_kokoro.__main__")
