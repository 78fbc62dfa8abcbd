"""The simulated cluster from 100 to 100,000 pods: the growth curve of the `large` profile.

    python -m bench.sim_large [--sizes 100,1000,10000,100000] [--repeat N]
    python -m bench.sim_large --one N        # one size, as JSON (what each size runs in)

Each size runs in a fresh process (its resident memory is the cluster's): a cluster of the
`large` profile's shape with one worker per 100 pods (at least 2, at most the profile's 999,
so 100,000 pods run on its 1,000 nodes), then, as the cluster process serves our kubectl
(a tick before each call, the tool, a reconcile after it):

- ``kubectl apply`` of a Deployment of N replicas and a Service over them, then virtual
  time until every pod is Running and Ready (``create_running``);
- ``kubectl get pods`` and ``kubectl get pods -o json`` (the output written in full);
- ``kubectl scale`` by +10 %, then virtual time until the new pods run (``scale``);
- within that scale, the time the EndpointSlice controller spent bringing the Service's
  slices up to date (``endpointslices_after_scale``; the cyclic collector's pauses that
  fell within it are left out and counted apart, ``gc_cpu_s``: at a few milliseconds, one
  such pause would be most of the figure).

Every size runs three times, the sizes in turn round after round (each figure: the median
of its CPU times; the machine is shared, and its speed drifts over minutes). Growth: for each figure, the time at one size over the time at the
size before; linear growth is the ratio of the sizes (×10), the target is at most ×12.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.sim_scale import manifest

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("create_running", "get_pods", "get_pods_json", "scale", "endpointslices_after_scale")
#: the growth target: each ×10 in pods costs at most this factor in time
GROWTH_LIMIT = 12.0


class _IO:
    """The least a tool needs: output counted (and kept when asked), no terminal."""

    def __init__(self, cwd: str, keep: bool = False):
        self.cwd, self.env = cwd, {}
        self.stdin_is_tty = self.stdout_is_tty = False
        self.keep = keep
        self.out: list[str] = []
        self.bytes = 0

    def write_out(self, data) -> None:
        self.bytes += len(data)
        if self.keep:
            self.out.append(data if isinstance(data, str) else data.decode())

    def write_err(self, data) -> None:
        pass

    def read_stdin(self) -> bytes:
        return b""

    def closed(self) -> bool:
        return False


def workers_for(pods: int) -> int:
    return max(2, min(999, math.ceil(pods / 100)))


def make_cluster(pods: int):
    from sim.cluster import Cluster
    from sim.controllers.profiles import load_profile

    profile = load_profile("large")
    profile["nodes"][1]["count"] = workers_for(pods)
    return Cluster(profile)


def call(cluster, argv: list[str], workdir: str, keep: bool = False) -> _IO:
    """One tool call as the daemon serves it: tick, the tool, reconcile."""
    from sim import tools

    io = _IO(workdir, keep)
    with cluster.lock:
        cluster.tick()
    code = tools.lookup(argv[0])(cluster, argv, io)
    if code:
        raise RuntimeError(f"{' '.join(argv)} exited {code}")
    with cluster.lock:
        cluster.reconcile()
    return io


def until_ready(cluster, replicas: int, limit: float = 600.0) -> None:
    """Virtual time in 1 s steps until the Deployment has ``replicas`` ready pods."""
    def ready() -> bool:
        d = cluster.store.get("deployments", "default", "big")
        status = d.get("status") or {}
        return status.get("readyReplicas") == replicas and status.get("replicas") == replicas

    if not cluster.wait_until(ready, timeout=limit, step=1.0):
        raise RuntimeError(f"not {replicas} ready pods after {limit} virtual seconds")


class _Collector:
    """CPU seconds spent in Python's cyclic garbage collector (gc.callbacks)."""

    def __init__(self):
        self.cpu = 0.0
        self._start = None
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.process_time()
        elif self._start is not None:
            self.cpu += time.process_time() - self._start
            self._start = None

    def close(self) -> None:
        gc.callbacks.remove(self._callback)


class _Timed:
    """Wraps a controller's sync and sums its wall and CPU time, and the CPU time of the
    collections of cyclic garbage that fell within it (a pause of the whole process, which
    whatever allocates at that moment happens to pay)."""

    def __init__(self, controller, collector: _Collector):
        self.controller = controller
        self.collector = collector
        self.seconds = self.cpu = self.gc = 0.0
        self.name, self.watches = controller.name, controller.watches
        self.periodic = getattr(controller, "periodic", False)

    def __getattr__(self, name):
        return getattr(self.controller, name)

    def sync(self, cluster):
        begin, cpu, gc_cpu = time.perf_counter(), time.process_time(), self.collector.cpu
        try:
            return self.controller.sync(cluster)
        finally:
            self.seconds += time.perf_counter() - begin
            self.cpu += time.process_time() - cpu
            self.gc += self.collector.cpu - gc_cpu


