"""The errors people can act on, one family, and what each is called on the wire.

Every `KokoroError` has a message for people: the command line prints it as one
line (no traceback), the servers send it to the client. A request's error has a
`code` (`ErrorCode`) that names it on the wire, and the same code gives its HTTP
status, so that the Wyoming and HTTP sides answer alike. A `SetupError`
(settings, model files, downloads, the lexicon) stops a command or the server
before it serves, with what to change.
"""

import logging
from enum import StrEnum


class ErrorCode(StrEnum):
    """An error's name in Wyoming's `error` event and in the HTTP side's JSON."""

    BAD_REQUEST = "bad-request"
    """The client asked for something that cannot be spoken: a malformed event, an
    unknown voice, text too long, a speed out of range."""
    BUSY = "busy"
    """Every speaking turn is taken and the queue behind them is full."""
    PROTOCOL = "protocol"
    """Not Wyoming at all."""
    STARTING = "starting"
    """The model is still loading."""
    STOPPING = "stopping"
    """The server is shutting down."""
    SYNTHESIS_FAILED = "synthesis-failed"
    """Our fault: the model or anything else failed."""
    INVALID_API_KEY = "invalid_api_key"
    """HTTP only: no key, or not the server's (OpenAI's own name for it)."""
    NOT_THE_PAGE = "not-the-page"
    """HTTP only: the lexicon changed from another site than this server's page."""
    NOT_JSON = "not-json"
    """HTTP only: an entry sent as anything but application/json."""
    NO_LEXICON = "no-lexicon"
    """HTTP only: a pronunciation saved on a server started without --lexicon."""

    @property
    def http_status(self) -> int:
        return _HTTP_STATUS[self]


_HTTP_STATUS = {
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.BUSY: 503,
    ErrorCode.PROTOCOL: 400,
    ErrorCode.STARTING: 503,
    ErrorCode.STOPPING: 503,
    ErrorCode.SYNTHESIS_FAILED: 500,
    ErrorCode.INVALID_API_KEY: 401,
    ErrorCode.NOT_THE_PAGE: 403,
    ErrorCode.NOT_JSON: 415,
    ErrorCode.NO_LEXICON: 409,
}


class KokoroError(Exception):
    code: ErrorCode | None = None
    """The error code on the wire; None: not a request's fault."""


class BadRequestError(KokoroError, ValueError):
    code = ErrorCode.BAD_REQUEST


class BusyError(KokoroError):
    code = ErrorCode.BUSY


class ProtocolError(KokoroError, ValueError):
    """The client sent something that is not a Wyoming event."""

    code = ErrorCode.PROTOCOL


class SetupError(KokoroError):
    """The settings or the installation keep the server from starting."""


def wire_error(err: BaseException, log: logging.Logger | None = None) -> tuple[ErrorCode, str]:
    """What a client is told of `err`: a request's own fault as it is, any other
    failure as the server's, whose traceback goes to `log` (call it where `err` is
    being handled): the client gets only its message."""
    if isinstance(err, KokoroError) and err.code is not None:
        return err.code, str(err)
    if log is not None:
        log.exception("Request failed")
    return ErrorCode.SYNTHESIS_FAILED, f"Synthesis failed: {err}"
