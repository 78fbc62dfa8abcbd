"""Benchmark of the simulated cluster (not a test): run it and read the numbers.

    .venv/bin/python bench/sim_roundtrip.py [--calls N] [--pods N]

1. The client round trip: a session's daemon is started and `kubectl get svc` and a
   trivial tool are called N times through the shim (median, p95).
2. Scale: 10,000 pods in one namespace: store list, a full reconcile after a tick, and
   `kubectl get pods` through the shim.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TRIVIAL_TOOL = "def noop(cluster, argv, io):\n    return 0\n"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _report(label: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"{label:<38} median {statistics.median(ms):7.1f} ms   p95 {_percentile(ms, 0.95):7.1f} ms"
          f"   (n={len(ms)})")


def _session(tmp: Path, profile: str = "default", extra_tools: dict[str, str] | None = None):
    """A started cluster process with the sim-noop tool (and ``extra_tools``: name ->
    "module:function", importable from this project) on PATH."""
    from sim.environment import SimEnvironment

    state, work = tmp / "state", tmp / "work"
    state.mkdir()
    work.mkdir()
    (tmp / "benchtools.py").write_text(TRIVIAL_TOOL)
    spec = SimEnvironment().prepare(work, state, profile)
    tools = {"sim-noop": "benchtools:noop", **(extra_tools or {})}
    for name in tools:
        shim = state / "bin" / name
        shim.write_text((state / "bin" / "kubectl").read_text())
        shim.chmod(0o755)
    env = dict(os.environ)
    env.update(spec.env)
    env["PATH"] = spec.env["PATH"] + os.pathsep + os.environ.get("PATH", "")
    env["SIM_TOOLS_EXTRA"] = ",".join(f"{name}={target}" for name, target in tools.items())
    env["PYTHONPATH"] = os.pathsep.join([str(tmp), str(ROOT)])
    subprocess.run(spec.start, cwd=work, env=env, check=True)
    return spec, env, work


def _time_calls(argv: list[str], env: dict, cwd: Path, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, check=False)
        out.append(time.perf_counter() - start)
    return out


def roundtrip(calls: int, quiet: bool = False) -> dict[str, list[float]]:
    """Seconds per call of a tool that does nothing and of `kubectl get svc`."""
    with tempfile.TemporaryDirectory() as tmp:
        spec, env, work = _session(Path(tmp))
        try:
            _time_calls(["kubectl", "get", "svc"], env, work, 3)  # warm caches
            times = {"trivial tool call (sim-noop)": _time_calls(["sim-noop"], env, work, calls),
                     "kubectl get svc": _time_calls(["kubectl", "get", "svc"], env, work, calls)}
            if not quiet:
                for label, values in times.items():
                    _report(label, values)
            return times
        finally:
            subprocess.run(spec.stop, env=env, check=False)


def scale(pods: int) -> None:
    from sim.api.objects import clone
    from sim.cluster import Cluster

    from sim.controllers.profiles import load_profile

    profile = load_profile("default")
    # enough workers for the pods (110 a node, as kubelets allow by default)
    profile["nodes"] = [profile["nodes"][0], {"name": "k8s-worker-{i}", "count": pods // 100 + 1}]
    cluster = Cluster(profile, workloads=False)
    start = time.perf_counter()
    cluster.store.create({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "big"},
        "spec": {"replicas": pods, "selector": {"matchLabels": {"app": "big"}},
                 "template": {"metadata": {"labels": {"app": "big"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}})
    cluster.run_for(10)
    print(f"{'create + start ' + str(pods) + ' pods (deployment)':<38} {time.perf_counter() - start:7.2f} s")
    ready = sum(1 for p in cluster.store.list("pods", "default")
                if p.get("status", {}).get("phase") == "Running")
    print(f"{'running pods':<38} {ready}")
    timings = []
    for _ in range(5):
        t = time.perf_counter()
        items = cluster.store.list("pods", "default")
        timings.append(time.perf_counter() - t)
    _report(f"store.list pods ({len(items)})", timings)
    timings = []
    for _ in range(5):
        t = time.perf_counter()
        cluster.store.list("pods", "default", "app=big")
        timings.append(time.perf_counter() - t)
    _report("store.list pods -l app=big", timings)
    timings = []
    for _ in range(5):
        t = time.perf_counter()
        cluster.tick()
        timings.append(time.perf_counter() - t)
    _report("tick + reconcile (steady state)", timings)
    pod = clone(cluster.store.list("pods", "default")[0])
    pod["metadata"]["labels"]["touched"] = "yes"
    t = time.perf_counter()
    cluster.store.update(pod)
    cluster.reconcile()
    _report("one pod changed + reconcile", [time.perf_counter() - t])
    t = time.perf_counter()
    cluster.store.patch("deployments", "default", "big", {"spec": {"replicas": pods // 2}})
    cluster.run_for(5)
    _report(f"scale down to {pods // 2} + settle", [time.perf_counter() - t])


def get_pods_through_client(pods: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        spec, env, work = _session(Path(tmp))
        try:
            manifest = Path(tmp) / "big.yaml"
            manifest.write_text(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n"
                f"  replicas: {pods}\n  selector: {{matchLabels: {{app: big}}}}\n"
                "  template:\n    metadata: {labels: {app: big}}\n"
                "    spec: {containers: [{name: c, image: 'nginx:1.27'}]}\n")
            subprocess.run(["kubectl", "apply", "-f", str(manifest)], env=env, cwd=work,
                           stdout=subprocess.DEVNULL, check=False)
            _time_calls(["kubectl", "get", "pods"], env, work, 1)
            _report(f"kubectl get pods ({pods} pods)", _time_calls(["kubectl", "get", "pods"], env, work, 5))
        finally:
            subprocess.run(spec.stop, env=env, check=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--pods", type=int, default=10000)
    args = parser.parse_args()
    roundtrip(args.calls)
    scale(args.pods)
    get_pods_through_client(args.pods)


if __name__ == "__main__":
    main()
