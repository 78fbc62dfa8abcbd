"""The object store: CRUD, metadata, selectors, validation and its exact messages."""

import pytest

from sim.api.errors import ApiError
from sim.cluster import Cluster


def test_create_fills_metadata_and_defaults(cluster, make_deployment):
    created = cluster.store.create(make_deployment("web"))
    md = created["metadata"]
    assert md["namespace"] == "default"
    assert len(md["uid"]) == 36 and md["uid"][14] == "4"
    assert int(md["resourceVersion"]) == cluster.store.revision
    assert md["creationTimestamp"].endswith("Z")
    assert md["generation"] == 1
    spec = created["spec"]
    assert spec["strategy"] == {"type": "RollingUpdate",
                                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert spec["revisionHistoryLimit"] == 10 and spec["progressDeadlineSeconds"] == 600
    container = spec["template"]["spec"]["containers"][0]
    assert container["imagePullPolicy"] == "Always"
    assert container["ports"][0]["protocol"] == "TCP"
    assert spec["template"]["spec"]["dnsPolicy"] == "ClusterFirst"


def test_image_pull_policy_follows_the_tag(cluster, make_deployment):
    pinned = cluster.store.create(make_deployment("pinned", image="nginx:1.27"))
    assert pinned["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    latest = cluster.store.create(make_deployment("latest", image="localhost:5000/nginx:latest"))
    assert latest["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"


def test_get_update_delete_and_errors(cluster):
    store = cluster.store
    cm = store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                       "data": {"a": "1"}})
    with pytest.raises(ApiError) as err:
        store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})
    assert err.value.kubectl_text() == 'Error from server (AlreadyExists): configmaps "c" already exists'
    changed = dict(cm, data={"a": "2"})
    updated = store.update(changed)
    assert int(updated["metadata"]["resourceVersion"]) > int(cm["metadata"]["resourceVersion"])
    assert updated["metadata"]["uid"] == cm["metadata"]["uid"]
    with pytest.raises(ApiError) as err:
        store.update(changed)  # stale resourceVersion
    assert err.value.reason == "Conflict"
    store.delete("configmaps", "default", "c")
    with pytest.raises(ApiError) as err:
        store.get("configmaps", "default", "c")
    assert err.value.code == 404
    assert err.value.kubectl_text() == 'Error from server (NotFound): configmaps "c" not found'
    with pytest.raises(ApiError) as err:
        store.get("deployments.apps", "default", "nope")
    assert err.value.message == 'deployments.apps "nope" not found'


def test_generation_moves_with_spec_only(cluster, make_deployment):
    store = cluster.store
    d = store.create(make_deployment("web"))
    relabelled = dict(d, metadata=dict(d["metadata"], labels={"x": "y"}))
    d2 = store.update(relabelled)
    assert d2["metadata"]["generation"] == 1
    scaled = store.patch("deployments", "default", "web", {"spec": {"replicas": 5}})
    assert scaled["metadata"]["generation"] == 2


def test_namespace_must_exist(cluster):
    with pytest.raises(ApiError) as err:
        cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap",
                              "metadata": {"name": "c", "namespace": "nowhere"}})
    assert err.value.message == 'namespaces "nowhere" not found'


def test_label_and_field_selectors(cluster):
    store = cluster.store
    for name, labels in (("a", {"app": "x", "tier": "web"}), ("b", {"app": "x"}),
                         ("c", {"app": "y"})):
        store.create({"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": name, "labels": labels}})
    names = lambda objs: [o["metadata"]["name"] for o in objs]  # noqa: E731
    assert names(store.list("configmaps", "default", "app=x")) == ["a", "b"]
    assert names(store.list("configmaps", "default", "app in (x,y),!tier")) == ["b", "c"]
    assert names(store.list("configmaps", "default", "app!=x,app")) == ["c"]
    assert names(store.list("configmaps", "default", "tier")) == ["a"]
    assert names(store.list("configmaps", "default", field_selector="metadata.name=b")) == ["b"]
    assert names(store.list("configmaps", "default", "app=x",
                            field_selector="metadata.name!=a")) == ["b"]


