"""Where a session's shell runs: a bubblewrap or unshare sandbox, or bare when neither works.

Inside the sandbox a session sees only the loopback interface, its own process tree, a
private /tmp, and a read-only filesystem except its working and state directories.  The
availability of each kind is found out by actually trying it once per process, because
installed is not the same as permitted (user namespaces may be disabled).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Mode = Literal["auto", "require", "off"]
Kind = Literal["bwrap", "unshare", "none"]

_PROBE_TIMEOUT = 10.0
# pid_max of the session's own pid namespace (per namespace since Linux 6.14; written while
# the namespace's init still holds CAP_SYS_ADMIN): a fork bomb stops there, not at the host's.
PROCESS_CAP = 1024


class SandboxUnavailable(RuntimeError):
    """``--sandbox=require`` on a machine where no sandbox works."""


@dataclass(frozen=True)
class Sandbox:
    kind: Kind
    # bwrap only: a user namespace is available, so /sys can be remounted for the private
    # network namespace (showing only lo) before all capabilities are dropped.
    userns: bool = False
    own_sysfs: bool = False
    # pid_max of the session's pid namespace: the most processes it can have at once
    process_cap: int = PROCESS_CAP

    def wrap(
        self,
        argv: list[str],
        cwd: Path,
        writable: list[Path],
        readable: list[Path] = (),  # type: ignore[assignment]
    ) -> list[str]:
        """``argv`` run inside this sandbox, starting in ``cwd``."""
        if self.kind == "bwrap":
            return self._bwrap(argv, cwd, writable, list(readable))
        if self.kind == "unshare":
            return _unshare_prefix() + ["sh", "-c", _unshare_init(self.process_cap), "sh", *argv]
        return list(argv)

    def _bwrap(self, argv: list[str], cwd: Path, writable: list[Path], readable: list[Path]) -> list[str]:
        args = [shutil.which("bwrap") or "bwrap"]
        if self.userns:
            args.append("--unshare-user")
        # Only what a session needs is shown, not the host's whole tree: a read-only mount
        # does not stop connect() on a unix socket, and the host keeps those in /run,
        # /var/run, /var/tmp, home directories … (docker, containerd, D-Bus).
        args += _system_binds()
        args += [
            "--dev", "/dev",
            "--proc", "/proc",
            "--tmpfs", "/tmp",
            "--tmpfs", "/run",
            "--dir", "/var",
            "--tmpfs", "/var/tmp",
            "--symlink", "/run", "/var/run",
            "--unshare-net", "--unshare-pid", "--unshare-ipc",
            "--die-with-parent",
        ]
        # The kernel lets a user namespace mount a fresh sysfs (the init does, for the
        # private network) only where the host's is already visible.
        args += ["--ro-bind", "/sys", "/sys"]
        # The runner's own interpreter and code, and what the environment names, are
        # shown read-only wherever they lie, before the session's own directories.
        for path in _outside_system(_default_readable() + readable):
            args += ["--ro-bind", str(path), str(path)]
        for path in writable:
            args += ["--bind", str(path), str(path)]
        # The new root is a tmpfs of bubblewrap's own: read-only too, as / was.
        args += ["--remount-ro", "/", "--chdir", str(cwd)]
        if self.own_sysfs:
            args += ["--cap-add", "CAP_SYS_ADMIN", "--", "sh", "-c", _bwrap_init(self.process_cap),
                     "sh", *argv]
        else:
            args += ["--", *argv]
        return args

    def describe(self) -> str:
        return {"bwrap": "bubblewrap", "unshare": "unshare (network and processes only)",
                "none": "none"}[self.kind]


def _bwrap_init(cap: int) -> str:
    """Remount /sys for the new network namespace, then drop every capability for good."""
    return ('mount -t sysfs sysfs /sys 2>/dev/null; '
            f'echo {int(cap)} > /proc/sys/kernel/pid_max 2>/dev/null; '
            'exec setpriv --inh-caps=-all --bounding-set=-all "$@"')


def _unshare_init(cap: int) -> str:
    """sh stays as the namespace's init so that the shell can be killed from inside
    (`kill -9 $$`)."""
    return f'ip link set lo up 2>/dev/null; echo {int(cap)} > /proc/sys/kernel/pid_max 2>/dev/null; "$@"'


# The host's programs, libraries and configuration (resolver, users, certificates).
SYSTEM_DIRS = ("/usr", "/etc", "/opt")
SYSTEM_LINKS_OR_DIRS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


def _system_binds() -> list[str]:
    args: list[str] = []
    for name in SYSTEM_DIRS:
        if os.path.isdir(name):
            args += ["--ro-bind", name, name]
    for name in SYSTEM_LINKS_OR_DIRS:
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    return args


def _outside_system(paths: list[Path]) -> list[Path]:
    """Existing ``paths`` (resolved) not already shown, each once, outermost first."""
    shown = [Path(name) for name in SYSTEM_DIRS]
    kept: list[Path] = []
    for path in sorted({p.resolve() for p in paths if p.exists()}, key=lambda p: len(p.parts)):
        if not any(_under(path, parent) for parent in shown + kept):
            kept.append(path)
    return kept


def _under(path: Path, parent: Path) -> bool:
    try:
        path.resolve().relative_to(parent)
        return True
    except ValueError:
        return False


def _default_readable() -> list[Path]:
    here = Path(__file__).resolve().parent.parent
    return [Path(sys.prefix), Path(sys.base_prefix), here]


def _unshare_prefix() -> list[str]:
    args = ["unshare", "--net", "--pid", "--fork", "--kill-child", "--mount-proc"]
    if os.geteuid() != 0:
        args.append("--map-root-user")
    return args


def _works(argv: list[str]) -> bool:
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, timeout=_PROBE_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


@functools.cache
def detect() -> Sandbox:
    """The best sandbox this machine allows."""
    probe_dir = Path("/")
    if shutil.which("bwrap"):
        # The best kind first, in one launch: each probe costs a sandbox start.
        if shutil.which("setpriv"):
            with_sysfs = Sandbox("bwrap", userns=True, own_sysfs=True)
            check = ["sh", "-c", "test \"$(ls /sys/class/net)\" = lo"]
            if _works(with_sysfs.wrap(check, probe_dir, [])):
                return with_sysfs
        for userns in (True, False):
            candidate = Sandbox("bwrap", userns=userns)
            if _works(candidate.wrap(["true"], probe_dir, [])):
                return candidate
    if shutil.which("unshare") and _works(Sandbox("unshare").wrap(["true"], probe_dir, [])):
        return Sandbox("unshare")
    return Sandbox("none")


_warned = False


def choose(mode: Mode | str = "auto") -> Sandbox:
    """The sandbox for ``mode``: ``off`` never sandboxes, ``require`` refuses to go without."""
    global _warned
    if mode == "off":
        return Sandbox("none")
    if mode not in ("auto", "require"):
        raise ValueError(f"unknown sandbox mode {mode!r} (auto, require, off)")
    found = detect()
    if found.kind == "none":
        if mode == "require":
            raise SandboxUnavailable(
                "no sandbox works on this machine (tried bubblewrap and unshare); "
                "install bubblewrap or run with --sandbox=off")
        if not _warned:
            _warned = True
            print("tutorial-runner: warning: no sandbox available (bubblewrap, unshare); "
                  "sessions run unsandboxed", file=sys.stderr)
    return found
