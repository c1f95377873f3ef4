"""Fixtures shared by the suites (the real model, provisioned once per run) and
the layers: a test that uses the model or real G2P is marked `model`,
everything under e2e/ is marked `e2e`. `script/test --unit` runs neither;
`script/test --fast` runs what is neither `e2e` nor `slow`."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from wyoming_kokoro.core.settings import EngineSettings, SpeechSettings, StoreSettings
from wyoming_kokoro.files.store import ModelFiles, provision
from wyoming_kokoro.speech.decoding.paced import PacedDecoder
from wyoming_kokoro.speech.engine import Engine
from wyoming_kokoro.speech.g2p import G2P
from wyoming_kokoro.speech.synthesizer import Synthesizer
from wyoming_kokoro.speech.voices import VoiceCatalog

_E2E = Path(__file__).parent / "e2e"

# A shared 2-core machine can be slow to generate examples or run one: that is the
# machine, not the code under test.
settings.register_profile(
    "shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("shared-machine")


_MODEL_FIXTURES = {"data_dir", "model_files", "engine", "paced", "voices", "g2p", "synthesizer"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(_E2E):
            item.add_marker(pytest.mark.e2e)
        elif _MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the model assembled from the offline bundle."""
    path = tmp_path_factory.mktemp("data")
    provision(StoreSettings(data_dir=path, download=False))
    return path


@pytest.fixture(scope="session")
def model_files(data_dir: Path) -> ModelFiles:
    return provision(StoreSettings(data_dir=data_dir, download=False))


@pytest.fixture(scope="session")
def engine(data_dir: Path, model_files: ModelFiles) -> Engine:
    """The default decoder, kept where the servers under test find it."""
    settings = EngineSettings().in_data_dir(data_dir)
    return Engine(model_files.model.path, settings, model_files.model.sha256)


@pytest.fixture(scope="session")
def voices(model_files: ModelFiles) -> VoiceCatalog:
    return VoiceCatalog.load([model_files.voices.path])


@pytest.fixture(scope="session")
def g2p() -> G2P:
    return G2P()


@pytest.fixture(scope="session")
def paced(engine: Engine) -> PacedDecoder:
    """The engine's decoder as the server runs it, its throughput measured as it runs."""
    return PacedDecoder(engine)


@pytest.fixture(scope="session")
def synthesizer(paced: PacedDecoder, voices: VoiceCatalog, g2p: G2P) -> Synthesizer:
    return Synthesizer(paced, voices, g2p, SpeechSettings(language="en_US"))
