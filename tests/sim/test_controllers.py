"""Controllers: what a real cluster does after each write, computed from object state."""

import re

import pytest

from sim.api.objects import ALPHANUMS, clone
from sim.cluster import Cluster
from sim.controllers import kubelet


def names(objs):
    return [o["metadata"]["name"] for o in objs]


def pods_of(cluster, selector, ns="default"):
    return cluster.store.list("pods", ns, selector)


def events_for(cluster, name, ns="default"):
    return [(e["reason"], e["message"], e["source"]["component"])
            for e in cluster.store.list("events", ns) if e["involvedObject"]["name"] == name]


def test_deployment_makes_a_replicaset_and_pods(cluster, make_deployment):
    cluster.store.create(make_deployment("web", replicas=3))
    cluster.tick()
    (rs,) = cluster.store.list("replicasets", "default")
    h = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{h}"
    assert re.fullmatch(r"[456789bcdf]{1,10}", h)
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": h}
    assert rs["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    pods = pods_of(cluster, "app=web")
    assert len(pods) == 3
    for pod in pods:
        suffix = pod["metadata"]["name"][len(rs["metadata"]["name"]) + 1:]
        assert len(suffix) == 5 and set(suffix) <= set(ALPHANUMS)
        assert pod["status"]["phase"] == "Running"
        assert pod["metadata"]["ownerReferences"][0]["name"] == rs["metadata"]["name"]
        assert [c["type"] for c in pod["status"]["conditions"]] == [
            "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        assert all(c["status"] == "True" for c in pod["status"]["conditions"])
        cs = pod["status"]["containerStatuses"][0]
        assert re.fullmatch(r"containerd://[0-9a-f]{64}", cs["containerID"])
        assert cs["image"] == "docker.io/library/nginx:latest" and cs["ready"] and cs["started"]
        assert pod["status"]["qosClass"] == "BestEffort"
        assert pod["status"]["podIP"].startswith("10.244.")
        assert pod["status"]["hostIP"] in ("192.168.56.11", "192.168.56.12")
    d = cluster.store.get("deployments", "default", "web")
    assert d["status"]["readyReplicas"] == d["status"]["availableReplicas"] == 3
    assert d["status"]["updatedReplicas"] == d["status"]["replicas"] == 3
    assert d["status"]["observedGeneration"] == 1
    conds = {c["type"]: (c["status"], c["reason"], c["message"]) for c in d["status"]["conditions"]}
    assert conds == {"Available": ("True", "MinimumReplicasAvailable",
                                   "Deployment has minimum availability."),
                     "Progressing": ("True", "NewReplicaSetAvailable",
                                     f'ReplicaSet "{rs["metadata"]["name"]}" has successfully progressed.')}
    assert ("ScalingReplicaSet", f"Scaled up replica set {rs['metadata']['name']} to 3",
            "deployment-controller") in events_for(cluster, "web")


def test_pod_events_follow_the_kubelet(cluster, make_deployment):
    cluster.store.create(make_deployment("web", replicas=1))
    cluster.tick()
    (pod,) = pods_of(cluster, "app=web")
    name = pod["metadata"]["name"]
    reasons = [e[0] for e in events_for(cluster, name)]
    assert reasons == ["Scheduled", "Pulling", "Pulled", "Created", "Started"]
    evs = dict((e[0], e[1]) for e in events_for(cluster, name))
    assert evs["Scheduled"] == f"Successfully assigned default/{name} to {pod['spec']['nodeName']}"
    assert re.fullmatch(r'Successfully pulled image "nginx" in [0-9.]+m?s \([0-9.]+m?s including '
                        r'waiting\)\. Image size: \d+ bytes\.', evs["Pulled"])
    assert evs["Created"] == "Created container: web" and evs["Started"] == "Started container web"
    rs = cluster.store.list("replicasets", "default")[0]["metadata"]["name"]
    assert ("SuccessfulCreate", f"Created pod: {name}", "replicaset-controller") in events_for(cluster, rs)


def test_scale_up_and_down(cluster, make_deployment):
    cluster.store.create(make_deployment("web", replicas=2))
    cluster.tick()
    first = set(names(pods_of(cluster, "app=web")))
    cluster.store.patch("deployments", "default", "web", {"spec": {"replicas": 4}})
    cluster.tick()
    assert len(pods_of(cluster, "app=web")) == 4
    cluster.store.patch("deployments", "default", "web", {"spec": {"replicas": 1}})
    cluster.tick()
    left = names(pods_of(cluster, "app=web"))
    assert len(left) == 1 and left[0] in first  # the newest go first
    rs = cluster.store.list("replicasets", "default")[0]["metadata"]["name"]
    messages = [e[1] for e in events_for(cluster, "web")]
    assert f"Scaled up replica set {rs} to 4 from 2" in messages
    assert f"Scaled down replica set {rs} to 1 from 4" in messages
    cluster.store.patch("deployments", "default", "web", {"spec": {"replicas": 0}})
    cluster.tick()
    cluster.store.patch("deployments", "default", "web", {"spec": {"replicas": 2}})
    cluster.tick()
    assert not set(names(pods_of(cluster, "app=web"))) & first


def test_rolling_update_keeps_the_old_replicaset(cluster, make_deployment):
    cluster.store.create(make_deployment("web", replicas=4))
    cluster.tick()
    old_rs = cluster.store.list("replicasets", "default")[0]["metadata"]["name"]
    cluster.store.patch("deployments", "default", "web", {"spec": {"template": {"spec": {
        "containers": [{"name": "web", "image": "nginx:1.27"}]}}}})
    cluster.run_for(30)
    rss = {r["metadata"]["name"]: r for r in cluster.store.list("replicasets", "default")}
    assert len(rss) == 2 and old_rs in rss
    new_rs = next(n for n in rss if n != old_rs)
    assert rss[old_rs]["spec"]["replicas"] == 0
    assert rss[new_rs]["spec"]["replicas"] == 4
    assert rss[new_rs]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    pods = pods_of(cluster, "app=web")
    assert len(pods) == 4 and all(p["metadata"]["name"].startswith(new_rs) for p in pods)
    d = cluster.store.get("deployments", "default", "web")
    assert d["metadata"]["generation"] == 2 and d["status"]["observedGeneration"] == 2
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    messages = [e[1] for e in events_for(cluster, "web")]
    assert any(m.startswith(f"Scaled down replica set {old_rs} to") for m in messages)


def test_cascading_delete_and_orphans(cluster, make_deployment):
    cluster.store.create(make_deployment("gone", replicas=2))
    cluster.store.create(make_deployment("kept", replicas=1))
    cluster.tick()
    cluster.store.delete("deployments", "default", "gone")
    cluster.tick()
    assert pods_of(cluster, "app=gone") == []
    assert [r for r in cluster.store.list("replicasets", "default")
            if r["metadata"]["name"].startswith("gone-")] == []
    cluster.store.delete("deployments", "default", "kept", propagation="Orphan")
    cluster.tick()
    (rs,) = cluster.store.list("replicasets", "default")
    assert "ownerReferences" not in rs["metadata"]
    assert len(pods_of(cluster, "app=kept")) == 1


def test_pod_deletion_is_graceful(cluster, make_deployment):
    cluster.store.create(make_deployment("web", replicas=1))
    cluster.tick()
    (pod,) = pods_of(cluster, "app=web")
    deleted = cluster.store.delete("pods", "default", pod["metadata"]["name"])
    assert deleted["metadata"]["deletionTimestamp"]
    assert deleted["metadata"]["deletionGracePeriodSeconds"] == 30
    cluster.tick()
    left = pods_of(cluster, "app=web")
    assert len(left) == 1 and left[0]["metadata"]["name"] != pod["metadata"]["name"]
    assert ("Killing", "Stopping container web", "kubelet") in events_for(cluster, pod["metadata"]["name"])


def test_statefulset_ordinals_in_order(cluster):
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
           "spec": {"serviceName": "db-hl", "replicas": 3,
                    "selector": {"matchLabels": {"app": "db"}},
                    "template": {"metadata": {"labels": {"app": "db"}},
                                 "spec": {"containers": [{"name": "db", "image": "nginx"}]}}}}
    cluster.store.create(sts)
    cluster.reconcile()
    assert names(pods_of(cluster, "app=db")) == ["db-0"]  # the next waits for db-0 to be Ready
    cluster.tick()
    cluster.tick()
    pods = pods_of(cluster, "app=db")
    assert names(pods) == ["db-0", "db-1", "db-2"]
    created = [p["metadata"]["creationTimestamp"] for p in pods]
    assert created == sorted(created) and len(set(created)) > 1
    for i, pod in enumerate(pods):
        assert pod["spec"]["hostname"] == f"db-{i}" and pod["spec"]["subdomain"] == "db-hl"
        assert pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == str(i)
    messages = [e[1] for e in events_for(cluster, "db")]
    assert messages[:3] == [f"create Pod db-{i} in StatefulSet db successful" for i in range(3)]
    cluster.store.patch("statefulsets", "default", "db", {"spec": {"replicas": 1}})
    for _ in range(4):
        cluster.tick()
    assert names(pods_of(cluster, "app=db")) == ["db-0"]
    status = cluster.store.get("statefulsets", "default", "db")["status"]
    assert status["replicas"] == 1 and status["readyReplicas"] == 1


def test_scheduler_spreads_and_skips_the_control_plane(cluster, make_deployment):
    cluster.store.create(make_deployment("web", replicas=6))
    cluster.tick()
    nodes = [p["spec"]["nodeName"] for p in pods_of(cluster, "app=web")]
    assert sorted(set(nodes)) == ["k8s-worker-1", "k8s-worker-2"]
    assert abs(nodes.count("k8s-worker-1") - nodes.count("k8s-worker-2")) <= 1


def test_pod_ips_come_from_the_nodes_cidr(cluster, make_deployment):
    cluster.store.create(make_deployment("web", replicas=6))
    cluster.tick()
    seen = set()
    for pod in pods_of(cluster, "app=web"):
        node = cluster.store.get("nodes", None, pod["spec"]["nodeName"])
        prefix = node["spec"]["podCIDR"].rsplit(".", 1)[0] + "."
        assert pod["status"]["podIP"].startswith(prefix)
        assert int(pod["status"]["podIP"].rsplit(".", 1)[1]) >= 2
        seen.add(pod["status"]["podIP"])
    assert len(seen) == 6


def test_endpoints_follow_selectors_and_readiness(cluster, make_deployment, make_service,
                                                  monkeypatch):
    unready = set()
    monkeypatch.setattr(kubelet, "probe",
                        lambda c, pod, container, kind="readinessProbe": (
                            kind != "readinessProbe" or pod["metadata"]["name"] not in unready,
                            "HTTP probe failed with statuscode: 503"))
    body = make_deployment("web", replicas=3)
    body["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = {
        "httpGet": {"path": "/", "port": 80}, "periodSeconds": 2, "failureThreshold": 1}
    cluster.store.create(body)
    cluster.store.create(make_service("web", {"app": "web"}, [{"port": 8080, "targetPort": 80}]))
    cluster.tick()
    cluster.tick()
    pods = pods_of(cluster, "app=web")
    ep = cluster.store.get("endpoints", "default", "web")
    ips = sorted(p["status"]["podIP"] for p in pods)
    assert [a["ip"] for a in ep["subsets"][0]["addresses"]] == ips
    assert ep["subsets"][0]["ports"] == [{"port": 80, "protocol": "TCP"}]
    unready.add(pods[0]["metadata"]["name"])
    cluster.tick()
    ep = cluster.store.get("endpoints", "default", "web")
    assert [a["ip"] for a in ep["subsets"][0]["notReadyAddresses"]] == [pods[0]["status"]["podIP"]]
    assert len(ep["subsets"][0]["addresses"]) == 2
    (sl,) = cluster.store.list("endpointslices", "default", "kubernetes.io/service-name=web")
    assert sl["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == \
        "endpointslice-controller.k8s.io"
    assert re.fullmatch(r"web-[" + ALPHANUMS + "]{5}", sl["metadata"]["name"])
    ready = {e["targetRef"]["name"]: e["conditions"]["ready"] for e in sl["endpoints"]}
    assert ready[pods[0]["metadata"]["name"]] is False and sum(ready.values()) == 2
    assert sl["ports"] == [{"name": "", "port": 80, "protocol": "TCP"}]
    assert any(e[0] == "Unhealthy" and e[1] == "Readiness probe failed: HTTP probe failed with statuscode: 503"
               for e in events_for(cluster, pods[0]["metadata"]["name"]))
    unready.clear()
    cluster.tick()
    ep = cluster.store.get("endpoints", "default", "web")
    assert len(ep["subsets"][0]["addresses"]) == 3 and "notReadyAddresses" not in ep["subsets"][0]
    # selectors: relabelling a pod takes it out
    pod = dict(pods[1], metadata=dict(pods[1]["metadata"], labels={"app": "other"}))
    cluster.store.update(pod)
    cluster.reconcile()
    ep = cluster.store.get("endpoints", "default", "web")
    assert pods[1]["status"]["podIP"] not in [a["ip"] for a in ep["subsets"][0]["addresses"]]


def test_named_target_ports_resolve_through_container_ports(cluster, make_deployment, make_service):
    body = make_deployment("web", replicas=1)
    body["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": 8443, "name": "https"}]
    cluster.store.create(body)
    cluster.store.create(make_service("web", {"app": "web"}, [{"port": 443, "targetPort": "https"}]))
    cluster.tick()
    ep = cluster.store.get("endpoints", "default", "web")
    assert ep["subsets"][0]["ports"] == [{"port": 8443, "protocol": "TCP"}]


def test_selectorless_service_keeps_its_hand_made_endpoints(cluster, make_service):
    cluster.store.create(make_service("ext", None, [{"port": 8080, "targetPort": 80}]))
    manual = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "ext"},
              "subsets": [{"addresses": [{"ip": "17.178.96.59"}, {"ip": "172.217.175.110"}],
                           "ports": [{"port": 80}]}]}
    cluster.store.create(manual)
    cluster.tick()
    ep = cluster.store.get("endpoints", "default", "ext")
    manual["subsets"][0]["ports"][0]["protocol"] = "TCP"  # the API server's defaulting
    assert ep["subsets"] == manual["subsets"]
    assert "endpoints.kubernetes.io/managed-by" not in (ep["metadata"].get("labels") or {})
    (sl,) = cluster.store.list("endpointslices", "default", "kubernetes.io/service-name=ext")
    assert sl["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == \
        "endpointslicemirroring-controller.k8s.io"
    assert [e["addresses"][0] for e in sl["endpoints"]] == ["17.178.96.59", "172.217.175.110"]


def test_cluster_ips_and_node_ports_are_unique_and_in_range(cluster, make_service):
    ips, ports = set(), set()
    for i in range(40):
        svc = cluster.store.create(make_service(f"s{i}", {"app": "x"}, [{"port": 80}],
                                                type="NodePort"))
        ip = svc["spec"]["clusterIP"]
        a, b, c, d = (int(x) for x in ip.split("."))
        assert a == 10 and 96 <= b <= 111
        ips.add(ip)
        ports.add(svc["spec"]["ports"][0]["nodePort"])
    assert len(ips) == 40 and len(ports) == 40
    assert all(30000 <= p <= 32767 for p in ports)
    assert "10.96.0.1" not in ips and "10.96.0.10" not in ips
    # the dynamic allocator keeps to the upper part of the range
    assert all(not ip.startswith("10.96.0.") for ip in ips)


def test_bootstrap_objects(cluster):
    store = cluster.store
    assert store.get("services", "default", "kubernetes")["spec"]["clusterIP"] == "10.96.0.1"
    dns = store.get("services", "kube-system", "kube-dns")
    assert dns["spec"]["clusterIP"] == "10.96.0.10"
    assert dns["metadata"]["labels"] == {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true",
                                         "kubernetes.io/name": "CoreDNS"}
    assert [(p["name"], p["port"], p["protocol"]) for p in dns["spec"]["ports"]] == [
        ("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP")]
    assert len(store.get("endpoints", "kube-system", "kube-dns")["subsets"][0]["addresses"]) == 2
    for ns in ("default", "kube-system", "kube-public", "kube-node-lease", "ingress-nginx"):
        assert store.find("serviceaccounts", ns, "default") is not None
        assert "BEGIN CERTIFICATE" in store.get("configmaps", ns, "kube-root-ca.crt")["data"]["ca.crt"]
    cls = store.get("ingressclasses", None, "nginx")
    assert cls["metadata"]["annotations"]["ingressclass.kubernetes.io/is-default-class"] == "true"
    cp = store.get("nodes", None, "k8s-control-plane")
    assert cp["spec"]["taints"][0]["key"] == "node-role.kubernetes.io/control-plane"
    assert cp["status"]["nodeInfo"]["kubeletVersion"] == "v1.35.2"
    assert len(store.list("nodes")) == 3
    assert store.get("endpoints", "default", "kubernetes")["subsets"][0]["addresses"] == [{"ip": "192.168.56.10"}]


def test_ingress_gets_the_default_class_and_an_address(cluster):
    ing = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"},
           "spec": {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}}
    created = cluster.store.create(ing)
    assert created["spec"]["ingressClassName"] == "nginx"
    cluster.run_for(60)
    status = cluster.store.get("ingresses", "default", "i")["status"]
    controller = cluster.store.list("pods", "ingress-nginx")[0]
    assert status == {"loadBalancer": {"ingress": [{"ip": controller["status"]["hostIP"]}]}}
    events = [e for e in cluster.store.list("events", "default") if e["involvedObject"]["name"] == "i"]
    assert [(e["reason"], e["message"], e["source"]["component"], e["count"]) for e in events] == [
        ("Sync", "Scheduled for sync", "nginx-ingress-controller", 2)]


