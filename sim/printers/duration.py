"""Ages as kubectl shows them (apimachinery util/duration.HumanDuration)."""
from __future__ import annotations

from datetime import datetime, timezone


def format_age(seconds: float) -> str:
    """Round towards zero the way Go's Duration arithmetic does, then pick the unit."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 60 * 2:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rest = s % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        days = hours // 24
        return f"{days}d" if rest == 0 else f"{days}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def parse_time(ts: str) -> datetime:
    """RFC 3339 as the API server writes it (`Z`, optional fraction)."""
    text = ts.replace("Z", "+00:00")
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def as_utc(now: datetime) -> datetime:
    """A naive clock reading is taken as UTC (the cluster clock is UTC)."""
    return now if now.tzinfo is not None else now.replace(tzinfo=timezone.utc)


def translate_timestamp_since(ts: str | None, now: datetime) -> str:
    """kubectl's translateTimestampSince: unset is `<unknown>`."""
    if not ts:
        return "<unknown>"
    return format_age((as_utc(now) - parse_time(ts)).total_seconds())
