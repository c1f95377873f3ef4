"""Counters and histograms of what the server did, in Prometheus' text format."""

from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from ..speech.workload import Workload

__all__ = ["CONTENT_TYPE", "Metrics"]


class Metrics:
    """One server's metrics, in a registry of its own: the synthesizer's observer,
    read by the HTTP side."""

    def __init__(self, g2p_fallbacks: Callable[[], float], workload: Workload) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "kokoro_requests", "Synthesis requests started", registry=self.registry
        )
        self.errors = Counter(
            "kokoro_errors",
            "Requests answered with an error, by kind",
            ["kind"],
            registry=self.registry,
        )
        self.first_audio_seconds = Histogram(
            "kokoro_time_to_first_audio_seconds",
            "From a request to its first audio",
            buckets=(0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0),
            registry=self.registry,
        )
        self.real_time_factor = Histogram(
            "kokoro_real_time_factor",
            "Seconds spent per second of audio produced",
            buckets=(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 5.0),
            registry=self.registry,
        )
        self.audio_seconds = Counter(
            "kokoro_audio_seconds", "Seconds of audio produced", registry=self.registry
        )
        fallbacks = Gauge(
            "kokoro_g2p_fallbacks",
            "Pieces of text misaki failed on and espeak-ng read instead",
            registry=self.registry,
        )
        fallbacks.set_function(g2p_fallbacks)
        speaking = Gauge(
            "kokoro_requests_speaking", "Requests being spoken now", registry=self.registry
        )
        speaking.set_function(lambda: workload.speaking)
        waiting = Gauge(
            "kokoro_requests_waiting", "Requests waiting for a turn", registry=self.registry
        )
        waiting.set_function(lambda: workload.waiting)

    def started(self) -> None:
        self.requests.inc()

    def first_audio(self, seconds: float) -> None:
        self.first_audio_seconds.observe(seconds)

    def finished(self, audio_seconds: float, elapsed: float) -> None:
        if audio_seconds:
            self.audio_seconds.inc(audio_seconds)
            self.real_time_factor.observe(elapsed / audio_seconds)

    def failed(self, err: Exception) -> None:
        self.errors.labels(type(err).__name__).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