def test_load_balancer_without_a_cloud_stays_pending(cluster, make_service):
    cluster.store.create(make_service("lb", {"app": "x"}, type="LoadBalancer"))
    cluster.run_for(120)
    svc = cluster.store.get("services", "default", "lb")
    assert svc["status"] == {"loadBalancer": {}}
    assert events_for(cluster, "lb") == []


@pytest.mark.parametrize("profile", ["gke", "aws"])
def test_load_balancer_per_cloud(profile, make_service):
    cluster = Cluster(profile, workloads=False)
    svc = cluster.store.create(make_service("lb", {"app": "x"}, [{"port": 80}], type="LoadBalancer"))
    cluster.reconcile()
    assert events_for(cluster, "lb") == [("EnsuringLoadBalancer", "Ensuring load balancer",
                                          "service-controller")]
    cluster.run_for(90)
    got = cluster.store.get("services", "default", "lb")
    (ingress,) = got["status"]["loadBalancer"]["ingress"]
    if profile == "gke":
        assert re.fullmatch(r"34\.118\.\d+\.\d+", ingress["ip"]) and ingress["ipMode"] == "VIP"
    else:
        uid = svc["metadata"]["uid"].replace("-", "")
        assert re.fullmatch(r"a" + uid[:31] + r"-\d{10}\.us-east-1\.elb\.amazonaws\.com",
                            ingress["hostname"])
    assert [e[0] for e in events_for(cluster, "lb")] == ["EnsuringLoadBalancer", "EnsuredLoadBalancer"]
    assert "service.kubernetes.io/load-balancer-cleanup" in got["metadata"]["finalizers"]


