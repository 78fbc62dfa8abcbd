"""Report containers whose main process ended to the kubelet.

A container's command runs when the kubelet starts it, inside the kubelet's own pass;
the kubelet writes the pod after that, so the exit is handed over one step later, by a
small controller that runs in the same reconcile loop."""

from __future__ import annotations

from typing import Any

NAME = "container-exits"


class ContainerExits:
    name = NAME
    watches = ("pods",)

    def sync(self, cluster: Any) -> None:
        pending = cluster.runtime.get("exits") or []
        if not pending:
            return None
        cluster.runtime["exits"] = []
        try:
            from sim.controllers.kubelet import finish_container
        except ImportError:
            return None
        for namespace, name, container, code in pending:
            finish_container(cluster, namespace, name, container, code)
        return None


def report(cluster: Any, namespace: str, name: str, container: str, code: int) -> None:
    cluster.runtime.setdefault("exits", []).append((namespace, name, container, code))
    controllers = getattr(cluster, "controllers", None)
    if isinstance(controllers, list) and not any(getattr(c, "name", "") == NAME for c in controllers):
        controllers.append(ContainerExits())
