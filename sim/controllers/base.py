"""What every controller shares: the interface and small status helpers."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any, Protocol

from ..api.store import Store
from ..clock import VirtualClock


class ClusterView(Protocol):
    """What a controller sees of the cluster that runs it (``sim.cluster.Cluster`` is one):
    the store it reads and writes, the clock, the randomness, the profile, and the
    private memory of controllers and the workloads."""

    store: Store
    clock: VirtualClock
    rng: random.Random
    profile: dict
    runtime: dict
    state: dict
    workloads: bool
    lock: Any               # held by whoever drives the cluster
    events: Any             # sim.controllers.events.EventRecorder
    admission: Any          # sim.api.admission.ServerAdmission (its address allocators)

    def record_event(self, obj: dict, type: str, reason: str, message: str,
                     component: str, host: str | None = None) -> None: ...

    def reconcile(self, max_rounds: int = 200, periodic: bool = False) -> Any: ...


class Controller(Protocol):
    """A level-triggered loop: ``sync`` looks at the whole state and moves it one step.

    It runs when a type in ``watches`` changed since its last run, or when the time it
    asked for (the return value of ``sync``) has come.
    """

    name: str
    watches: tuple[str, ...]

    def sync(self, cluster: ClusterView) -> datetime | None: ...


def pod_ready(pod: dict) -> bool:
    for cond in pod.get("status", {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


def pod_ended(pod: dict) -> bool:
    """Succeeded or Failed: its containers will not run again."""
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def pod_active(pod: dict) -> bool:
    """Counts toward a controller's replicas: not finished, not being deleted."""
    return not pod["metadata"].get("deletionTimestamp") and not pod_ended(pod)