def test_gke_profile_nodes():
    cluster = Cluster("gke", workloads=False)
    nodes = cluster.store.list("nodes")
    assert len(nodes) == 3
    for node in nodes:
        assert re.fullmatch(r"gke-cluster-1-default-pool-[0-9a-f]{8}-[0-9a-z]{4}", node["metadata"]["name"])
        types = [a["type"] for a in node["status"]["addresses"]]
        assert types == ["InternalIP", "ExternalIP", "Hostname"]
        assert "taints" not in node["spec"]
    assert len({n["metadata"]["name"].split("-")[-2] for n in nodes}) == 1


def test_unknown_image_backs_off(cluster, make_deployment, monkeypatch):
    monkeypatch.setattr(kubelet, "image_known", lambda c, image: image != "no-such/image:1")
    cluster.store.create(make_deployment("bad", replicas=1, image="no-such/image:1"))
    cluster.tick()
    cluster.tick()
    (pod,) = pods_of(cluster, "app=bad")
    state = pod["status"]["containerStatuses"][0]["state"]["waiting"]
    assert state["reason"] == "ImagePullBackOff"
    assert pod["status"]["phase"] == "Pending"
    reasons = [(e[0], e[1]) for e in events_for(cluster, pod["metadata"]["name"])]
    assert ("Failed", "Error: ErrImagePull") in reasons
    assert ("BackOff", 'Back-off pulling image "no-such/image:1"') in reasons
    assert ("Failed", "Error: ImagePullBackOff") in reasons
    assert cluster.store.get("endpoints", "default", "kubernetes")  # the cluster still works


