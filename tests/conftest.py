"""The suite's closing lines: skips summed up by reason, and no skip for a missing
dependency under CI (tests/deps.py says which reasons those are).

Each test process (each pytest-xdist worker) gets a result cache of its own, removed at
its end, so no test reads a result another process or an earlier run wrote in the
project's .tutorial-cache."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections import Counter

import pytest

from tests.deps import MISSING

if "TUTORIAL_RUNNER_CACHE" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="tutorial-runner-test-cache-")
    os.environ["TUTORIAL_RUNNER_CACHE"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _skipped(terminalreporter) -> Counter:
    return Counter(_skip_reason(r) for r in terminalreporter.stats.get("skipped", ())
                   if getattr(r, "longrepr", None) is not None)


def _strict() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = _skipped(terminalreporter)
    total = sum(skipped.values())
    if not total:
        terminalreporter.write_line("skips: none")
        return
    parts = "; ".join(f"{count} × {reason}" for reason, count in skipped.most_common())
    terminalreporter.write_line(f"skips: {total}: {parts}")
    missing = sum(c for reason, c in skipped.items() if reason.startswith(MISSING))
    if missing and _strict():
        terminalreporter.write_line(
            f"CI=true: {missing} test(s) skipped for a dependency that make test installs: "
            "failing the run", red=True)


def pytest_sessionfinish(session, exitstatus):
    if not _strict() or session.config.pluginmanager.get_plugin("terminalreporter") is None:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if any(reason.startswith(MISSING) for reason in _skipped(reporter)) \
            and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
