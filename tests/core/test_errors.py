import logging

import pytest

from wyoming_kokoro.core.errors import (
    BadRequestError,
    BusyError,
    ErrorCode,
    ProtocolError,
    SetupError,
    wire_error,
)


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_code_has_an_http_status(code: ErrorCode) -> None:
    assert code.http_status in range(400, 600)


def test_a_request_error_goes_out_as_it_is() -> None:
    assert wire_error(BadRequestError("no such voice")) == (ErrorCode.BAD_REQUEST, "no such voice")
    assert wire_error(BusyError("full"))[0].http_status == 503
    assert wire_error(ProtocolError("not JSON"))[0] is ErrorCode.PROTOCOL


def test_any_other_failure_is_the_servers() -> None:
    for err in (RuntimeError("onnx broke"), SetupError("model gone")):
        code, text = wire_error(err)
        assert code is ErrorCode.SYNTHESIS_FAILED and code.http_status == 500
        assert text == f"Synthesis failed: {err}"


def test_only_a_failure_of_ours_is_logged_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("test")
    with caplog.at_level(logging.INFO, "test"):
        wire_error(BadRequestError("no such voice"), log)
        assert not caplog.records
        try:
            raise RuntimeError("onnx broke")
        except RuntimeError as err:
            wire_error(err, log)
    [record] = caplog.records
    assert record.exc_info is not None and "onnx broke" in str(record.exc_info[1])