def test_finished_container_completes_the_pod(cluster):
    cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "once"},
                          "spec": {"restartPolicy": "Never",
                                   "containers": [{"name": "c", "image": "busybox"}]}})
    cluster.tick()
    kubelet.finish_container(cluster, "default", "once", "c", 0)
    pod = cluster.store.get("pods", "default", "once")
    assert pod["status"]["phase"] == "Succeeded"
    assert pod["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"


def test_namespace_deletion_takes_its_objects(cluster):
    cluster.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tmp"}})
    cluster.reconcile()
    cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": "c", "namespace": "tmp"}})
    cluster.store.delete("namespaces", None, "tmp")
    assert cluster.store.get("namespaces", None, "tmp")["status"]["phase"] == "Terminating"
    cluster.tick()
    assert cluster.store.find("namespaces", None, "tmp") is None
    assert cluster.store.list("configmaps", "tmp") == []


def _run_script(cluster, make_deployment, make_service):
    cluster.store.create(make_deployment("web", replicas=3))
    cluster.tick()
    cluster.store.create(make_service("web", {"app": "web"}, type="NodePort"))
    cluster.tick()
    cluster.store.patch("deployments", "default", "web", {"spec": {"replicas": 1}})
    cluster.tick()
    cluster.store.create(make_service("lb", {"app": "web"}, type="LoadBalancer"))
    cluster.run_for(70)
    return {rt.plural: cluster.store.list(rt) for rt in cluster.resources}


def test_same_calls_same_cluster(make_deployment, make_service):
    first = _run_script(Cluster("gke", workloads=False), make_deployment, make_service)
    second = _run_script(Cluster("gke", workloads=False), make_deployment, make_service)
    assert first == second
    third = _run_script(Cluster("gke", seed=7, workloads=False), make_deployment, make_service)
    assert names(third["pods"]) != names(first["pods"])


def test_pods_are_ready_by_the_next_command(make_deployment, make_service):
    for seed in range(8):
        cluster = Cluster("default", seed=seed, workloads=False)
        body = make_deployment("web", replicas=4)
        body["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = {
            "httpGet": {"path": "/", "port": 80}}
        cluster.store.create(body)
        cluster.store.create(make_service("web", {"app": "web"}))
        cluster.tick()
        pods = pods_of(cluster, "app=web")
        assert len(pods) == 4
        assert all(p["status"]["conditions"][2] == {**p["status"]["conditions"][2], "type": "Ready",
                                                     "status": "True"} for p in pods), seed
        ep = cluster.store.get("endpoints", "default", "web")
        assert len(ep["subsets"][0]["addresses"]) == 4


_SCRIPT = """
import json
from sim.cluster import Cluster
c = Cluster("gke")
c.store.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"a": "w"}},
             "template": {"metadata": {"labels": {"a": "w"}},
                          "spec": {"containers": [{"name": "w", "image": "nginx"}]}}}})
c.tick()
c.store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "w"},
    "spec": {"type": "LoadBalancer", "selector": {"a": "w"}, "ports": [{"port": 80}]}})
c.run_for(90)
print(json.dumps({rt.plural: c.store.list(rt) for rt in c.resources}, sort_keys=True))
"""


def test_same_output_in_another_process():
    import os
    import subprocess
    import sys

    outs = [subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                           env=dict(os.environ, PYTHONHASHSEED=str(seed)), timeout=120,
                           check=True).stdout for seed in (1, 2)]
    assert outs[0] == outs[1] and len(outs[0]) > 1000


