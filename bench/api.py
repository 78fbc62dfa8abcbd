"""The cluster's API as other clients see it: the real kubectl's round trip, and how soon a
watch hears of a write.

- ``get pods`` by the reference kubectl v1.35.2 against a cluster process's TLS port (the
  kubeconfig the daemon writes: the profile's address through the ``proxy-url`` tunnel,
  a client certificate), next to that same binary's ``version --client``, which talks to
  no server: their ratio is what the API adds to a command. ``get pods`` runs with the
  discovery cache a session keeps in ~/.kube/cache (warm), and with a fresh one each time
  (cold: the session's first command).
- A watch on pods open over TLS; a pod is created with a POST; the time from sending the
  POST to reading its ADDED event.
"""
from __future__ import annotations

import http.client
import json
import os
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from bench.stats import summary_ms


def _daemon(tmp: Path):
    from sim.api import kubeconfig, listener
    from sim.cluster import Cluster

    cluster = Cluster("default", seed=1)
    server = listener.start(cluster, secure=True)
    with cluster.lock:
        text = kubeconfig.render(cluster, server.server_address[1])
    (tmp / "config").write_text(text)
    return cluster, server


def _kubectl_times(kubectl: str, tmp: Path, args: list[str], repeat: int,
                   fresh_cache: bool = False) -> list[float]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "KUBECONFIG": str(tmp / "config"),
           "KUBECTL_KUBERC": "false"}
    times = []
    for i in range(repeat):
        cache = tmp / (f"cache-{len(args)}-{i}" if fresh_cache else "cache")
        begin = time.perf_counter()
        done = subprocess.run([kubectl, "--cache-dir", str(cache), *args], env=env,
                              capture_output=True, text=True, timeout=60)
        times.append(time.perf_counter() - begin)
        if done.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(args)}: {done.stderr.strip()}")
    return times


def _tls(cluster, server, tmp: Path) -> tuple[ssl.SSLContext, int]:
    import base64

    import yaml

    config = yaml.safe_load((tmp / "config").read_text())
    user = config["users"][0]["user"]
    for name, key in (("ca.crt", None), ("client.crt", "client-certificate-data"),
                      ("client.key", "client-key-data")):
        data = config["clusters"][0]["cluster"]["certificate-authority-data"] if key is None \
            else user[key]
        (tmp / name).write_bytes(base64.b64decode(data))
    context = ssl.create_default_context(cafile=str(tmp / "ca.crt"))
    context.load_cert_chain(str(tmp / "client.crt"), str(tmp / "client.key"))
    return context, server.server_address[1]


def _watch_latency(cluster, server, tmp: Path, count: int) -> list[float]:
    context, port = _tls(cluster, server, tmp)
    seen: dict[str, float] = {}
    ready = threading.Event()

    def read() -> None:
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=60)
        conn.request("GET", "/api/v1/namespaces/default/pods?watch=true&resourceVersion=0"
                            "&timeoutSeconds=290")
        response = conn.getresponse()
        ready.set()
        while len(seen) < count:
            line = response.readline()
            if not line:
                return
            event = json.loads(line)
            name = event["object"]["metadata"]["name"]
            if event["type"] == "ADDED" and name.startswith("bench-") and name not in seen:
                seen[name] = time.perf_counter()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    ready.wait(10)
    time.sleep(0.2)
    writer = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=60)
    sent: dict[str, float] = {}
    for i in range(count):
        name = f"bench-{i}"
        body = json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                           "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
        sent[name] = time.perf_counter()
        writer.request("POST", "/api/v1/namespaces/default/pods", body,
                       {"Content-Type": "application/json"})
        writer.getresponse().read()
        deadline = time.perf_counter() + 5
        while name not in seen and time.perf_counter() < deadline:
            time.sleep(0.001)
    reader.join(5)
    return [seen[n] - sent[n] for n in sent if n in seen]


def run(repeat: int = 15, watches: int = 30) -> dict:
    from sim import reference

    kubectl = str(reference.ensure())
    with tempfile.TemporaryDirectory(prefix="bench-api-") as name:
        tmp = Path(name)
        cluster, server = _daemon(tmp)
        try:
            _kubectl_times(kubectl, tmp, ["get", "pods"], 1)       # the disk cache, discovery
            client = _kubectl_times(kubectl, tmp, ["version", "--client"], repeat)
            get = _kubectl_times(kubectl, tmp, ["get", "pods", "-A"], repeat)
            cold = _kubectl_times(kubectl, tmp, ["get", "pods", "-A"], repeat, fresh_cache=True)
            watch = _watch_latency(cluster, server, tmp, watches)
        finally:
            server.close()
    client_s, get_s, cold_s = summary_ms(client), summary_ms(get), summary_ms(cold)
    return {"kubectl_version_client": client_s, "kubectl_get_pods": get_s,
            "kubectl_get_pods_cold": cold_s,
            "get_over_client": round(get_s["median_ms"] / client_s["median_ms"], 2),
            "cold_get_over_client": round(cold_s["median_ms"] / client_s["median_ms"], 2),
            "watch_event": summary_ms(watch), "watch_events_seen": len(watch),
            "cores": os.cpu_count()}
