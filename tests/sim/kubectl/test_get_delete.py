"""get, describe and delete over a known state: kinds, separators, NotFound, namespaces."""

from __future__ import annotations

import pytest

from tests.sim.kubectl.conftest import run_sim


def svc(name, ns="default", labels=None):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {},
                         "creationTimestamp": "2026-01-01T09:00:00Z"},
            "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.20", "clusterIPs": ["10.96.0.20"], "selector": {"app": name},
                     "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}]}}


def deploy(name, ns="default"):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "creationTimestamp": "2026-01-01T09:00:00Z",
                         "labels": {"app": name}},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
            "status": {"replicas": 1, "readyReplicas": 1, "updatedReplicas": 1,
                       "availableReplicas": 1}}


@pytest.fixture
def state(cluster):
    cluster.add(svc("web", labels={"app": "web"}))
    cluster.add(deploy("web"))
    cluster.add(svc("dns", ns="kube-system"))
    cluster.clock.advance(65)
    return cluster


def get(state, *args, **kw):
    return run_sim(state, list(args), "/", **kw)


def test_one_type_no_prefix(state):
    out = get(state, "get", "svc")
    assert out.code == 0 and out.stderr == ""
    assert out.stdout == ("NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n"
                          "web    ClusterIP   10.96.0.20   <none>        80/TCP    65s\n")


def test_several_types_are_prefixed_and_separated(state):
    out = get(state, "get", "deployments,svc", "web")
    assert out.stdout == (
        "NAME                  READY   UP-TO-DATE   AVAILABLE   AGE\n"
        "deployment.apps/web   1/1     1            1           65s\n"
        "\n"
        "NAME          TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n"
        "service/web   ClusterIP   10.96.0.20   <none>        80/TCP    65s\n")


def test_type_slash_name_forms_and_not_found_still_prints_found(state):
    out = get(state, "get", "svc/web", "svc/nope")
    assert out.code == 1
    assert out.stdout.splitlines()[1].startswith("web ")
    assert out.stderr == 'Error from server (NotFound): services "nope" not found\n'
    out = get(state, "get", "svc", "web", "deploy/web")
    assert out.stderr == ("error: there is no need to specify a resource type as a separate "
                          "argument when passing arguments in resource/name form (e.g. 'kubectl "
                          "get resource/<resource_name>' instead of 'kubectl get resource "
                          "resource/<resource_name>'\n")


def test_nothing_found_messages(state):
    out = get(state, "get", "pods")
    assert (out.code, out.stdout, out.stderr) == (0, "", "No resources found in default namespace.\n")
    out = get(state, "get", "pods", "-n", "kube-system")
    assert out.stderr == "No resources found in kube-system namespace.\n"
    out = get(state, "get", "pods", "-A")
    assert out.stderr == "No resources found\n"
    out = get(state, "get", "svc", "-l", "app=none")
    assert out.stderr == "No resources found in default namespace.\n"


def test_all_namespaces_adds_namespace_column(state):
    out = get(state, "get", "svc", "-A", "--no-headers")
    lines = out.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["default", "web"], ["kube-system", "dns"]]


def test_unknown_type(state):
    out = get(state, "get", "foos")
    assert (out.code, out.stderr) == (1, 'error: the server doesn\'t have a resource type "foos"\n')


def test_endpoints_warning_only_when_endpoints_are_read(state):
    assert "Warning" not in get(state, "get", "all").stderr
    out = get(state, "get", "ep")
    assert out.stderr.startswith("Warning: v1 Endpoints is deprecated in v1.33+; use "
                                 "discovery.k8s.io/v1 EndpointSlice\n")


def test_structured_single_object_and_list(state):
    one = get(state, "get", "svc", "web", "-o", "jsonpath={.kind}")
    assert one.stdout == "Service"
    many = get(state, "get", "svc", "-o", "jsonpath={.kind} {.items[*].metadata.name}")
    assert many.stdout == "List web"
    name = get(state, "get", "svc,deploy", "-o", "name")
    assert name.stdout == "service/web\ndeployment.apps/web\n"


def test_watch_prints_then_blocks_until_the_caller_leaves(state):
    from tests.sim.kubectl.fakeio import FakeIO
    from sim.kubectl.main import main
    io = FakeIO()
    assert main(state, ["get", "svc", "-w"], io) == 0
    assert io.events[-1] == ("wait", "") and io.stdout.startswith("NAME")


def test_describe_not_found_and_prefix_match(state):
    out = get(state, "describe", "svc", "nope")
    assert (out.code, out.stderr) == (1, 'Error from server (NotFound): services "nope" not found\n')
    out = get(state, "describe", "svc", "we")
    assert out.code == 0 and out.stdout.startswith("Name:") and "web" in out.stdout.splitlines()[0]


def test_describe_several_objects_are_separated_by_a_blank_line(state):
    state.add(svc("api"))
    out = get(state, "describe", "svc")
    assert out.stdout.count("Name:  ") + out.stdout.count("Name:") >= 2
    assert "\n\n\nName:" in out.stdout or "\n\nName:" in out.stdout