def test_editing_a_node_port_service_into_a_load_balancer(make_service):
    cluster = Cluster("gke", workloads=False)
    svc = cluster.store.create(make_service("web", {"app": "x"}, [{"port": 80}], type="NodePort"))
    cluster.tick()
    port = svc["spec"]["ports"][0]["nodePort"]
    cluster.store.patch("services", "default", "web", {"spec": {"type": "LoadBalancer"}})
    cluster.run_for(90)
    got = cluster.store.get("services", "default", "web")
    assert got["spec"]["ports"][0]["nodePort"] == port
    assert got["status"]["loadBalancer"]["ingress"][0]["ip"]
    assert [e[:2] for e in events_for(cluster, "web")] == [
        ("Type", "NodePort -> LoadBalancer"), ("EnsuringLoadBalancer", "Ensuring load balancer"),
        ("EnsuredLoadBalancer", "Ensured load balancer")]


def test_cloud_ingress_without_a_class_gets_an_address():
    cluster = Cluster("gke", workloads=False)
    assert cluster.store.list("ingressclasses") == []
    ing = cluster.store.create({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"},
        "spec": {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}})
    assert "ingressClassName" not in ing["spec"]
    cluster.run_for(30)
    assert cluster.store.get("ingresses", "default", "i").get("status", {}).get("loadBalancer", {}) == {}
    cluster.run_for(120)
    (address,) = cluster.store.get("ingresses", "default", "i")["status"]["loadBalancer"]["ingress"]
    assert re.fullmatch(r"34\.120\.\d+\.\d+", address["ip"])


