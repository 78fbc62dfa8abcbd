"""The tools a session's shims reach: name -> "module:function".

A tool is ``fn(cluster, argv, io) -> int`` (argv[0] is the tool's name). Adding a tool
is one line here; the session's bin directory gets a shim for every name listed.
"""

from __future__ import annotations

from importlib import import_module
from typing import Callable

TOOLS: dict[str, str] = {
    "kubectl": "sim.kubectl.main:main",
    "curl": "sim.workloads.host:curl",
    "dig": "sim.workloads.host:dig",
    "nslookup": "sim.workloads.host:nslookup",
    "gcloud": "sim.workloads.host:gcloud",
    "sim-node": "sim.workloads.host:sim_node",
    "sleep": "sim.pace:sleep",
}

_loaded: dict[str, Callable] = {}


def register(name: str, target: str | Callable) -> None:
    """Add a tool: a ``"module:function"`` string (imported on first use) or a callable."""
    if callable(target):
        _loaded[name] = target
        TOOLS[name] = f"{target.__module__}:{target.__name__}"
    else:
        TOOLS[name] = target
        _loaded.pop(name, None)


def names() -> list[str]:
    return sorted(TOOLS)


def _unavailable(name: str, why: str) -> Callable:
    def tool(cluster, argv, io) -> int:
        io.write_err(f"{name}: not available ({why})\n")
        return 127
    return tool


def lookup(name: str) -> Callable | None:
    """The function for ``name``, or None when no such tool is registered."""
    if name in _loaded:
        return _loaded[name]
    target = TOOLS.get(name)
    if target is None:
        return None
    module, _, attr = target.partition(":")
    try:
        fn = getattr(import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        fn = _unavailable(name, str(exc))
        return fn
    _loaded[name] = fn
    return fn