def test_service_name_must_be_dns1035(cluster, make_service):
    with pytest.raises(ApiError) as err:
        cluster.store.create(make_service("1abc"))
    assert err.value.kubectl_text() == (
        'The Service "1abc" is invalid: metadata.name: Invalid value: "1abc": a DNS-1035 label '
        "must consist of lower case alphanumeric characters or '-', start with an alphabetic "
        "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
        "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")


def test_configmap_name_must_be_a_subdomain(cluster):
    with pytest.raises(ApiError) as err:
        cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap",
                              "metadata": {"name": "Bad_Name"}})
    assert "a lowercase RFC 1123 subdomain must consist of" in err.value.message
    assert err.value.details["causes"][0]["field"] == "metadata.name"


def test_node_port_range_and_allocation(cluster, make_service):
    store = cluster.store
    with pytest.raises(ApiError) as err:
        store.create(make_service("np", {"app": "x"}, [{"port": 80, "nodePort": 80}],
                                  type="NodePort"))
    assert err.value.kubectl_text() == (
        'The Service "np" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port '
        "is not in the valid range. The range of valid ports is 30000-32767")
    store.create(make_service("first", {"app": "x"}, [{"port": 80, "nodePort": 30080}],
                              type="NodePort"))
    with pytest.raises(ApiError) as err:
        store.create(make_service("second", {"app": "x"}, [{"port": 80, "nodePort": 30080}],
                                  type="NodePort"))
    assert err.value.kubectl_text() == (
        'The Service "second" is invalid: spec.ports[0].nodePort: Invalid value: 30080: '
        "provided port is already allocated")
    # a failed create leaves nothing allocated: the name and the port are still free
    store.delete("services", "default", "first")
    again = store.create(make_service("second", {"app": "x"}, [{"port": 80, "nodePort": 30080}],
                                      type="NodePort"))
    assert again["spec"]["ports"][0]["nodePort"] == 30080


def test_service_defaults(cluster, make_service):
    svc = cluster.store.create(make_service("lb", {"app": "x"},
                                            [{"port": 8080, "targetPort": 80}],
                                            type="LoadBalancer"))
    spec = svc["spec"]
    assert spec["sessionAffinity"] == "None"
    assert spec["externalTrafficPolicy"] == "Cluster"
    assert spec["internalTrafficPolicy"] == "Cluster"
    assert spec["allocateLoadBalancerNodePorts"] is True
    assert spec["ipFamilies"] == ["IPv4"] and spec["ipFamilyPolicy"] == "SingleStack"
    assert spec["ports"][0]["protocol"] == "TCP"
    assert 30000 <= spec["ports"][0]["nodePort"] <= 32767
    assert spec["clusterIPs"] == [spec["clusterIP"]]
    assert svc["status"] == {"loadBalancer": {}}
    plain = cluster.store.create(make_service("plain", {"app": "x"}, [{"port": 81}]))
    assert plain["spec"]["ports"][0]["targetPort"] == 81
    assert "nodePort" not in plain["spec"]["ports"][0]


def test_multi_port_services_need_names_and_unique_ports(cluster, make_service):
    with pytest.raises(ApiError) as err:
        cluster.store.create(make_service("two", {"a": "b"}, [{"port": 80}, {"port": 443}]))
    fields = [c["field"] for c in err.value.details["causes"]]
    assert fields == ["spec.ports[0].name", "spec.ports[1].name"]
    assert err.value.kubectl_text().startswith('The Service "two" is invalid: \n* spec.ports[0].name: Required value')
    with pytest.raises(ApiError) as err:
        cluster.store.create(make_service("dup", {"a": "b"}, [{"port": 80, "name": "a"},
                                                              {"port": 80, "name": "b"}]))
    assert err.value.details["causes"][0]["field"] == "spec.ports[1]"
    assert err.value.details["causes"][0]["message"].startswith("Duplicate value: core.ServicePort{")


