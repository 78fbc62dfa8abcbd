"""Summaries shared by every benchmark: medians and percentiles in milliseconds, the load."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1): no interpolation between samples."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary_ms(seconds: Sequence[float]) -> dict:
    """Median, p95, min and max of ``seconds`` as milliseconds, with the sample count."""
    ms = [s * 1000 for s in seconds]
    if not ms:
        return {"n": 0, "median_ms": None, "p95_ms": None, "min_ms": None, "max_ms": None}
    return {"n": len(ms), "median_ms": round(statistics.median(ms), 3),
            "p95_ms": round(percentile(ms, 0.95), 3),
            "min_ms": round(min(ms), 3), "max_ms": round(max(ms), 3)}


def summary_s(seconds: Sequence[float]) -> dict:
    """The same in seconds, for the long runs (each run kept: there are few)."""
    if not seconds:
        return {"n": 0, "median_s": None, "runs_s": []}
    return {"n": len(seconds), "median_s": round(statistics.median(seconds), 3),
            "runs_s": [round(s, 3) for s in seconds]}


def load() -> dict:
    """The 1, 5 and 15 minute load averages and the cores: other work shares the machine."""
    one, five, fifteen = os.getloadavg()
    return {"1m": round(one, 2), "5m": round(five, 2), "15m": round(fifteen, 2),
            "cpus": os.cpu_count()}


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    begin = time.perf_counter()
    value = fn()
    return time.perf_counter() - begin, value
