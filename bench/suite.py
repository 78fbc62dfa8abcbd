"""The whole test suite (`make test`'s pytest) on a copy of the project: in parallel on
every core (pytest-xdist, ``-n auto``) and serially, each from a warm venv (this one).

The copy is the committed tree (bench/doctest_site.copy_project), so the suite's own
caches and screenshots stay out of the checkout; the guides (../shared/seeds) are linked
beside it as they are beside the checkout, so the same tests run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.doctest_site import ROOT, copy_project

_COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)")


def counts(last_line: str) -> dict:
    """pytest's closing line as numbers: ``{"passed": 1641, "skipped": 0, ...}``."""
    found = {word.rstrip("s") if word.startswith("error") else word: int(n)
             for n, word in _COUNT.findall(last_line)}
    return {key: found.get(key, 0) for key in ("passed", "failed", "skipped", "error")}


def _run(copy: Path, jobs: str | None) -> dict:
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly"]
    args += ["-n", jobs] if jobs else ["-p", "no:xdist"]
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    begin = time.perf_counter()
    done = subprocess.run(args, cwd=copy, capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - begin
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    closing = lines[-1] if lines else ""
    return {"seconds": round(seconds, 1), "exit_status": done.returncode, "closing_line": closing,
            **counts(closing)}


def run(repeat: int = 1) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as tmp:
        copy = Path(tmp) / "project"
        copy_project(copy)
        shared = ROOT.parent / "shared"
        if shared.is_dir():
            (Path(tmp) / "shared").symlink_to(shared)
        parallel = [_run(copy, "auto") for _ in range(repeat)]
        serial = [_run(copy, None) for _ in range(repeat)]
    best = lambda runs: min(runs, key=lambda r: r["seconds"])  # noqa: E731
    return {"cores": os.cpu_count(), "parallel": best(parallel), "serial": best(serial),
            "speedup": round(best(serial)["seconds"] / best(parallel)["seconds"], 2)}
