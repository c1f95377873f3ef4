from wyoming_kokoro.http.metrics import Metrics
from wyoming_kokoro.speech.workload import Workload


def values(metrics: Metrics) -> dict[str, float]:
    lines = metrics.render().decode().splitlines()
    pairs = (line.rsplit(" ", 1) for line in lines if line and not line.startswith("#"))
    return {name: float(value) for name, value in pairs}


async def test_what_the_synthesizer_reports_is_counted() -> None:
    workload = Workload(max_speaking=2, max_waiting=2)
    metrics = Metrics(lambda: 3, workload)
    metrics.started()
    metrics.first_audio(0.4)
    metrics.finished(audio_seconds=2.0, elapsed=1.0)
    metrics.started()
    metrics.failed(ValueError("bad"))
    async with workload.turn():
        seen = values(metrics)
    assert seen["kokoro_requests_total"] == 2
    assert seen['kokoro_errors_total{kind="ValueError"}'] == 1
    assert seen["kokoro_audio_seconds_total"] == 2.0
    assert seen["kokoro_real_time_factor_sum"] == 0.5
    assert seen["kokoro_time_to_first_audio_seconds_count"] == 1
    assert seen["kokoro_g2p_fallbacks"] == 3
    assert seen["kokoro_requests_speaking"] == 1 and seen["kokoro_requests_waiting"] == 0
    assert values(metrics)["kokoro_requests_speaking"] == 0


def test_silence_is_not_a_real_time_factor() -> None:
    metrics = Metrics(lambda: 0, Workload(1, 0))
    metrics.finished(audio_seconds=0.0, elapsed=1.0)
    assert values(metrics)["kokoro_real_time_factor_count"] == 0
