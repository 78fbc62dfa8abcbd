"""The small version of the growth check of ``bench/sim_large.py``: the same cluster shape
and commands at 1,000 and 10,000 pods, each ten times the pods costing at most fifteen
times the CPU time of the cluster (not an absolute time: the machine is shared, and CPU
time is what the neighbours' work does not add to)."""

from __future__ import annotations

import pytest

from bench import sim_large

LIMIT = 15.0


@pytest.fixture(scope="module")
def sizes() -> tuple[dict, dict]:
    return sim_large.one_size(1000, repeat=1), sim_large.one_size(10000, repeat=1)


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