def test_slow_stopping_containers_take_their_grace_period(cluster, make_deployment, monkeypatch):
    import types

    fake = types.SimpleNamespace(stop_seconds=lambda c, pod, name: 30.0)
    monkeypatch.setattr(kubelet, "_hook", lambda c, module, name: getattr(fake, name, None))
    cluster.store.create(make_deployment("loop", replicas=1))
    cluster.tick()
    (pod,) = pods_of(cluster, "app=loop")
    cluster.store.delete("pods", "default", pod["metadata"]["name"])
    cluster.run_for(20)
    assert cluster.store.find("pods", "default", pod["metadata"]["name"]) is not None
    cluster.run_for(11)
    assert cluster.store.find("pods", "default", pod["metadata"]["name"]) is None


def test_deleting_a_load_balancer_service_goes_through_its_finalizer(make_service):
    cluster = Cluster("aws", workloads=False)
    cluster.store.create(make_service("lb", {"app": "x"}, [{"port": 80}], type="LoadBalancer"))
    cluster.run_for(20)
    gone = cluster.store.delete("services", "default", "lb")
    assert gone["metadata"]["deletionTimestamp"]
    assert cluster.store.find("services", "default", "lb") is not None
    cluster.reconcile()
    assert cluster.store.find("services", "default", "lb") is None
    reasons = [e[0] for e in events_for(cluster, "lb")]
    assert reasons[-2:] == ["DeletingLoadBalancer", "DeletedLoadBalancer"]
    assert cluster.store.list("endpointslices", "default", "kubernetes.io/service-name=lb") == []


def test_large_services_split_slices_and_truncate_endpoints(make_deployment, make_service):
    from sim.controllers.profiles import load_profile

    profile = load_profile("default")
    profile["nodes"] = [profile["nodes"][0], {"name": "w-{i}", "count": 11}]
    cluster = Cluster(profile, workloads=False)
    cluster.store.create(make_deployment("big", replicas=1050))
    cluster.store.create(make_service("big", {"app": "big"}))
    cluster.run_for(10)
    slices = cluster.store.list("endpointslices", "default", "kubernetes.io/service-name=big")
    assert sorted(len(sl["endpoints"]) for sl in slices) == [50] + [100] * 10
    ep = cluster.store.get("endpoints", "default", "big")
    assert sum(len(s["addresses"]) for s in ep["subsets"]) == 1000
    assert ep["metadata"]["annotations"]["endpoints.kubernetes.io/over-capacity"] == "truncated"
    cluster.store.patch("deployments", "default", "big", {"spec": {"replicas": 3}})
    cluster.run_for(10)
    (sl,) = cluster.store.list("endpointslices", "default", "kubernetes.io/service-name=big")
    assert len(sl["endpoints"]) == 3
    ep = cluster.store.get("endpoints", "default", "big")
    assert "endpoints.kubernetes.io/over-capacity" not in ep["metadata"]["annotations"]


