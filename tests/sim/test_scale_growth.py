"""The small version of the growth check of ``bench/sim_large.py``: the same cluster shape
and commands at 1,000 and 10,000 pods (each size three times, the least CPU time of each
figure), ten times the pods costing at most fifteen times the CPU time of the cluster
(not an absolute time: the machine is shared, and CPU time is what the neighbours' work
adds least to)."""

from __future__ import annotations

import gc

import pytest

from bench import sim_large

LIMIT = 15.0


def _least(runs: list[dict]) -> dict:
    """Each figure's least CPU time over the runs: what the neighbours' work added to the
    others (a shared machine, tests in parallel) is left out."""
    out = dict(runs[0])
    for key in sim_large.FIGURES:
        out[key] = min((r[key] for r in runs), key=lambda f: f["cpu_s"])
    return out


@pytest.fixture(scope="module")
def sizes() -> tuple[dict, dict]:
    # the test process holds what earlier tests left: frozen, the collector's full passes
    # do not walk it (the cluster process, fresh, has nothing of the kind)
    gc.collect()
    gc.freeze()
    try:
        return tuple(_least([sim_large.one_size(n, repeat=1) for _ in range(3)])
                     for n in (1000, 10000))
    finally:
        gc.unfreeze()


def test_every_pod_runs_and_is_an_endpoint(sizes):
    for size in sizes:
        target = size["pods"] + size["pods"] // 10
        assert size["running"] == target
        assert size["endpoints_in_slices"] == target
    small, big = sizes
    assert big["nodes"] == 101 and small["nodes"] == 11
    # the outputs grow with the pods (a header line more or less)
    assert 9.5 < big["get_pods"]["bytes"] / small["get_pods"]["bytes"] < 10.5
    assert 9.5 < big["get_pods_json"]["bytes"] / small["get_pods_json"]["bytes"] < 10.5


@pytest.mark.parametrize("figure", ["create_running", "get_pods", "get_pods_json", "scale"])
def test_ten_times_the_pods_cost_at_most_fifteen_times_the_time(sizes, figure):
    small, big = sizes
    ratio = big[figure]["cpu_s"] / small[figure]["cpu_s"]
    assert ratio <= LIMIT, f"{figure}: ×{ratio:.1f} from 1,000 to 10,000 pods"
