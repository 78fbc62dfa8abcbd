"""Small clusters: what a page's session pays, to compare before and after a change.

    python -m bench.sim_small [--repeat N] [--calls N]

- ``cluster_5_nodes``: building a 5-node cluster (the default profile with four workers)
  in process, bootstrap and start-up reconcile included (median of ``repeat``);
- ``session_start``: a session's cluster process started (``SimEnvironment`` prepare +
  start: the daemon up, its socket answering) for the default profile;
- the kubectl round trip (``sim_roundtrip.roundtrip``): a tool that does nothing and
  ``kubectl get svc`` through the shim, median of ``calls``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cluster_5_nodes(repeat: int) -> list[float]:
    from sim.cluster import Cluster
    from sim.controllers.profiles import load_profile

    out = []
    for _ in range(repeat):
        profile = load_profile("default")
        profile["nodes"][1]["count"] = 4
        begin = time.perf_counter()
        cluster = Cluster(profile)
        out.append(time.perf_counter() - begin)
        assert cluster.store.count("nodes") == 5
    return out


def session_start(repeat: int) -> list[float]:
    from bench.sim_roundtrip import _session

    out = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bench-small-") as tmp:
            begin = time.perf_counter()
            spec, env, _work = _session(Path(tmp))
            out.append(time.perf_counter() - begin)
            subprocess.run(spec.stop, env=env, check=False)
    return out


def run(repeat: int = 11, calls: int = 50) -> dict:
    from bench.sim_roundtrip import roundtrip

    ms = lambda values: round(statistics.median(values) * 1000, 2)  # noqa: E731
    trips = roundtrip(calls, quiet=True)
    return {"cluster_5_nodes_ms": ms(cluster_5_nodes(repeat)),
            "session_start_ms": ms(session_start(repeat)),
            "noop_tool_ms": ms(trips["trivial tool call (sim-noop)"]),
            "kubectl_get_svc_ms": ms(trips["kubectl get svc"])}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sim_small",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    print(json.dumps(run(args.repeat, args.calls)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