def test_cluster_ip_is_immutable(cluster, make_service):
    svc = cluster.store.create(make_service("s", {"a": "b"}))
    moved = dict(svc, spec=dict(svc["spec"], clusterIP="10.96.100.100", clusterIPs=["10.96.100.100"]))
    with pytest.raises(ApiError) as err:
        cluster.store.update(moved)
    assert err.value.kubectl_text() == (
        'The Service "s" is invalid: spec.clusterIP: Invalid value: "10.96.100.100": field is immutable')


def test_deployment_selector_required_and_matching(cluster, make_deployment):
    body = make_deployment("web")
    del body["spec"]["selector"]
    with pytest.raises(ApiError) as err:
        cluster.store.create(body)
    assert err.value.message == (
        'Deployment.apps "web" is invalid: [spec.selector: Required value, '
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: '
        "`selector` does not match template `labels`]")
    body = make_deployment("web")
    body["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    with pytest.raises(ApiError) as err:
        cluster.store.create(body)
    assert err.value.details["causes"][0]["field"] == "spec.template.metadata.labels"


def test_unknown_fields_strict_warn_ignore(cluster, make_deployment):
    body = make_deployment("web")
    body["spec"]["foo"] = 1
    body["spec"]["template"]["spec"]["containers"][0]["imagePolicy"] = "x"
    with pytest.raises(ApiError) as err:
        cluster.store.create(body)
    assert err.value.code == 400
    assert err.value.message == (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
        'unknown field "spec.template.spec.containers[0].imagePolicy", unknown field "spec.foo"')
    created = cluster.store.create(body, field_validation="Warn")
    assert cluster.store.warnings == ['unknown field "spec.template.spec.containers[0].imagePolicy"',
                                      'unknown field "spec.foo"']
    assert "foo" not in created["spec"]


def test_old_ingress_versions_are_not_served(cluster):
    reg = cluster.resources
    assert not reg.served("extensions/v1beta1", "Ingress")
    assert not reg.served("networking.k8s.io/v1beta1", "Ingress")
    assert reg.served("networking.k8s.io/v1", "Ingress")
    with pytest.raises(ApiError) as err:
        cluster.store.create({"apiVersion": "extensions/v1beta1", "kind": "Ingress",
                              "metadata": {"name": "i"}})
    assert 'no matches for kind "Ingress" in version "extensions/v1beta1"' in err.value.message


def test_registry_resolution(cluster):
    reg = cluster.resources
    for token, plural in (("svc", "services"), ("ep", "endpoints"), ("deploy", "deployments"),
                          ("rs", "replicasets"), ("sts", "statefulsets"), ("po", "pods"),
                          ("no", "nodes"), ("ns", "namespaces"), ("cm", "configmaps"),
                          ("ing", "ingresses"), ("netpol", "networkpolicies"),
                          ("sa", "serviceaccounts"), ("ev", "events"),
                          ("deployments.apps", "deployments"), ("deployment.v1.apps", "deployments"),
                          ("Deployment", "deployments"), ("ingresses.networking.k8s.io", "ingresses"),
                          ("pods.v1", "pods"), ("endpointslices", "endpointslices")):
        rt = reg.resolve(token)
        assert rt is not None and rt.plural == plural, token
    assert reg.resolve("ev").group == ""
    assert reg.resolve("deployments.extensions") is None
    assert reg.resolve("nonsense") is None
    assert [rt.plural for rt in reg.category("all")] == [
        "pods", "replicationcontrollers", "services", "daemonsets", "deployments",
        "replicasets", "statefulsets", "horizontalpodautoscalers", "cronjobs", "jobs"]
    deploy = reg.resolve("deploy")
    assert (deploy.kind_ref, deploy.group_resource, deploy.api_version) == (
        "deployment.apps", "deployments.apps", "apps/v1")


def test_unknown_profile_names_the_known_ones():
    with pytest.raises(ValueError) as err:
        Cluster("no-such-profile")
    assert "default" in str(err.value) and "no-such-profile" in str(err.value)


def test_patch_types(cluster, make_deployment):
    store = cluster.store
    store.create(make_deployment("web"))
    patched = store.patch("deployments", "default", "web", {"spec": {"template": {"spec": {
        "containers": [{"name": "web", "image": "nginx:1.27"}]}}}}, "strategic")
    containers = patched["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1 and containers[0]["image"] == "nginx:1.27"
    assert containers[0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    merged = store.patch("deployments", "default", "web",
                         {"metadata": {"labels": {"a": "b"}}}, "merge")
    assert merged["metadata"]["labels"] == {"a": "b"}
    jsoned = store.patch("deployments", "default", "web",
                         [{"op": "replace", "path": "/spec/replicas", "value": 4}], "json")
    assert jsoned["spec"]["replicas"] == 4


def test_type_changes_keep_or_drop_what_they_should(cluster, make_service):
    store = cluster.store
    svc = store.create(make_service("s", {"app": "x"}, [{"port": 80}], type="NodePort"))
    node_port = svc["spec"]["ports"][0]["nodePort"]
    to_lb = dict(svc, spec=dict(svc["spec"], type="LoadBalancer"))
    lb = store.update(to_lb)
    assert lb["spec"]["ports"][0]["nodePort"] == node_port  # kept through the change
    assert lb["spec"]["allocateLoadBalancerNodePorts"] is True
    back = store.update(dict(lb, spec=dict(lb["spec"], type="ClusterIP")))
    assert "nodePort" not in back["spec"]["ports"][0]
    assert "externalTrafficPolicy" not in back["spec"]
    assert "allocateLoadBalancerNodePorts" not in back["spec"]
    assert back["spec"]["clusterIP"] == svc["spec"]["clusterIP"]
    # the released port can be asked for again
    again = store.create(make_service("t", {"app": "x"}, [{"port": 80, "nodePort": node_port}],
                                      type="NodePort"))
    assert again["spec"]["ports"][0]["nodePort"] == node_port


def test_node_port_on_a_cluster_ip_service_is_forbidden(cluster, make_service):
    with pytest.raises(ApiError) as err:
        cluster.store.create(make_service("s", {"app": "x"}, [{"port": 80, "nodePort": 30001}]))
    assert err.value.kubectl_text() == (
        "The Service \"s\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when "
        "`type` is 'ClusterIP'")


def test_secret_data_must_be_base64_and_keys_valid(cluster):
    with pytest.raises(ApiError) as err:
        cluster.store.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                              "data": {"a": "ab$d"}})
    assert err.value.message == ('Secret in version "v1" cannot be handled as a Secret: '
                                 "illegal base64 data at input byte 2")
    made = cluster.store.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                                 "stringData": {"user": "admin"}})
    assert made["data"] == {"user": "YWRtaW4="} and "stringData" not in made
    assert made["type"] == "Opaque"
    with pytest.raises(ApiError) as err:
        cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                              "data": {"bad key": "x"}})
    assert err.value.details["causes"][0]["field"] == "data[bad key]"
    assert "a valid config key must consist of alphanumeric characters" in err.value.message