class _Clock:
    """Wall and CPU seconds of a span: the CPU time of the cluster process is what the
    growth is judged on (the wall time on a shared machine counts the neighbours' work)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def one_size(pods: int, repeat: int = 3) -> dict:
    from sim.cluster import tune_gc

    tune_gc()   # as the cluster process does
    with tempfile.TemporaryDirectory(prefix="bench-large-") as tmp:
        (Path(tmp) / "big.yaml").write_text(manifest(pods))
        with _Clock() as start:
            cluster = make_cluster(pods)
        out: dict = {"pods": pods, "nodes": cluster.store.count("nodes"),
                     "cluster_start": {"wall_s": round(start.wall, 6), "cpu_s": round(start.cpu, 6)}}

        def record(label: str, clocks: list) -> None:
            clocks.sort(key=lambda c: c.cpu)
            mid = clocks[len(clocks) // 2]
            out[label] = {"wall_s": round(mid.wall, 6), "cpu_s": round(mid.cpu, 6)}

        with _Clock() as span:
            call(cluster, ["kubectl", "apply", "-f", "big.yaml"], tmp)
            until_ready(cluster, pods)
        record("create_running", [span])
        for label, argv in (("get_pods", ["kubectl", "get", "pods"]),
                            ("get_pods_json", ["kubectl", "get", "pods", "-o", "json"])):
            clocks = []
            for _ in range(repeat):
                with _Clock() as span:
                    io = call(cluster, argv, tmp)
                clocks.append(span)
            record(label, clocks)
            out[label]["bytes"] = io.bytes
        slices = next(c for c in cluster.controllers if c.name == "endpointslice")
        collector = _Collector()
        timed = _Timed(slices, collector)
        cluster.controllers[cluster.controllers.index(slices)] = timed
        target = pods + pods // 10
        with _Clock() as span:
            call(cluster, ["kubectl", "scale", "deployment", "big", f"--replicas={target}"], tmp)
            until_ready(cluster, target)
        collector.close()
        record("scale", [span])
        out["scale"]["gc_cpu_s"] = round(collector.cpu, 6)
        # the controller's own work: the collector's pauses that fell within it left out
        # (they are in the scale's figure, and in gc_cpu_s)
        out["endpointslices_after_scale"] = {
            "wall_s": round(max(0.0, timed.seconds - timed.gc), 6),
            "cpu_s": round(max(0.0, timed.cpu - timed.gc), 6),
            "gc_cpu_s": round(timed.gc, 6)}
        out["endpoints_in_slices"] = sum(len(s.get("endpoints") or []) for s in cluster.store.list(
            "endpointslices", "default", "kubernetes.io/service-name=big"))
        out["running"] = sum(1 for p in cluster.store.list("pods", "default")
                             if (p.get("status") or {}).get("phase") == "Running")
        out["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        out["rss_kib_per_pod"] = round(out["max_rss_mib"] * 1024 / target, 1)
        return out


def growth(sizes: list[dict]) -> dict:
    out: dict = {}
    for key in FIGURES:
        steps = []
        for before, after in zip(sizes, sizes[1:]):
            a, b = before[key]["cpu_s"], after[key]["cpu_s"]
            wa, wb = before[key]["wall_s"], after[key]["wall_s"]
            steps.append({"from": before["pods"], "to": after["pods"],
                          "size_ratio": round(after["pods"] / before["pods"], 2),
                          "time_ratio": round(b / a, 2) if a else None,
                          "wall_ratio": round(wb / wa, 2) if wa else None})
        out[key] = steps
    return out


def run_size(pods: int, repeat: int) -> dict:
    """One size in a fresh interpreter (so its memory is its own)."""
    done = subprocess.run([sys.executable, "-m", "bench.sim_large", "--one", str(pods),
                           "--repeat", str(repeat)], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def median_run(runs: list[dict]) -> dict:
    """Several runs of one size as one: for each figure the run with the median CPU time."""
    out = dict(runs[0])
    for key in FIGURES:
        ordered = sorted((r[key] for r in runs), key=lambda f: f["cpu_s"])
        out[key] = ordered[len(ordered) // 2]
    out["max_rss_mib"] = max(r["max_rss_mib"] for r in runs)
    out["rss_kib_per_pod"] = max(r["rss_kib_per_pod"] for r in runs)
    out["runs"] = len(runs)
    return out


def run(sizes: tuple[int, ...] = (100, 1000, 10000, 100000), repeat: int = 3,
        runs: int = 3) -> dict:
    """Each size in ``runs`` fresh processes, the sizes taken in turn round after round (so
    a slower spell of the shared machine falls on every size alike, not on one), each
    figure the median of its runs."""
    done: dict[int, list[dict]] = {n: [] for n in sizes}
    for _ in range(runs):
        for n in sizes:
            done[n].append(run_size(n, repeat))
    results = [median_run(done[n]) for n in sizes]
    return {"sizes": results, "growth": growth(results), "growth_limit": GROWTH_LIMIT}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sim_large",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", type=int, default=None, help="one size, printed as JSON")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.one is not None:
        print(json.dumps(one_size(args.one, args.repeat)))
        return 0
    print(json.dumps(run(tuple(int(s) for s in args.sizes.split(",")), args.repeat), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
