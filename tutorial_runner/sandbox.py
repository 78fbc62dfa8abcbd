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


class SandboxUnavailable(RuntimeError):
    """``--sandbox=require`` on a machine where no sandbox works."""


@dataclass(frozen=True)
class Sandbox:
    kind: Kind
    # bwrap only: a user namespace is available, so /sys can be remounted for the private
    # network namespace (showing only lo) before all capabilities are dropped.
    userns: bool = False
    own_sysfs: bool = False

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
            return _unshare_prefix() + ["sh", "-c", _UNSHARE_INIT, "sh", *argv]
        return list(argv)

    def _bwrap(self, argv: list[str], cwd: Path, writable: list[Path], readable: list[Path]) -> list[str]:
        args = [shutil.which("bwrap") or "bwrap"]
        if self.userns:
            args.append("--unshare-user")
        args += [
            "--ro-bind", "/", "/",
            "--dev", "/dev",
            "--proc", "/proc",
            "--tmpfs", "/tmp",
            "--unshare-net", "--unshare-pid", "--unshare-ipc",
            "--die-with-parent",
        ]
        # The private /tmp hides whatever lived there: put back what the session must read
        # (the runner's own interpreter, the environment's code) before its own directories.
        for path in _default_readable() + readable:
            if path.exists() and _under(path, Path("/tmp")):
                args += ["--ro-bind", str(path), str(path)]
        for path in writable:
            args += ["--bind", str(path), str(path)]
        args += ["--chdir", str(cwd)]
        if self.own_sysfs:
            args += ["--cap-add", "CAP_SYS_ADMIN", "--", "sh", "-c", _BWRAP_INIT, "sh", *argv]
        else:
            args += ["--", *argv]
        return args

    def describe(self) -> str:
        return {"bwrap": "bubblewrap", "unshare": "unshare (network and processes only)",
                "none": "none"}[self.kind]


# Remount /sys for the new network namespace, then drop every capability for good.
_BWRAP_INIT = (
    'mount -t sysfs sysfs /sys 2>/dev/null; '
    'exec setpriv --inh-caps=-all --bounding-set=-all "$@"'
)
# sh stays as the namespace's init so that the shell can be killed from inside (`kill -9 $$`).
_UNSHARE_INIT = 'ip link set lo up 2>/dev/null; "$@"'


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
        for userns in (True, False):
            candidate = Sandbox("bwrap", userns=userns)
            if not _works(candidate.wrap(["true"], probe_dir, [])):
                continue
            if userns and shutil.which("setpriv"):
                with_sysfs = Sandbox("bwrap", userns=True, own_sysfs=True)
                check = ["sh", "-c", "test \"$(ls /sys/class/net)\" = lo"]
                if _works(with_sysfs.wrap(check, probe_dir, [])):
                    return with_sysfs
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
