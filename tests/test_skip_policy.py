"""The suite's closing summary counts skips by reason; under CI=true a skip for a
dependency that make test installs (``missing:``) fails the run, other skips do not."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

SUITE = textwrap.dedent("""
    import pytest

    def test_runs():
        pass

    @pytest.mark.skip(reason="missing: the thing (make test fetches it: get-thing)")
    def test_needs_the_thing():
        pass

    @pytest.mark.parametrize("n", [1, 2])
    def test_cannot_here(n):
        pytest.skip("unavailable: no such kernel feature")
""")


def _run(tmp_path: Path, ci: str | None, suite: str = SUITE) -> subprocess.CompletedProcess:
    (tmp_path / "test_suite.py").write_text(suite)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
         "--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path / "test_suite.py")],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)


def _summary(out: str) -> str:
    (line,) = [line for line in out.splitlines() if line.startswith("skips: ")]
    return line


def test_skips_are_summed_up_by_reason_and_pass_outside_ci(tmp_path):
    done = _run(tmp_path, None)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _summary(done.stdout) == ("skips: 3: 2 × unavailable: no such kernel feature; "
                                     "1 × missing: the thing (make test fetches it: get-thing)")
    assert done.stdout.rstrip().splitlines()[-1].startswith("1 passed, 3 skipped")


@pytest.mark.parametrize("ci", ["true", "1"])
def test_a_missing_dependency_fails_the_run_under_ci(tmp_path, ci):
    done = _run(tmp_path, ci)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "CI=true: 1 test(s) skipped for a dependency that make test installs" in done.stdout


def test_under_ci_a_skip_the_environment_cannot_change_passes(tmp_path):
    done = _run(tmp_path, "true", SUITE.replace('reason="missing:', 'reason="unavailable:'))
    assert done.returncode == 0, done.stdout + done.stderr
    assert _summary(done.stdout).startswith("skips: 3: 2 × unavailable: no such kernel feature; ")