def test_secret_type_misplaced_in_metadata_is_an_unknown_field(cluster):
    with pytest.raises(ApiError) as err:
        cluster.store.create({"apiVersion": "v1", "kind": "Secret",
                              "metadata": {"name": "s", "type": "kubernetes.io/tls"},
                              "data": {"nginx.crt": "YQ=="}})
    assert err.value.message == ('Secret in version "v1" cannot be handled as a Secret: '
                                 'strict decoding error: unknown field "metadata.type"')


def test_workload_selectors_are_immutable(cluster, make_deployment):
    d = cluster.store.create(make_deployment("web"))
    changed = make_deployment("web", labels={"app": "other"})
    changed["metadata"] = d["metadata"]
    with pytest.raises(ApiError) as err:
        cluster.store.update(changed)
    assert err.value.kubectl_text() == (
        'The Deployment "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{'
        'MatchLabels:map[string]string{"app":"other"}, '
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable")


def test_pod_spec_updates_are_limited(cluster):
    store = cluster.store
    store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                  "spec": {"containers": [{"name": "c", "image": "nginx:1.26",
                                           "ports": [{"containerPort": 80}]}]}})
    image = store.patch("pods", "default", "p", {"spec": {"containers": [
        {"name": "c", "image": "nginx:1.27"}]}})
    assert image["spec"]["containers"][0]["image"] == "nginx:1.27"
    labelled = store.patch("pods", "default", "p", {"metadata": {"labels": {"a": "b"}}})
    assert labelled["metadata"]["labels"] == {"a": "b"}
    with pytest.raises(ApiError) as err:
        store.patch("pods", "default", "p", {"spec": {"containers": [
            {"name": "c", "ports": [{"containerPort": 8080}]}]}})
    assert err.value.kubectl_text().startswith(
        'The Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than '
        "`spec.containers[*].image`,")


