"""A local HTTP server on 127.0.0.1 that serves given bytes, well or badly."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes
    status: int = 200
    ranges: bool = True
    """Honour Range requests (resume)."""
    cut_first_after: int | None = None
    """Drop the connection after this many bytes, the first time only."""
    requests: list[str | None] = field(default_factory=list)
    """The Range header of each request, in order."""


@contextmanager
def serve_files(routes: dict[str, Route]) -> Iterator[str]:
    """Serve `routes` by path; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            requested = self.headers.get("Range")
            route.requests.append(requested)
            if route.status != 200:
                self.send_error(route.status)
                return
            body, status = route.body, 200
            if requested and route.ranges:
                start = int(requested.removeprefix("bytes=").rstrip("-"))
                body, status = body[start:], 206
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if route.cut_first_after is not None and len(route.requests) == 1:
                self.wfile.write(body[: route.cut_first_after])
                self.close_connection = True
                return
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # A short poll: shutting down waits for it, in every test that serves files.
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
