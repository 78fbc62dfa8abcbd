"""`python -m bench --quick` end to end: the harness runs and writes results of the agreed
shape. Timings are never asserted (the machine is shared); only that they were taken."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _summary(part: dict, n: int | None = None) -> None:
    assert set(part) >= {"n", "median_ms", "p95_ms"}
    assert part["n"] >= 1 if n is None else part["n"] == n
    assert part["min_ms"] <= part["median_ms"] <= part["p95_ms"] <= part["max_ms"]


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> tuple[dict, str]:
    if not Path(sys.executable).with_name("prysk").exists():
        pytest.skip("missing: prysk next to this interpreter (make test installs it: pip install -r requirements.txt)")
    out = tmp_path_factory.mktemp("bench") / "results.json"
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--output", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text()), done.stdout


def test_top_level_shape(results):
    data, _ = results
    assert data["quick"] is True
    assert {"latency", "prysk", "scale", "live", "targets", "load", "machine"} <= set(data)
    assert "doctest" not in data            # left out of --quick
    assert set(data["load"]["before"]) == {"1m", "5m", "15m", "cpus"}


def test_latency_splits_each_command(results):
    data, _ = results
    latency = data["latency"]
    assert latency["sandbox"] in ("bwrap", "unshare", "none")
    for group in ("shell", "kubectl"):
        assert latency[group]["errors"] == []
        for command, row in latency[group]["commands"].items():
            for part in ("total", "own", "overhead"):
                _summary(row[part], n=2)
            assert row["matched"] == 2, command
    assert latency["kubectl_round_trip_median_ms"] > 0


def test_prysk_comparison_runs_both(results):
    data, _ = results
    for kind in ("echo", "kubectl"):
        row = data["prysk"][kind]
        assert row["commands"] == 5
        assert row["exit_status"] == {"ours_no_sandbox": 0, "ours_sandbox": 0, "prysk": 0}
        assert row["ratio"] == pytest.approx(row["ours_no_sandbox"]["median_s"] / row["prysk"]["median_s"], rel=0.01)
    breakdown = data["prysk"]["breakdown"]
    for key in ("check_whole", "interpreter_start", "import_cli", "read_document_first", "session"):
        _summary(breakdown[key])
    assert "tutorial_runner" in breakdown["imports_self_by_package_ms"]
    _summary(breakdown["without_docutils_myst"])
    assert breakdown["without_docutils_myst_verified"] is True


def test_scale_sizes_and_growth(results):
    data, _ = results
    sizes = data["scale"]["sizes"]
    assert [s["replicas"] for s in sizes] == [10, 20]
    for size in sizes:
        assert size["pods"] == size["replicas"] == size["running"] == size["get_pods_lines"]
        for key in ("apply", "get_pods", "get_endpoints", "describe_svc", "apply_unchanged"):
            _summary(size[key])
    step = data["scale"]["growth"]["get_pods"][0]
    assert (step["from"], step["to"], step["size_ratio"]) == (10, 20, 2.0)


def test_large_sizes_and_growth(results):
    data, table = results
    large = data["large"]
    assert [s["pods"] for s in large["sizes"]] == [10, 100]
    for size in large["sizes"]:
        target = size["pods"] + size["pods"] // 10
        assert size["running"] == size["endpoints_in_slices"] == target
        for key in ("create_running", "get_pods", "get_pods_json", "scale",
                    "endpointslices_after_scale"):
            assert size[key]["cpu_s"] > 0 and size[key]["wall_s"] > 0, key
        assert size["max_rss_mib"] > 0
    step = large["growth"]["get_pods"][0]
    assert (step["from"], step["to"], step["size_ratio"]) == (10, 100, 10.0)
    assert step["time_ratio"] == pytest.approx(
        large["sizes"][1]["get_pods"]["cpu_s"] / large["sizes"][0]["get_pods"]["cpu_s"], rel=0.01)
    assert data["targets"]["large_growth_get_pods"]["value"] == step["time_ratio"]
    assert data["targets"]["large_100000_running"]["met"] is None      # not measured in --quick
    assert "4b. The large profile" in table


def test_targets_and_table(results):
    data, table = results
    targets = data["targets"]
    assert targets["doctest_cold"]["met"] is None           # not measured in --quick
    assert targets["kubectl_round_trip_median"]["met"] in (True, False)
    assert targets["kubectl_round_trip_median"]["value"] == data["latency"]["kubectl_round_trip_median_ms"]
    for heading in ("1. Per command", "tutorial-runner check vs prysk", "4. Simulated cluster", "Targets"):
        assert heading in table


def test_page_and_charts_from_results(results, tmp_path):
    from bench import chart, page

    data, _ = results
    text = ("# t\n\n<!-- bench:latency -->\nold\n<!-- /bench:latency -->\n\n"
            "<!-- bench:doctest -->\nkept\n<!-- /bench:doctest -->\n")
    once = page.render(text, data)
    assert "old" not in once and "| `kubectl get pods` |" in once
    assert "kept" in once                      # no doctest figures in --quick: left alone
    assert page.render(once, data) == once
    written = chart.write(data, tmp_path)
    assert sorted(p.name for p in written) == ["large.svg", "latency.svg", "prysk.svg", "scale.svg"]
    for svg in written:
        body = svg.read_text()
        assert body.startswith("<svg ") and body.rstrip().endswith("</svg>")
    assert "kubectl get pods" in (tmp_path / "latency.svg").read_text()


def test_live_page_measures_start_marks_and_a_crowd(results):
    data, _ = results
    live = data["live"]
    assert live["readers"] == 2 and live["commands_per_reader"] == 3
    for key in ("start", "start_under_load", "round_trip_single", "round_trip_concurrent",
                "round_trip_concurrent_no_pause", "mark"):
        _summary(live[key])
    assert live["round_trip_single"]["n"] == 3
    assert live["round_trip_concurrent"]["n"] == 6
    # every click came back checked, and matched
    assert live["checked_ok"] == live["checked_ok_no_pause"] == live["expected_checks"] == 10
    assert data["targets"]["live_commands_not_checked"]["value"] == 0
