"""How fast this machine decodes: windows are planned from it."""


class Throughput:
    """Seconds a decoder run takes for n frames, `overhead + per_frame * n`, fitted
    to recent runs (older ones count less and less), so that it follows a machine
    that gets busier or quieter."""

    def __init__(self, per_frame: float = 0.015, overhead: float = 0.02) -> None:
        self.per_frame = per_frame
        self.overhead = overhead
        self._sums = [0.0] * 5  # weight, x, y, xx, xy

    def seconds(self, frames: int) -> float:
        return self.overhead + self.per_frame * frames

    def observe(self, frames: int, seconds: float, keep: float = 0.8) -> None:
        """A run of `frames` frames took `seconds`; earlier runs weigh `keep` times less."""
        weight, sx, sy, sxx, sxy = (keep * s for s in self._sums)
        weight, sx, sy = weight + 1, sx + frames, sy + seconds
        sxx, sxy = sxx + frames * frames, sxy + frames * seconds
        self._sums = [weight, sx, sy, sxx, sxy]
        spread = sxx - sx * sx / weight
        slope = (sxy - sx * sy / weight) / spread if spread > 1.0 else 0.0
        if slope > 0:
            self.per_frame = slope
            self.overhead = max(0.0, (sy - slope * sx) / weight)
        else:  # runs of one size alone: the overhead stays as it was
            self.per_frame = max(1e-4, (sy / weight - self.overhead) / max(sx / weight, 1.0))


class Steady(Throughput):
    """A throughput that runs do not change: a machine of a known speed, for
    simulations and tests."""

    def observe(self, frames: int, seconds: float, keep: float = 0.8) -> None:
        pass
