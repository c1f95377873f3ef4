"""Counters and histograms of what the server did, in Prometheus' text format."""

import statistics
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from ..speech.workload import Workload

__all__ = ["CONTENT_TYPE", "Metrics", "Summary"]


@dataclass
class Summary:
    """What the metrics say, for people: recent first audio, speed over all answers."""

    requests: int = 0
    first_audio: deque[float] = field(default_factory=lambda: deque(maxlen=100))
    audio_seconds: float = 0.0
    elapsed: float = 0.0

    @property
    def median_first_audio(self) -> float | None:
        return statistics.median(self.first_audio) if self.first_audio else None

    @property
    def real_time_factor(self) -> float | None:
        """Seconds spent per second of speech, over every answer so far."""
        return self.elapsed / self.audio_seconds if self.audio_seconds else None


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

        self.summary = Summary()

    def started(self) -> None:
        self.requests.inc()
        self.summary.requests += 1

    def first_audio(self, seconds: float) -> None:
        self.first_audio_seconds.observe(seconds)
        self.summary.first_audio.append(seconds)

    def finished(self, audio_seconds: float, elapsed: float) -> None:
        if audio_seconds:
            self.audio_seconds.inc(audio_seconds)
            self.real_time_factor.observe(elapsed / audio_seconds)
            self.summary.audio_seconds += audio_seconds
            self.summary.elapsed += elapsed

    def failed(self, err: Exception) -> None:
        self.errors.labels(type(err).__name__).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
