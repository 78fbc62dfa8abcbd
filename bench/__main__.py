"""``make bench``: every benchmark in turn, a table, and bench/results.json.

    python -m bench [--quick] [--only latency,prysk,doctest,scale,large,profile,suite,differential,api,live] [--output FILE] [--no-docs]

``--quick`` runs each part at a tiny size (for the smoke test: its figures mean nothing).
A full run also redraws the chart and the figures of the performance page from the results;
``--only`` keeps the other parts' figures of bench/results.json and redraws the page too.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from bench import (api, doctest_site, latency, live, profile_scale, sim_large, sim_scale,
                   suite, versus_prysk)
from bench.stats import load
from bench.table import print_table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
PARTS = ("latency", "prysk", "doctest", "scale", "large", "profile", "suite", "differential", "api",
         "live")


def _parts(quick: bool) -> dict:
    if quick:
        return {
            "latency": lambda: latency.run(repeat=2),
            "prysk": lambda: versus_prysk.run(count=5, repeat=1),
            "doctest": None,      # a whole-site build is not tiny: left out of --quick
            "scale": lambda: sim_scale.run(sizes=(10, 20), repeat=1),
            "large": lambda: sim_large.run(sizes=(10, 100), repeat=1, runs=1),
            "profile": None,      # minutes under a profiler: left out of --quick
            "suite": None,        # the whole test suite, twice: left out of --quick
            "differential": None,  # every session of docs/ twice: left out of --quick
            "api": lambda: api.run(repeat=3, watches=5),
            "live": lambda: live.run(readers=2, commands=3, starts=2, time_limit=120, pause=0.05),
        }
    return {
        "latency": lambda: latency.run(repeat=40),
        "prysk": lambda: versus_prysk.run(count=100, repeat=7),
        "doctest": lambda: doctest_site.run(repeat=3),
        "scale": lambda: sim_scale.run(sizes=(100, 1000, 10000), repeat=5),
        "large": lambda: sim_large.run(sizes=(100, 1000, 10000, 100000), repeat=3),
        "profile": lambda: {"pods": 3000, "calls": profile_scale.run(3000, top=8)},
        "suite": lambda: suite.run(repeat=1),
        "differential": _differential,
        "api": lambda: api.run(repeat=21, watches=50),
        "live": lambda: live.run(readers=10, commands=20, starts=10, time_limit=300, pause=1.0),
    }


def _differential() -> dict:
    """Our kubectl against the reference one on every transcript of docs/ (sim.differential)."""
    from sim import differential

    report = differential.run([ROOT / p for p in differential.DEFAULT_PATHS]).as_json()
    report["differences"] = [{"where": d["where"], "command": d["command"]}
                             for d in report["differences"]]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the harness only")
    parser.add_argument("--only", default=",".join(PARTS),
                        help=f"comma-separated parts ({', '.join(PARTS)})")
    parser.add_argument("--output", type=Path, default=None,
                        help="results file (default bench/results.json; --quick: none)")
    parser.add_argument("--no-docs", action="store_true",
                        help="do not redraw the chart and the page's figures")
    args = parser.parse_args(argv)
    wanted = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in wanted if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}")
    output = args.output or (None if args.quick else RESULTS)
    results: dict = {
        "quick": args.quick,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "system": platform.platform()},
        "load": {"before": load()},
    }
    if output == RESULTS and set(wanted) != set(PARTS) and RESULTS.exists():
        # A partial run: the other parts keep their figures, and the page's conditions
        # stay the last full run's; each part records its own start and load.
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
    for name, fn in _parts(args.quick).items():
        if name not in wanted or fn is None:
            continue
        print(f"running {name} …", file=sys.stderr, flush=True)
        started, before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), load()
        begin = time.perf_counter()
        results[name] = fn()
        results[name].update(started=started, load_before=before)
        results[name]["bench_seconds"] = round(time.perf_counter() - begin, 1)
        results["load"][f"after_{name}"] = load()
    results["targets"] = targets(results)
    print_table(results)
    if output is not None:
        output.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {output}")
    if not args.quick and not args.no_docs and output == RESULTS and set(PARTS) <= set(results):
        from bench import chart, page

        chart.write(results)
        page.write(results)
    return 0


def targets(results: dict) -> dict:
    """Each target of the benchmark with the figure it is judged on (None: not measured)."""
    out: dict = {}

    def judge(name: str, value, limit, unit: str) -> None:
        out[name] = {"value": value, "limit": limit, "unit": unit,
                     "met": None if value is None else value <= limit}

    lat = results.get("latency") or {}
    judge("kubectl_round_trip_median", lat.get("kubectl_round_trip_median_ms"), 20, "ms")
    prysk = (results.get("prysk") or {})
    judge("runner_vs_prysk_echo", (prysk.get("echo") or {}).get("ratio"), 1.5, "x")
    judge("runner_vs_prysk_kubectl", (prysk.get("kubectl") or {}).get("ratio"), 1.5, "x")
    doc = results.get("doctest") or {}
    judge("doctest_cold", (doc.get("cold") or {}).get("median_s"), 60, "s")
    judge("doctest_warm", (doc.get("warm") or {}).get("median_s"), 5, "s")
    scale = results.get("scale") or {}
    big = [s for s in scale.get("sizes", []) if s["replicas"] == 10000]
    judge("get_pods_10000", round(big[0]["get_pods"]["median_ms"] / 1000, 3) if big else None, 1, "s")
    steps = (scale.get("growth") or {}).get("get_pods") or []
    worst = max((s["time_ratio"] / s["size_ratio"] for s in steps if s["time_ratio"]), default=None)
    judge("get_pods_growth_over_linear", None if worst is None else round(worst, 3), 1, "x")
    large = results.get("large") or {}
    by_pods = {s["pods"]: s for s in large.get("sizes", [])}
    for key in sim_large.FIGURES:
        ratios = [s["time_ratio"] for s in (large.get("growth") or {}).get(key, [])
                  if s["time_ratio"] is not None and s["size_ratio"] == 10]
        judge(f"large_growth_{key}", max(ratios) if ratios else None, sim_large.GROWTH_LIMIT, "x")
    top = by_pods.get(100000)
    judge("large_100000_running", round(top["create_running"]["wall_s"], 1) if top else None,
          60, "s")
    judge("large_100000_get_pods", round(top["get_pods"]["wall_s"], 2) if top else None, 5, "s")
    judge("large_100000_rss", top["max_rss_mib"] if top else None, 2048, "MiB")
    whole = (results.get("suite") or {}).get("parallel") or {}
    judge("test_suite_parallel", whole.get("seconds"), 240, "s")
    served = results.get("api") or {}
    judge("real_kubectl_get_over_client", served.get("get_over_client"), 1.5, "x")
    judge("watch_event_median", (served.get("watch_event") or {}).get("median_ms"), 50, "ms")
    page = results.get("live") or {}
    judge("live_start_p95", None if "start" not in page else
          round(page["start"]["p95_ms"] / 1000, 3), 1.5, "s")
    judge("live_mark_p95", (page.get("mark") or {}).get("p95_ms"), 100, "ms")
    judge("live_10_readers_p95_over_one", page.get("p95_ratio"), 3, "x")
    judge("live_commands_not_checked", None if "checked_ok" not in page else
          2 * page["expected_checks"] - page["checked_ok"] - page["checked_ok_no_pause"], 0, "")
    diff = results.get("differential") or {}
    judge("kubectl_differential", None if "share" not in diff else
          round(100 * (1 - diff["share"]), 1), 5, "%")
    return out


if __name__ == "__main__":
    sys.exit(main())