def test_cloud_ingress_takes_a_reserved_static_address(monkeypatch):
    from sim.controllers import ingress

    monkeypatch.setattr(ingress, "_reserved",
                        lambda c, name: "34.120.1.2" if name == "web-ip" else None)
    cluster = Cluster("gke", workloads=False)
    cluster.store.create({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "i", "annotations": {
            "kubernetes.io/ingress.global-static-ip-name": "web-ip"}},
        "spec": {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}})
    cluster.run_for(150)
    assert cluster.store.get("ingresses", "default", "i")["status"] == {
        "loadBalancer": {"ingress": [{"ip": "34.120.1.2"}]}}


def test_cloud_ingress_without_its_static_address_reports_the_sync_error():
    from sim.net.addresses import reserved_addresses

    cluster = Cluster("gke", workloads=False)
    cluster.store.create({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "i", "annotations": {
            "kubernetes.io/ingress.global-static-ip-name": "not-reserved"}},
        "spec": {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}})
    cluster.run_for(200)
    assert not cluster.store.get("ingresses", "default", "i").get("status", {}).get(
        "loadBalancer", {}).get("ingress")
    warnings = [e for e in cluster.store.list("events", "default") if e["type"] == "Warning"]
    assert len(warnings) == 1 and warnings[0]["reason"] == "Sync"
    assert warnings[0]["count"] > 1
    message = warnings[0]["message"]
    assert message.startswith("Error syncing to GCP: error running load balancer syncing routine: "
                              "loadbalancer ")
    assert "-default-i-" in message
    assert message.endswith(" does not exist: the given static IP name not-reserved "
                            "doesn't translate to an existing static IP.")
    reserved_addresses(cluster)["not-reserved"] = {"ip": "34.117.9.9", "region": ""}
    cluster.run_for(400)
    assert cluster.store.get("ingresses", "default", "i")["status"] == {
        "loadBalancer": {"ingress": [{"ip": "34.117.9.9"}]}}


