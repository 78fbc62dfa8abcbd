"""The simulated cluster at scale: a Deployment of N replicas behind one Service.

For each N a fresh cluster process gets enough extra workers (110 pods a node, as a
kubelet allows by default), then through the kubectl shim, as a page's commands would:
``kubectl apply`` of the Deployment and Service (the controllers create and schedule the
pods before the call returns), virtual time to let every pod start, then ``kubectl get
pods``, ``kubectl get endpoints`` and ``kubectl describe svc``, each several times.
"""

from __future__ import annotations

import math
import subprocess
import tempfile
import time
from pathlib import Path

from bench.sim_roundtrip import _session
from bench.stats import summary_ms

TOOLS = {"bench-nodes": "bench.simtools:add_nodes", "bench-settle": "bench.simtools:settle"}
COMMANDS = {
    "get pods": ["kubectl", "get", "pods"],
    "get endpoints": ["kubectl", "get", "endpoints", "big"],
    "describe svc": ["kubectl", "describe", "svc", "big"],
}


def manifest(replicas: int) -> str:
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n"
        f"  replicas: {replicas}\n  selector: {{matchLabels: {{app: big}}}}\n"
        "  template:\n    metadata: {labels: {app: big}}\n"
        "    spec: {containers: [{name: c, image: 'nginx:1.27', ports: [{containerPort: 80}]}]}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: big}\n"
        "spec: {selector: {app: big}, ports: [{port: 80, targetPort: 80}]}\n")


def _call(argv: list[str], env: dict, cwd: Path) -> tuple[float, str]:
    begin = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - begin, done.stdout


def _time_calls(argv: list[str], env: dict, cwd: Path, n: int) -> list[float]:
    """Like sim_roundtrip's, with stderr (kubectl's deprecation warnings) left out."""
    out = []
    for _ in range(n):
        begin = time.perf_counter()
        subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        out.append(time.perf_counter() - begin)
    return out


def one_size(replicas: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        spec, env, work = _session(Path(tmp), extra_tools=TOOLS)
        try:
            _call(["bench-nodes", str(math.ceil(replicas / 110) + 1)], env, work)
            (work / "big.yaml").write_text(manifest(replicas))
            apply_s, _ = _call(["kubectl", "apply", "-f", "big.yaml"], env, work)
            _, settled = _call(["bench-settle", "120"], env, work)
            counts = dict(part.split("=") for part in settled.split())
            result = {"replicas": replicas, "pods": int(counts.get("pods", 0)),
                      "running": int(counts.get("running", 0)),
                      "apply": summary_ms([apply_s])}
            _, lines = _call(["kubectl", "get", "pods", "--no-headers"], env, work)
            result["get_pods_lines"] = len(lines.splitlines())
            for label, argv in COMMANDS.items():
                _time_calls(argv, env, work, 1)
                result[label.replace(" ", "_")] = summary_ms(_time_calls(argv, env, work, repeat))
            unchanged = _time_calls(["kubectl", "apply", "-f", "big.yaml"], env, work, repeat)
            result["apply_unchanged"] = summary_ms(unchanged)
            return result
        finally:
            subprocess.run(spec.stop, env=env, check=False)


def growth(sizes: list[dict]) -> dict:
    """For each command, time at one size over time at the size before (linear: the
    ratio of the sizes)."""
    out: dict = {}
    for key in ("apply", "get_pods", "get_endpoints", "describe_svc", "apply_unchanged"):
        steps = []
        for before, after in zip(sizes, sizes[1:]):
            a, b = before[key]["median_ms"], after[key]["median_ms"]
            steps.append({"from": before["replicas"], "to": after["replicas"],
                          "size_ratio": round(after["replicas"] / before["replicas"], 2),
                          "time_ratio": round(b / a, 2) if a else None})
        out[key] = steps
    return out


def run(sizes: tuple[int, ...] = (100, 1000, 10000), repeat: int = 5) -> dict:
    results = [one_size(n, repeat) for n in sizes]
    return {"sizes": results, "growth": growth(results)}
