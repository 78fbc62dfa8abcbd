"""Runs a corpus case and checks what every case must leave behind: nothing.

A case is run in-process through the engine, with the shell sessions it makes recorded,
so that afterwards each session's processes (found by its marker variable, its directory
in their command line, or a pattern the case names) can be looked for in /proc.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.deps import needs_bwrap  # noqa: F401 - the reliability tests take it from here
from tutorial_runner import engine
from tutorial_runner.document import read_document
from tutorial_runner.engine import SessionResult, run_session
from tutorial_runner.environment import load_environment
from tutorial_runner.sandbox import detect
from tutorial_runner.session import MARKER_VARIABLE, ShellSession

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
REPO = HERE.parent.parent

# Names a hostile case tries to create outside its session; none may exist afterwards.
PWNED_NAMES = ("tr-pwned", "tr-private", "tr-home")
WATCHED_DIRS = (Path("/etc"), Path("/usr"), Path("/root"), Path("/tmp"), REPO, HERE)


def bwrap_sandbox() -> bool:
    return shutil.which("bwrap") is not None and detect().kind == "bwrap"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pwned_files(extra: Iterable[Path] = ()) -> list[Path]:
    """Files with a hostile case's name in the places such a case aims at."""
    found = []
    for directory in (*WATCHED_DIRS, *extra):
        for name in PWNED_NAMES:
            if (directory / name).exists():
                found.append(directory / name)
    return found


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def processes_matching(needles: Iterable[bytes]) -> list[tuple[int, str]]:
    """Live (not zombie) processes whose environment or command line holds a needle."""
    needles = [n for n in needles if n]
    found = []
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        stat = _read(f"/proc/{entry}/stat")
        if not stat or stat.rsplit(b")", 1)[-1].split()[:1] == [b"Z"]:
            continue
        cmdline = _read(f"/proc/{entry}/cmdline").replace(b"\0", b" ")
        environ = _read(f"/proc/{entry}/environ")
        if any(n in cmdline or n in environ for n in needles):
            found.append((int(entry), cmdline.decode(errors="replace")))
    return found


@dataclass
class Recorded:
    """What a run left: the sessions it made and their results."""

    shells: list[ShellSession] = field(default_factory=list)
    results: list[SessionResult] = field(default_factory=list)

    def needles(self) -> list[bytes]:
        out = []
        for shell in self.shells:
            out.append(f"{MARKER_VARIABLE}={shell.salt}".encode())
            out.append(str(shell.root).encode())
        return out

    def leftovers(self, patterns: Iterable[str] = (), wait: float = 3.0) -> list[tuple[int, str]]:
        """Processes of the run still alive after ``wait`` seconds (a pid namespace's end
        and a SIGKILL take a moment to be reaped)."""
        needles = self.needles() + [p.encode() for p in patterns]
        give_up = time.monotonic() + wait
        while True:
            found = processes_matching(needles)
            if not found or time.monotonic() >= give_up:
                return found
            time.sleep(0.1)

    @property
    def statuses(self) -> list[str]:
        return [block.status for result in self.results for block in result.blocks]

    @property
    def blocks(self):
        return [block for result in self.results for block in result.blocks]


def record_shells(monkeypatch: pytest.MonkeyPatch) -> Recorded:
    """Every ShellSession the engine makes from now on is kept in the returned record."""
    record = Recorded()

    class RecordingShell(ShellSession):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            record.shells.append(self)

    monkeypatch.setattr(engine, "ShellSession", RecordingShell)
    return record


def materialize(case: Path, into: Path, outside: Path) -> Path:
    """The case as a document in ``into``, its placeholders filled in: ``@REPO@`` (this
    repository) and ``@OUTSIDE@`` (a directory of the host's /tmp the session must not see)."""
    text = case.read_text(encoding="utf-8")
    text = text.replace("@REPO@", str(REPO)).replace("@OUTSIDE@", str(outside))
    target = into / case.name
    target.write_text(text, encoding="utf-8")
    return target


def run_document(path: Path, record: Recorded, sandbox: str = "auto",
                 environment: str | None = "sim") -> Recorded:
    document = read_document(path)
    env = load_environment(environment)
    for session in document.sessions:
        record.results.append(run_session(session, env, sandbox=sandbox, cache=None))
    return record
