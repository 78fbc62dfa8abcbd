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
  slices up to date (``endpointslices_after_scale``).

Sizes under 100,000 pods run three times (each figure: the median of its CPU times; the
machine is shared). Growth: for each figure, the time at one size over the time at the
size before; linear growth is the ratio of the sizes (×10), the target is at most ×12.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def manifest(replicas: int) -> str:
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n"
        f"  replicas: {replicas}\n  selector: {{matchLabels: {{app: big}}}}\n"
        "  template:\n    metadata: {labels: {app: big}}\n"
        "    spec: {containers: [{name: c, image: 'nginx:1.27', ports: [{containerPort: 80}]}]}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: big}\n"
        "spec: {selector: {app: big}, ports: [{port: 80, targetPort: 80}]}\n")


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


class _Timed:
    """Wraps a controller's sync and sums its wall time."""

    def __init__(self, controller):
        self.controller = controller
        self.seconds = self.cpu = 0.0
        self.name, self.watches = controller.name, controller.watches
        self.periodic = getattr(controller, "periodic", False)

    def __getattr__(self, name):
        return getattr(self.controller, name)

    def sync(self, cluster):
        begin, cpu = time.perf_counter(), time.process_time()
        try:
            return self.controller.sync(cluster)
        finally:
            self.seconds += time.perf_counter() - begin
            self.cpu += time.process_time() - cpu


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
        timed = _Timed(slices)
        cluster.controllers[cluster.controllers.index(slices)] = timed
        target = pods + pods // 10
        with _Clock() as span:
            call(cluster, ["kubectl", "scale", "deployment", "big", f"--replicas={target}"], tmp)
            until_ready(cluster, target)
        record("scale", [span])
        out["endpointslices_after_scale"] = {"wall_s": round(timed.seconds, 6),
                                             "cpu_s": round(timed.cpu, 6)}
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
    """Each size in ``runs`` fresh processes (the figures: medians), but 100,000 pods and
    more once (minutes each)."""
    results = [median_run([run_size(n, repeat) for _ in range(runs if n < 100000 else 1)])
               for n in sizes]
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