def test_a_container_that_keeps_ending_goes_through_crash_loop_back_off():
    cluster = Cluster("default")
    cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "crash"},
                          "spec": {"containers": [{"name": "c", "image": "busybox",
                                                   "command": ["sh", "-c", "echo bye; exit 3"]}]}})
    restarts_at: list[float] = []
    start = cluster.clock.now()
    seen = 0
    waiting = None
    for _ in range(1300):
        cluster.run_for(1)
        pod = cluster.store.get("pods", "default", "crash")
        (cstat,) = pod["status"]["containerStatuses"]
        if cstat["restartCount"] != seen:
            seen = cstat["restartCount"]
            restarts_at.append((cluster.clock.now() - start).total_seconds())
        if "waiting" in cstat["state"] and waiting is None:
            waiting = clone(cstat)
    gaps = [round(b - a) for a, b in zip(restarts_at, restarts_at[1:])]
    # the first restart is immediate, then 10 s, 20 s, 40 s … doubled up to 5 min
    assert gaps[:7] == [10, 20, 40, 80, 160, 300, 300], restarts_at
    assert pod["status"]["phase"] == "Running"
    assert waiting["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    uid = pod["metadata"]["uid"]
    assert waiting["state"]["waiting"]["message"] == (
        f"back-off 10s restarting failed container=c pod=crash_default({uid})")
    assert waiting["lastState"]["terminated"]["exitCode"] == 3
    assert waiting["lastState"]["terminated"]["reason"] == "Error"
    assert waiting["ready"] is False and waiting["restartCount"] == 1
    backoffs = [e for e in cluster.store.list("events", "default") if e["reason"] == "BackOff"]
    assert len(backoffs) == 1 and backoffs[0]["type"] == "Warning"
    assert backoffs[0]["message"] == f"Back-off restarting failed container c in pod crash_default({uid})"
    assert backoffs[0]["count"] == len(restarts_at)


def test_cloud_ingress_reports_the_load_balancer_it_builds():
    cluster = Cluster("gke", workloads=False)
    cluster.store.create({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"},
        "spec": {"tls": [{"secretName": "s"}],
                 "defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}})
    cluster.run_for(200)
    ing = cluster.store.get("ingresses", "default", "web")
    ip = ing["status"]["loadBalancer"]["ingress"][0]["ip"]
    events = [(e["reason"], e["message"]) for e in cluster.store.list("events", "default")
              if e["source"]["component"] == "loadbalancer-controller"]
    built = [m for r, m in events if r == "Sync" and m.endswith('" created')]
    names = [m.split('"')[1] for m in built]
    assert [m.split(" ")[0] for m in built] == ["UrlMap", "TargetProxy", "ForwardingRule",
                                                "TargetProxy", "ForwardingRule"]
    assert [n[:8] for n in names] == ["k8s2-um-", "k8s2-tp-", "k8s2-fr-", "k8s2-ts-", "k8s2-fs-"]
    assert len({n[8:] for n in names}) == 1 and "-default-web-" in names[0]
    assert ("IPChanged", f"IP is now {ip}") in events
    assert ("Sync", "Scheduled for sync") in events


def _job(name: str, script: str, **spec) -> dict:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": "default"},
            "spec": {**spec, "template": {"spec": {"restartPolicy": "Never", "containers": [
                {"name": "c", "image": "busybox", "command": ["sh", "-c", script]}]}}}}


def _conditions(job: dict) -> dict[str, str]:
    return {c["type"]: c.get("reason", "") for c in job["status"].get("conditions") or []}


@pytest.fixture
def running():
    """A cluster whose containers run their commands (the workloads' runtime): Jobs end."""
    return Cluster("default", seed=4)


def test_a_job_runs_its_pods_to_the_completions_it_asks(running):
    cluster = running
    made = cluster.store.create(_job("three", "echo done", completions=3, parallelism=2))
    uid = made["metadata"]["uid"]
    assert made["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert made["metadata"]["labels"]["job-name"] == "three"
    cluster.reconcile()
    first = cluster.store.list("pods", "default", label_selector=f"controller-uid={uid}")
    assert len(first) == 2                        # parallelism, not completions
    assert cluster.wait_until(lambda: "Complete" in _conditions(
        cluster.store.get("jobs", "default", "three")), timeout=120)
    job = cluster.store.get("jobs", "default", "three")
    assert job["status"]["succeeded"] == 3 and "active" not in job["status"]
    assert _conditions(job) == {"SuccessCriteriaMet": "CompletionsReached",
                                "Complete": "CompletionsReached"}
    pods = cluster.store.list("pods", "default", label_selector="job-name=three")
    assert [p["status"]["phase"] for p in pods] == ["Succeeded"] * 3


def test_a_failing_job_stops_at_its_backoff_limit(running):
    cluster = running
    cluster.store.create(_job("bad", "exit 1", backoffLimit=1))
    assert cluster.wait_until(lambda: "Failed" in _conditions(
        cluster.store.get("jobs", "default", "bad")), timeout=120)
    job = cluster.store.get("jobs", "default", "bad")
    assert job["status"]["failed"] == 2 and _conditions(job)["Failed"] == "BackoffLimitExceeded"
    assert len(cluster.store.list("pods", "default", label_selector="job-name=bad")) == 2


def _pod_versions(cluster, app):
    """Every version of the pods labelled app=APP the store wrote, in order."""
    return [obj for _, kind, rt, obj in cluster.store.changes
            if rt.plural == "pods" and kind != "DELETED"
            and (obj["metadata"].get("labels") or {}).get("app") == app]


def _kubelet_versions(versions):
    return [v for v in versions if (v.get("status") or {}).get("containerStatuses")]


@pytest.mark.parametrize("pulls", [True, False])
def test_the_kubelet_writes_the_sandbox_with_the_containers_start(cluster, make_deployment,
                                                                  monkeypatch, pulls):
    """As the kubelet's SyncPod: the pod is Pending/ContainerCreating with no address, then
    its address comes in the same write as the containers' start (or the pull's failure),
    never in a write of its own, however finely the time is stepped."""
    monkeypatch.setattr(kubelet, "image_known", lambda c, image: pulls)
    cluster.store.create(make_deployment("one", replicas=2, image="example/one:1"))
    for _ in range(60):
        cluster.run_for(0.05)
    versions = _kubelet_versions(_pod_versions(cluster, "one"))
    per_pod: dict = {}
    for v in versions:
        per_pod.setdefault(v["metadata"]["uid"], []).append(v)
    assert len(per_pod) == 2
    for writes in per_pod.values():
        first, second = writes[0], writes[1]
        assert "podIP" not in first["status"]
        assert first["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == \
            "ContainerCreating"
        assert second["status"]["podIP"]
        state = second["status"]["containerStatuses"][0]["state"]
        if pulls:
            assert second["status"]["phase"] == "Running" and "running" in state
            assert len(writes) == 2
        else:
            assert second["status"]["phase"] == "Pending"
            assert state["waiting"]["reason"] == "ErrImagePull"
        ready = {c["type"]: c["status"] for c in second["status"]["conditions"]}
        assert ready["PodReadyToStartContainers"] == "True"
