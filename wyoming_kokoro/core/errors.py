"""The errors people can act on, one family, and what each is called on the wire.

Every `KokoroError` has a message for people: the command line prints it as one
line (no traceback), the servers send it to the client. Its `code` names it on
the wire, for the Wyoming and HTTP sides alike:

- `bad-request`: the client asked for something that cannot be spoken (a
  malformed event, an unknown voice, text too long, a speed out of range);
- `busy`: the queue is full;
- `protocol`: not Wyoming at all;
- `stopping`: the server is shutting down (sent by the handler, no class);
- `synthesis-failed`: our fault: the model failed (any other exception).

A `SetupError` (settings, model files, downloads, the lexicon) stops a command
or the server before it serves, with what to change.
"""


class KokoroError(Exception):
    code: str | None = None
    """The error code on the wire; None: not a request's fault."""


class BadRequestError(KokoroError, ValueError):
    code = "bad-request"


class BusyError(KokoroError):
    """Every speaking turn is taken and the queue behind them is full."""

    code = "busy"


class ProtocolError(KokoroError, ValueError):
    """The client sent something that is not a Wyoming event."""

    code = "protocol"


class SetupError(KokoroError):
    """The settings or the installation keep the server from starting."""


def request_error_code(err: BaseException) -> str | None:
    """The code for a request that could not be served as asked; None for a failure
    of the server's own."""
    return err.code if isinstance(err, KokoroError) else None
