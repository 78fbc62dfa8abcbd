"""Where the simulated cluster's time goes at scale: the calls of the scale benchmark made
in-process as the daemon makes them (tick, the tool, reconcile), under cProfile.

    python -m bench.profile_scale [--pods N] [--top K]

Prints, for each call, the functions with the largest own time and their share.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import pstats
import time

from bench.sim_scale import manifest


class _IO:
    """The least a tool needs: output kept, no terminal, no stdin."""

    def __init__(self, cwd: str):
        self.cwd, self.env = cwd, {}
        self.stdin_is_tty = self.stdout_is_tty = False
        self.out: list[str] = []

    def write_out(self, data) -> None:
        self.out.append(data if isinstance(data, str) else data.decode())

    def write_err(self, data) -> None:
        pass

    def read_stdin(self) -> bytes:
        return b""

    def closed(self) -> bool:
        return False


def cluster_with(pods: int, workdir: str):
    from bench.simtools import add_nodes
    from sim.cluster import Cluster

    cluster = Cluster("default", workloads=True)
    add_nodes(cluster, ["bench-nodes", str(math.ceil(pods / 110) + 1)], _IO(workdir))
    return cluster


def call(cluster, argv: list[str], workdir: str) -> None:
    """One tool call as the daemon serves it."""
    from sim import tools

    with cluster.lock:
        cluster.tick()
    tools.lookup(argv[0])(cluster, argv, _IO(workdir))
    with cluster.lock:
        cluster.reconcile()


def hot(profile: cProfile.Profile, top: int) -> list[dict]:
    stats = pstats.Stats(profile, stream=io.StringIO())
    total = sum(row[2] for row in stats.stats.values()) or 1.0
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:top]
    return [{"function": f"{name} ({'/'.join(file.split('/')[-2:])}:{line})",
             "own_s": round(data[2], 3), "share": round(data[2] / total, 3),
             "calls": data[1]}
            for (file, line, name), data in rows]


def run(pods: int, top: int = 10) -> dict:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "big.yaml").write_text(manifest(pods))
        cluster = cluster_with(pods, tmp)
        out = {}
        for label, argv, before in (
                ("apply", ["kubectl", "apply", "-f", "big.yaml"], None),
                ("get pods", ["kubectl", "get", "pods"], lambda: cluster.run_for(120)),
                ("get endpoints", ["kubectl", "get", "endpoints", "big"], None),
                ("describe svc", ["kubectl", "describe", "svc", "big"], None)):
            if before is not None:
                before()
            profile = cProfile.Profile()
            begin = time.perf_counter()
            profile.enable()
            call(cluster, argv, tmp)
            profile.disable()
            out[label] = {"seconds_profiled": round(time.perf_counter() - begin, 3),
                          "hot": hot(profile, top)}
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    for label, part in run(args.pods, args.top).items():
        print(f"\n{label}: {part['seconds_profiled']} s under the profiler")
        for row in part["hot"]:
            print(f"  {row['share']:6.1%} {row['own_s']:8.3f} s {row['calls']:>9}  {row['function']}")


if __name__ == "__main__":
    main()
