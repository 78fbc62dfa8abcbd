"""Our printers against output recorded from kubectl v1.35.2 (see record_golden.py)."""
from __future__ import annotations

import pytest

import fixtures
from golden_cases import CASES, GOLDEN_DIR, build_objects
from reference import cluster, needs_kubectl


@pytest.fixture(scope="module")
def objects() -> list[dict]:
    return build_objects()


@pytest.mark.parametrize("case", sorted(CASES))
def test_printer_matches_recorded_kubectl(objects: list[dict], case: str) -> None:
    expected = (GOLDEN_DIR / f"{case}.txt").read_text()
    with fixtures.frozen():
        assert CASES[case][1](objects) == expected


@needs_kubectl
def test_recordings_are_what_kubectl_prints_today(objects: list[dict]) -> None:
    stale = []
    with fixtures.frozen(), cluster(objects) as ref:
        for case, (args, _) in sorted(CASES.items()):
            if ref.kubectl(*args).stdout != (GOLDEN_DIR / f"{case}.txt").read_text():
                stale.append(case)
    assert stale == []
