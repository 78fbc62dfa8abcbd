"""The seam between the runner and what a session runs against.

An environment is a plug-in registered under the entry point group
``tutorial_runner.environments``.  The runner never imports it by name: the simulated
Kubernetes cluster (``sim``) is simply the default one.  ``plain`` (a bare bash) is
built in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Protocol


@dataclass
class SessionEnvironment:
    """What one session needs from its environment.

    - ``env``: variables for the session's bash (``PATH`` is prepended to the runner's own
      minimal PATH, everything else is set as given).
    - ``start``: argv run inside the session's sandbox, in its working directory, before the
      shell; it must return once the environment is ready (a service it starts detaches and
      must stop when ``stop`` runs or when the sandbox ends).
    - ``stop``: argv run at teardown (best effort).
    - ``input_prompts``: extra documented prompts that mean "input to something other than
      the shell", mapped to the argv prefix the line is run with, e.g.
      ``{"node $ ": ["sim-node", "sh", "-c"]}`` types ``sim-node sh -c 'CMD'``.
    - ``read_only_paths``: paths the sandbox must show read-only (code, interpreters).

    The session's bash (and so ``start`` and every command) has ``TUTORIAL_RUNNER_TIME``:
    ``virtual`` when nobody watches the run (``check``, ``update``, pytest, Sphinx), so an
    environment may let a wait (``sleep N``) pass at once on a clock of its own; ``real``
    when a person follows it (``play``, ``shell``), so waits take their real time.
    """

    env: dict[str, str] = field(default_factory=dict)
    start: list[str] | None = None
    stop: list[str] | None = None
    input_prompts: dict[str, list[str]] = field(default_factory=dict)
    read_only_paths: list[str] = field(default_factory=list)


class Environment(Protocol):
    name: str

    def version(self) -> str:
        """Part of the result cache key: change it when the environment's behaviour changes."""

    def prepare(self, workdir: Path, statedir: Path, profile: str | None) -> SessionEnvironment:
        """Set up one session with cluster ``profile``.

        ``workdir`` (created, empty) is the session's working directory, the user's own;
        ``statedir`` (created, empty, writable inside the sandbox) is for the environment's
        private state: sockets, logs.  Raise ``ValueError`` for an unknown profile.
        """


class PlainEnvironment:
    """A bare bash: for command-line documentation that needs no cluster."""

    name = "plain"

    def version(self) -> str:
        return "plain-1"

    def prepare(self, workdir: Path, statedir: Path, profile: str | None) -> SessionEnvironment:
        return SessionEnvironment()


def load_environment(name: str | None = None) -> Environment:
    """The environment called ``name``; by default ``sim`` when installed, else ``plain``."""
    found = {ep.name: ep for ep in entry_points(group="tutorial_runner.environments")}
    if name is None:
        name = "sim" if "sim" in found else "plain"
    if name == "plain":
        return PlainEnvironment()
    if name not in found:
        known = ", ".join(sorted({"plain", *found}))
        raise LookupError(f"unknown environment {name!r} (known: {known})")
    return found[name].load()()