@pytest.mark.parametrize("where, value, message", [
    (("spec", "replicas"), "two",
     'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal '
     "string into Go struct field DeploymentSpec.spec.replicas of type int32"),
    (("spec", "paused"), "yes",
     'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal '
     "string into Go struct field DeploymentSpec.spec.paused of type bool"),
    (("spec", "template", "spec", "containers", 0, "ports"), [{"containerPort": [80]}],
     'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal '
     "array into Go struct field ContainerPort.spec.template.spec.containers.ports."
     "containerPort of type int32"),
])
def test_a_field_of_the_wrong_json_type_fails_decoding(where, value, message):
    cluster = Cluster("default", workloads=False)
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx"}]}},
                     "unknownField": 1}}
    target = body
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    with pytest.raises(ApiError) as err:
        cluster.store.create(body)
    assert (err.value.code, err.value.reason, err.value.message) == (400, "BadRequest", message)
    assert cluster.store.find("deployments", "default", "web") is None


def test_pods_share_what_admission_adds_alike(cluster):
    from sim.api.objects import changed_shared

    made = [cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}"},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
            for i in range(2)]
    a, b = (m["spec"] for m in made)
    assert a["tolerations"] == b["tolerations"] and a["tolerations"][0] is b["tolerations"][0]
    assert a["volumes"][0]["name"] != b["volumes"][0]["name"]
    assert a["volumes"][0]["projected"] is b["volumes"][0]["projected"]
    # changing a stored object in place is a bug: the shared parts show it
    a["tolerations"][0]["tolerationSeconds"] = 1
    try:
        assert changed_shared() != []
    finally:
        a["tolerations"][0]["tolerationSeconds"] = 300
    assert changed_shared() == []


def test_alike_gives_one_object_for_equal_values_only():
    from sim.api.objects import alike

    first = alike({"ready": True, "ports": [{"port": 80, "protocol": "TCP"}]})
    assert alike({"ready": True, "ports": [{"port": 80, "protocol": "TCP"}]}) is first
    # equal in Python is not enough: JSON's types and the order of keys tell them apart
    for other in ({"ready": 1, "ports": [{"port": 80, "protocol": "TCP"}]},
                  {"ports": [{"port": 80, "protocol": "TCP"}], "ready": True},
                  {"ready": True, "ports": [{"port": 80.0, "protocol": "TCP"}]},
                  {"ready": True, "ports": [{"protocol": "TCP", "port": 80}]}):
        got = alike(other)
        assert got is other and got is not first
    assert alike(["a", "b"]) is alike(["a", "b"]) and alike(["a", "b"]) is not alike(["b", "a"])
    assert alike({}) is alike({}) and alike([]) is not alike({})


def test_alike_of_tells_its_parts_by_identity():
    from sim.api.objects import alike, alike_of

    one = alike_of([alike({"type": "Ready", "status": "True"}), alike({"type": "X", "status": "1"})])
    again = alike_of([alike({"type": "Ready", "status": "True"}), alike({"type": "X", "status": "1"})])
    assert again is one
    # a part that is not the remembered one is another value for it (never wrongly the same)
    fresh = alike_of([{"type": "Ready", "status": "True"}, alike({"type": "X", "status": "1"})])
    assert fresh is not one and fresh == one
    assert alike_of({"a": 1}) is not alike_of({"a": True})


def test_uids_are_the_version_4_uuids_of_the_seeded_stream():
    import random
    import uuid

    from sim.api.objects import new_uid

    ours, reference = random.Random(11), random.Random(11)
    for _ in range(2000):
        assert new_uid(ours) == str(uuid.UUID(int=reference.getrandbits(128), version=4))
