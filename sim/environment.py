"""The runner's environment plug-in: each session gets its own simulated cluster."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from tutorial_runner.environment import SessionEnvironment

SIM_DIR = Path(__file__).resolve().parent
# the runner's pid, exported to a session that runs without a sandbox (DESIGN.md)
RUNNER_PID_VARIABLE = "TUTORIAL_RUNNER_PID"
PROJECT_DIR = SIM_DIR.parent

_SHIM = """#!{python} -SI
import sys
sys.path.insert(0, {root!r})
from sim.client import main
main()
"""


# the shim of another kubectl (check --kubectl PATH): the cluster's pause, then that program
_SHIM_OTHER = """#!{python} -SI
import sys
sys.path.insert(0, {root!r})
from sim.client import tick_then_exec
tick_then_exec({program!r})
"""


def resolve_kubectl(choice: str) -> str:
    """The program ``--kubectl CHOICE`` names: ``reference`` (the pinned kubectl v1.35.2,
    fetched on first use) or a path to an executable. ValueError says what is wrong."""
    import os

    if choice == "reference":
        from sim import reference

        try:
            return str(reference.ensure())
        except reference.ReferenceUnavailable as exc:
            raise ValueError(str(exc)) from None
    path = Path(choice).expanduser()
    if not path.is_file() or not os.access(path, os.X_OK):
        raise ValueError(f"--kubectl {choice}: not an executable file")
    return str(path.resolve())


_DAEMON = "import sys; sys.path.insert(0, {root!r}); from sim.daemon import main; sys.exit(main())"

_compiled = False


def compile_sources() -> None:
    """Byte-compile this copy of sim and the runner, once per process. The daemon imports
    them inside a sandbox that shows the project read-only (and with
    PYTHONDONTWRITEBYTECODE set, as in many containers, it would not write bytecode
    anyway): a tree never compiled compiled some 150 modules from source at every
    session start. Written here, outside the sandbox; an unchanged module costs a stat,
    and a tree that cannot be written is left as it is."""
    global _compiled
    if _compiled:
        return
    import compileall

    for folder in (SIM_DIR, PROJECT_DIR / "tutorial_runner"):
        compileall.compile_dir(str(folder), quiet=2)
    _compiled = True


class SimEnvironment:
    name = "sim"
    _version: str | None = None

    def version(self) -> str:
        """A hash of sim's sources and profiles: any change there invalidates cached results."""
        if SimEnvironment._version is None:
            digest = hashlib.sha256()
            for path in sorted(SIM_DIR.rglob("*")):
                if path.suffix in (".py", ".yaml", ".yml", ".json", ".txt", ".html", "") \
                        and path.is_file() and "__pycache__" not in path.parts:
                    digest.update(str(path.relative_to(SIM_DIR)).encode())
                    digest.update(path.read_bytes())
            SimEnvironment._version = "sim-" + digest.hexdigest()[:16]
        return SimEnvironment._version

    def describe(self, profile: str | None) -> str:
        """What a verified block ran against, for the site's badges: profile and version."""
        from sim.controllers.profiles import load_profile

        name = profile or "default"
        return f"{name} · Kubernetes {load_profile(name)['version']}"

    def prepare(self, workdir: Path, statedir: Path, profile: str | None,
                kubectl: str | None = None) -> SessionEnvironment:
        """``kubectl``: another kubectl to run as the session's (a path, or "reference"),
        reaching the cluster through its API with the kubeconfig in ~/.kube/config."""
        from sim import tools
        from sim.controllers.profiles import UnknownProfile, load_profile

        profile = profile or "default"
        compile_sources()
        try:
            load_profile(profile)
        except UnknownProfile as exc:
            raise ValueError(str(exc)) from None
        statedir = Path(statedir)
        bindir = statedir / "bin"
        bindir.mkdir(parents=True, exist_ok=True)
        shim = _SHIM.format(python=sys.executable, root=str(PROJECT_DIR))
        other = resolve_kubectl(kubectl) if kubectl else None
        for name in tools.names():
            target = bindir / name
            target.write_text(_SHIM_OTHER.format(python=sys.executable, root=str(PROJECT_DIR),
                                                 program=other)
                              if name == "kubectl" and other else shim)
            target.chmod(0o755)
        socket_path = str(statedir / "cluster.sock")
        venv = Path(sys.prefix)
        # the daemon imports this very copy of sim (as the shims do), not whichever one the
        # interpreter's own path would find: a sandbox shows only this project
        daemon = [sys.executable, "-c", _DAEMON.format(root=str(PROJECT_DIR)),
                  "--socket", socket_path]
        read_only = [str(PROJECT_DIR)]
        if other and not any(Path(other).is_relative_to(p) for p in (PROJECT_DIR, venv)):
            read_only.append(str(Path(other).parent))
        if PROJECT_DIR not in (venv, *venv.parents):
            read_only.append(str(venv))
        return SessionEnvironment(
            env={"PATH": str(bindir), "SIM_SOCKET": socket_path},
            # without a sandbox nothing else ends the cluster with a runner killed outright
            start=daemon + ["--profile", profile, "--detach",
                            "--watch-pid-env", RUNNER_PID_VARIABLE,
                            "--kubeconfig", str(Path(workdir) / ".kube" / "config")],
            stop=daemon + ["--stop"],
            input_prompts={"node $ ": ["sim-node", "sh", "-c"]},
            read_only_paths=read_only,
        )

