"""What every controller shares: the interface and small status helpers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..cluster import Cluster


class Controller(Protocol):
    """A level-triggered loop: ``sync`` looks at the whole state and moves it one step.

    It runs when a type in ``watches`` changed since its last run, or when the time it
    asked for (the return value of ``sync``) has come.
    """

    name: str
    watches: tuple[str, ...]

    def sync(self, cluster: "Cluster") -> datetime | None: ...


def set_condition(conditions: list[dict], ctype: str, status: str, now: str,
                  reason: str | None = None, message: str | None = None,
                  probe_time: bool = False, update_time: bool = False) -> list[dict]:
    """Add or change a condition; lastTransitionTime moves only when the status does."""
    for cond in conditions:
        if cond.get("type") == ctype:
            if cond.get("status") != status:
                cond["lastTransitionTime"] = now
            cond["status"] = status
            if update_time:
                if cond.get("reason") != reason or cond.get("message") != message:
                    cond["lastUpdateTime"] = now
            _fill(cond, reason, message)
            return conditions
    cond: dict = {"type": ctype, "status": status}
    if probe_time:
        cond["lastProbeTime"] = None
    cond["lastTransitionTime"] = now
    if update_time:
        cond["lastUpdateTime"] = now
    _fill(cond, reason, message)
    conditions.append(cond)
    return conditions


def _fill(cond: dict, reason: str | None, message: str | None) -> None:
    if reason is None:
        cond.pop("reason", None)
    else:
        cond["reason"] = reason
    if message is None:
        cond.pop("message", None)
    else:
        cond["message"] = message


def pod_ready(pod: dict) -> bool:
    for cond in pod.get("status", {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


def pod_active(pod: dict) -> bool:
    """Counts toward a controller's replicas: not finished, not being deleted."""
    return (not pod["metadata"].get("deletionTimestamp")
            and pod.get("status", {}).get("phase") not in ("Succeeded", "Failed"))