def test_delete_messages_and_not_found(state):
    out = get(state, "delete", "deployments,svc", "web")
    assert out.stdout == ('deployment.apps "web" deleted from default namespace\n'
                          'service "web" deleted from default namespace\n')
    assert state.store.find("services", "default", "web") is None
    out = get(state, "delete", "svc", "web")
    assert (out.code, out.stdout, out.stderr) == (
        1, "", 'Error from server (NotFound): services "web" not found\n')


def test_delete_by_selector_all_and_name_output(state):
    state.add(svc("api", labels={"app": "api"}))
    out = get(state, "delete", "svc", "-l", "app=api", "-o", "name")
    assert out.stdout == "service/api\n"
    out = get(state, "delete", "svc", "-l", "app=none")
    assert out.stdout == "No resources found\n"
    out = get(state, "delete", "svc", "--all")
    assert out.stdout == 'service "web" deleted from default namespace\n'
    out = get(state, "delete", "svc")
    assert out.stderr == "error: resource(s) were provided, but no name was specified\n"


def test_delete_cluster_scoped_has_no_namespace(state):
    state.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "t"}})
    out = get(state, "delete", "namespace", "t")
    assert out.stdout == 'namespace "t" deleted\n'


def test_delete_now_and_grace_period_conflict(state):
    out = get(state, "delete", "svc", "web", "--now", "--grace-period=5")
    assert out.stderr == "error: --now and --grace-period cannot be specified together\n"


def test_force_delete_warns_and_says_force_deleted(state):
    out = get(state, "delete", "svc", "web", "--force", "--grace-period=0")
    assert out.stderr == ("Warning: Immediate deletion does not wait for confirmation that the "
                          "running resource has been terminated. The resource may continue to "
                          "run on the cluster indefinitely.\n")
    assert out.stdout == 'service "web" force deleted from default namespace\n'


def test_sort_by_field(state):
    api = svc("api")
    api["spec"]["ports"][0]["port"] = 8080
    state.add(api)
    out = get(state, "get", "svc", "--sort-by=.spec.ports[0].port", "-o", "name")
    assert out.stdout == "service/web\nservice/api\n"
    out = get(state, "get", "svc", "--sort-by=.metadata.name", "-o", "name")
    assert out.stdout == "service/api\nservice/web\n"


@pytest.mark.parametrize("spelling", ["services", "service", "svc", "Service", "services.v1.",
                                      "svc/web"])
def test_type_spellings(state, spelling):
    args = ["get", spelling] if "/" in spelling else ["get", spelling, "web"]
    out = get(state, *args, "-o", "name")
    assert (out.code, out.stdout) == (0, "service/web\n")


def test_grouped_spellings(state):
    for spelling in ("deployments.apps", "deployment.v1.apps", "deploy"):
        assert get(state, "get", spelling, "-o", "name").stdout == "deployment.apps/web\n"
    assert get(state, "get", "deployments.batch").stderr == (
        'error: the server doesn\'t have a resource type "deployments"\n')


@pytest.mark.parametrize("env, colored", [({"TERM": "xterm"}, True), ({}, True),
                                          ({"NO_COLOR": ""}, False), ({"TERM": "dumb"}, False)])
def test_server_warnings_are_yellow_on_a_terminal(state, env, colored):
    out = get(state, "delete", "svc", "web", "--force", "--grace-period=0", "--dry-run=client",
              stdout_is_tty=True, env=env)
    head = "\x1b[33;1mWarning:\x1b[0m" if colored else "Warning:"
    assert out.stderr.startswith(head + " Immediate deletion does not wait")


def test_get_lists_in_chunks_of_500_as_kubectl(cluster, monkeypatch):
    """kubectl asks for a list in chunks (--chunk-size, 500 by default: ``limit`` and the
    server's ``continue`` token); the chunks make the same table as one request."""
    from sim.api import client

    for i in range(1201):
        cluster.add(svc(f"s{i:04d}"))
    cluster.clock.advance(65)
    asked: list[str] = []
    real = client.handle

    def spy(c, request):
        asked.append(request.target)
        return real(c, request)

    monkeypatch.setattr(client, "handle", spy)
    chunked = get(cluster, "get", "svc")
    lists = [t for t in asked if t.startswith("/api/v1/namespaces/default/services")]
    assert len(lists) == 3
    assert all("limit=500" in t for t in lists)
    assert "continue=" not in lists[0] and all("continue=" in t for t in lists[1:])
    asked.clear()
    whole = get(cluster, "get", "svc", "--chunk-size=0")
    lists = [t for t in asked if t.startswith("/api/v1/namespaces/default/services")]
    assert len(lists) == 1 and "limit" not in lists[0]
    assert chunked.code == whole.code == 0
    assert chunked.stdout == whole.stdout
    names = [line.split()[0] for line in chunked.stdout.splitlines()[1:]]
    assert names == [f"s{i:04d}" for i in range(1201)]
