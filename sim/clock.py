"""Virtual time: every timestamp the cluster shows comes from here, never from the host."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from functools import lru_cache


# Both are pure and called for the same few moments again and again (every object written
# in one virtual second): remembered, and the objects share one string per second.
@lru_cache(maxsize=4096)
def parse_time(text: str) -> datetime:
    """An RFC 3339 timestamp as the API writes it (``2026-01-01T00:00:00Z``)."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def format_time(moment: datetime) -> str:
    """RFC 3339 with second precision and a ``Z``, as metav1.Time marshals (one string
    for all the moments of one second)."""
    return _format_second(moment.replace(microsecond=0) if moment.microsecond else moment)


@lru_cache(maxsize=4096)
def _format_second(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class VirtualClock:
    """A clock that only moves when told to.

    ``tick()`` is what passes between two commands a person types: a few seconds drawn
    from the clock's own seeded stream, so that ages look natural and stay reproducible
    whatever else draws random numbers.
    """

    def __init__(self, start: datetime, seed: int, step: tuple[float, float] = (2.0, 5.0)):
        self._now = start
        self._rng = random.Random(f"clock:{seed}")
        self._step = step

    def now(self) -> datetime:
        return self._now

    def timestamp(self) -> str:
        return format_time(self._now)

    def advance(self, seconds: float) -> datetime:
        if seconds > 0:
            self._now += timedelta(seconds=seconds)
        return self._now

    def step_seconds(self) -> float:
        """The next pause between two commands (drawn, not yet applied)."""
        low, high = self._step
        return round(self._rng.uniform(low, high), 3)

    def tick(self) -> datetime:
        return self.advance(self.step_seconds())
