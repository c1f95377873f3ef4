"""What each failure is called on the wire, for the Wyoming and HTTP sides alike.

Codes: `bad-request` (the client asked for something that cannot be spoken:
a malformed event, an unknown voice, text too long, a speed out of range),
`busy` (the queue is full), `protocol` (not Wyoming at all), `stopping` (the
server is shutting down), `synthesis-failed` (our fault: the model failed).
"""

from .event_data import BadEventError
from .synthesizer import RequestError
from .voices import UnknownVoiceError
from .workload import BusyError

_CODES: dict[type[Exception], str] = {
    BadEventError: "bad-request",
    RequestError: "bad-request",
    UnknownVoiceError: "bad-request",
    BusyError: "busy",
}


def request_error_code(err: Exception) -> str | None:
    """The code for a request that could not be served as asked; None for a failure
    of the server's own."""
    return next((code for kind, code in _CODES.items() if isinstance(err, kind)), None)
