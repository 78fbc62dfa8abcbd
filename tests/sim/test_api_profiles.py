"""Profiles as data, the tool registry, and the cluster's time controls."""

import re

import pytest

from sim import tools
from sim.cluster import Cluster
from sim.controllers.profiles import known_profiles, load_profile


def test_known_profiles_and_inheritance():
    assert {"default", "gke", "aws", "addons"} <= set(known_profiles())
    assert "_base" not in known_profiles()
    addons = load_profile("addons")
    assert addons["vars"]["dns_display_name"] == "KubeDNS"
    assert addons["network"]["service_cidr"] == "10.96.0.0/12"  # from _base through default
    assert len(addons["extra_objects"]) >= 8
    first, second = load_profile("default"), load_profile("default")
    first["nodes"].append({"name": "x"})
    assert len(second["nodes"]) == 2  # each load is a fresh copy


def test_addons_are_cluster_services_named_by_label():
    cluster = Cluster("addons", workloads=False)
    named = {s["metadata"]["name"]: s["metadata"]["labels"].get("kubernetes.io/name")
             for s in cluster.store.list("services", "kube-system",
                                         "kubernetes.io/cluster-service=true")}
    assert named == {"elasticsearch-logging": "Elasticsearch", "kibana-logging": "Kibana",
                     "kube-dns": "KubeDNS", "monitoring-grafana": "Grafana",
                     "monitoring-heapster": "Heapster"}
    for name in named:
        ep = cluster.store.get("endpoints", "kube-system", name)
        assert ep["subsets"][0]["addresses"], name


def test_aws_nodes_are_named_by_address():
    cluster = Cluster("aws", workloads=False)
    for node in cluster.store.list("nodes"):
        internal = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
        assert node["metadata"]["name"] == f"ip-{internal.replace('.', '-')}.us-east-1.compute.internal"
    assert cluster.store.get("services", "kube-system", "kube-dns")["spec"]["clusterIP"] == "10.100.0.10"


def test_control_plane_static_pods_and_kube_proxy():
    cluster = Cluster("default", workloads=False)
    pods = {p["metadata"]["name"]: p for p in cluster.store.list("pods", "kube-system")}
    for component in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        pod = pods[f"{component}-k8s-control-plane"]
        assert pod["status"]["podIP"] == "192.168.56.10"
        assert pod["metadata"]["ownerReferences"][0]["kind"] == "Node"
        assert pod["spec"]["priority"] == 2000001000
        assert "serviceAccountName" not in pod["spec"]
    proxies = [p for n, p in pods.items() if re.fullmatch(r"kube-proxy-[a-z0-9]{5}", n)]
    assert sorted(p["spec"]["nodeName"] for p in proxies) == [
        "k8s-control-plane", "k8s-worker-1", "k8s-worker-2"]
    assert all(p["status"]["podIP"] == p["status"]["hostIP"] for p in proxies)


def test_tool_registry():
    assert tools.TOOLS["kubectl"] == "sim.kubectl.main:main"
    assert tools.lookup("no-such-tool") is None
    tools.register("broken-tool", "no_such_module_here:main")
    try:
        fn = tools.lookup("broken-tool")

        class IO:
            err = ""

            def write_err(self, text):
                IO.err += text

        assert fn(None, ["broken-tool"], IO()) == 127
        assert IO.err.startswith("broken-tool: not available")
    finally:
        tools.TOOLS.pop("broken-tool", None)


def test_clock_moves_only_when_told(make_deployment):
    cluster = Cluster("default", workloads=False)
    start = cluster.clock.now()
    assert cluster.clock.timestamp() == "2026-01-01T09:00:00Z"
    cluster.reconcile()
    assert cluster.clock.now() == start
    cluster.tick()
    step = (cluster.clock.now() - start).total_seconds()
    assert 2.0 <= step <= 5.0
    cluster.store.create(make_deployment("web", replicas=1))
    assert cluster.wait_until(lambda: bool(cluster.store.list("pods", "default", "app=web")) and
                              cluster.store.list("pods", "default", "app=web")[0]["status"]["phase"] == "Running",
                              timeout=10)
    assert (cluster.clock.now() - start).total_seconds() < step + 3


def test_same_seed_same_names_other_seed_other_names(make_deployment):
    def names(seed):
        cluster = Cluster("gke", seed=seed, workloads=False)
        cluster.store.create(make_deployment("web", replicas=2))
        cluster.tick()
        return ([n["metadata"]["name"] for n in cluster.store.list("nodes")] +
                [p["metadata"]["name"] for p in cluster.store.list("pods", "default")])
    assert names(3) == names(3)
    assert names(3) != names(4)


def test_profile_dict_can_be_given_directly():
    profile = load_profile("default")
    profile["nodes"] = [{"name": "solo-{i}", "count": 1}]
    cluster = Cluster(profile, workloads=False)
    assert [n["metadata"]["name"] for n in cluster.store.list("nodes")] == ["solo-1"]
    with pytest.raises(ValueError):
        load_profile("../etc/passwd")


def test_environment_describes_a_profile_by_name_and_emulated_version():
    from sim.controllers.profiles import load_profile
    from sim.environment import SimEnvironment

    environment = SimEnvironment()
    for name in ("default", "gke", "aws"):
        assert environment.describe(name) == f"{name} · Kubernetes {load_profile(name)['version']}"
    assert environment.describe(None) == environment.describe("default")


def test_the_daemon_starts_from_the_copy_of_sim_that_prepared_it(tmp_path):
    """A copy of the project verifies against its own sim, whatever the interpreter's
    path finds first (an editable install pointing at another checkout, say)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import sim

    copy = tmp_path / "copy"
    shutil.copytree(Path(sim.__file__).parent, copy / "sim",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "sim" / "daemon.py").write_text("def main():\n    print('this copy')\n    return 0\n")
    (tmp_path / "state").mkdir()
    prepared = subprocess.run(
        [sys.executable, "-c",
         "import sys; sys.path.insert(0, sys.argv[1]); from sim.environment import SimEnvironment; "
         "from pathlib import Path; print(repr(SimEnvironment().prepare(Path(sys.argv[2]), "
         "Path(sys.argv[2]), None).start))", str(copy), str(tmp_path / "state")],
        capture_output=True, text=True, check=True)
    start = eval(prepared.stdout)  # a list of strings printed by repr
    ran = subprocess.run(start, cwd="/", capture_output=True, text=True)
    assert ran.stdout.strip() == "this copy", ran.stderr
