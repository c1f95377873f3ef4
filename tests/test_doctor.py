"""The doctor's own rules, without a model."""

import pytest

from wyoming_kokoro import doctor


def test_the_python_range_is_the_packages_own(monkeypatch: pytest.MonkeyPatch) -> None:
    assert doctor._python() == doctor.platform.python_version()
    monkeypatch.setattr(doctor.platform, "python_version", lambda: "3.13.0")
    with pytest.raises(RuntimeError, match=r"Python 3.13.0: this package needs .*<3.13"):
        doctor._python()
