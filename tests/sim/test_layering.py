"""One path from any client to the store: our kubectl is a client of the API
(sim/api/client.py → sim/api/server.handle), and the layers import downwards only.

The structural checks read the sources' imports with ``ast``; the behavioural ones watch
the requests that our kubectl's commands make."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sim.api import client as client_module
from sim.api.client import Client, path_of
from sim.api.errors import ApiError
from sim.cluster import Cluster
from sim.kubectl.main import main as our_kubectl
from tests.sim.kubectl.fakeio import FakeIO

ROOT = Path(__file__).resolve().parents[2]


def _modules(folder: str) -> dict[str, Path]:
    out = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path) -> set[str]:
    """Every module name an import in ``path`` names (relative ones resolved)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def _within(imported: str, prefix: str) -> bool:
    return imported == prefix or imported.startswith(prefix + ".")


@pytest.mark.parametrize("folder,forbidden", [
    ("sim/kubectl", ("sim.api.store", "sim.controllers", "sim.cluster", "sim.daemon")),
    ("sim/printers", ("sim.api", "sim.kubectl", "sim.controllers", "sim.cluster", "sim.net",
                      "sim.workloads")),
    ("sim/controllers", ("sim.cluster", "sim.kubectl", "sim.daemon")),
    ("sim/api", ("sim.kubectl", "sim.controllers", "sim.cluster", "sim.daemon")),
])
def test_a_layer_imports_nothing_above_it(folder, forbidden):
    wrong = [(name, imported) for name, path in _modules(folder).items()
             for imported in _imports(name, path)
             if any(_within(imported, f) for f in forbidden)]
    assert wrong == []


def test_our_kubectl_never_touches_the_store():
    """No ``.store`` attribute anywhere in sim/kubectl: reads and writes go through ctx.api."""
    touches = [(str(path.relative_to(ROOT)), node.lineno)
               for path in (ROOT / "sim/kubectl").rglob("*.py")
               for node in ast.walk(ast.parse(path.read_text()))
               if isinstance(node, ast.Attribute) and node.attr == "store"]
    assert touches == []


def test_no_import_circles_in_the_cluster_s_layers():
    modules = {}
    for folder in ("sim/api", "sim/kubectl", "sim/printers", "sim/controllers"):
        modules.update(_modules(folder))
    modules["sim.cluster"] = ROOT / "sim/cluster.py"
    edges = {name: {i for i in _imports(name, path) if i in modules and i != name
                    and not name.startswith(i + ".")}      # a package's own __init__
             for name, path in modules.items()}
    # Tarjan's strongly connected components
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in modules:
        if v not in index:
            visit(v)
    assert circles == []


@pytest.fixture
def recorded(monkeypatch):
    """A cluster, and the (method, target) of every request our kubectl sends it."""
    cluster = Cluster("default", seed=3, workloads=False)
    seen: list[tuple[str, str]] = []
    real_handle = client_module.handle

    def handle(c, request):
        seen.append((request.method, request.target))
        return real_handle(c, request)

    monkeypatch.setattr(client_module, "handle", handle)
    return cluster, seen


def _kubectl(cluster, *args: str) -> tuple[int, str, str]:
    io = FakeIO(cwd="/")
    code = our_kubectl(cluster, list(args), io)
    return code, "".join(io.out), "".join(io.errs)


def test_our_kubectl_s_reads_and_writes_are_requests(recorded):
    cluster, seen = recorded
    assert _kubectl(cluster, "create", "deployment", "web", "--image=nginx")[0] == 0
    assert ("POST", "/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict") in seen
    seen.clear()
    code, out, _ = _kubectl(cluster, "get", "pods", "-n", "kube-system", "-l", "k8s-app=kube-dns")
    assert code == 0 and "coredns" in out
    # as the real kubectl asks: in chunks of 500
    assert seen == [("GET", "/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns"
                            "&limit=500")]
    seen.clear()
    assert _kubectl(cluster, "delete", "deployment", "web")[0] == 0
    assert ("DELETE", "/apis/apps/v1/namespaces/default/deployments/web"
                      "?propagationPolicy=Background") in seen


def test_a_server_side_apply_is_an_apply_patch(recorded, tmp_path):
    cluster, seen = recorded
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
                                      "data:\n  a: '1'\n")
    io = FakeIO(cwd=str(tmp_path))
    assert our_kubectl(cluster, ["apply", "--server-side", "-f", "cm.yaml"], io) == 0
    assert "".join(io.out) == "configmap/c serverside-applied\n"
    assert any(m == "PATCH" and t.startswith("/api/v1/namespaces/default/configmaps/c?")
               and "fieldManager=kubectl" in t for m, t in seen)
    assert cluster.store.get("configmaps", "default", "c")["data"] == {"a": "1"}


def test_the_client_raises_the_status_the_server_answered():
    cluster = Cluster("default", seed=3, workloads=False)
    api = Client(cluster)
    assert api.find("pods", "default", "nothing") is None
    with pytest.raises(ApiError) as missing:
        api.get("pods", "default", "nothing")
    assert (missing.value.code, missing.value.reason) == (404, "NotFound")
    assert missing.value.kubectl_text() == 'Error from server (NotFound): pods "nothing" not found'
    bad = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "Bad_Name"},
           "spec": {"ports": [{"port": 80}]}}
    with pytest.raises(ApiError) as invalid:
        api.create(bad)
    assert invalid.value.code == 422 and invalid.value.details["causes"]
    assert invalid.value.kubectl_text().startswith('The Service "Bad_Name" is invalid: ')
    with pytest.raises(ApiError) as no_manager:
        api.patch("configmaps", "default", "x", {"data": {}}, "apply")
    assert no_manager.value.code == 422 and "fieldManager" in no_manager.value.message


def test_the_client_lists_with_parsed_selectors_too():
    from sim.api.selectors import parse_label_selector

    cluster = Cluster("default", seed=3, workloads=False)
    api = Client(cluster)
    text = api.list("pods", "kube-system", label_selector="k8s-app=kube-dns")
    parsed = api.list("pods", "kube-system", label_selector=parse_label_selector("k8s-app=kube-dns"))
    assert text == parsed and len(text) == len(cluster.store.list("pods", "kube-system",
                                                                  "k8s-app=kube-dns")) > 0


def test_paths_name_group_version_namespace_and_subresource():
    cluster = Cluster("default", seed=3, workloads=False)
    deployments = cluster.resources.get("deployments", "apps")
    nodes = cluster.resources.get("nodes")
    assert path_of(deployments, "ns", "web", "scale") == "/apis/apps/v1/namespaces/ns/deployments/web/scale"
    assert path_of(deployments) == "/apis/apps/v1/deployments"
    assert path_of(nodes, "ignored", "n1") == "/api/v1/nodes/n1"
