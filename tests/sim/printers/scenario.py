"""A cluster's worth of objects like those the guides show."""
from __future__ import annotations

from fixtures import (LAST_APPLIED, backend, configmap, deployment, endpoints, endpointslice,
                      event, ingress, involved, meta, node, pod, replicaset, secret, service,
                      statefulset)

RS_OWNER = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "my-nginx-6c5948bf66",
            "uid": "rs-uid", "controller": True, "blockOwnerDeletion": True}


def objects() -> list[dict]:
    nodes = [node("control-plane", "10.128.0.2", None, control_plane=True),
             node("kubernetes-minion-905m", "10.128.0.3", "104.197.41.11", age=86400 * 12 + 3600 * 5),
             node("kubernetes-minion-ljyd", "10.128.0.4", "23.251.152.56", age=3600 * 13,
                  unschedulable=True)]
    pods = [pod("my-nginx-6c5948bf66-jr4a2", "10.244.3.4", "kubernetes-minion-905m", owner=RS_OWNER),
            pod("my-nginx-6c5948bf66-kna2y", "10.244.2.5", "kubernetes-minion-ljyd", owner=RS_OWNER,
                restarts=5, age=3600 * 3 + 300),
            pod("my-nginx-6c5948bf66-xkn4v", None, "kubernetes-minion-905m", state="creating",
                owner=RS_OWNER, age=4),
            pod("broken", "10.244.3.9", "kubernetes-minion-905m", state="pull", image="nginx:nope",
                labels={"run": "broken"}, age=125),
            pod("finished", None, "kubernetes-minion-ljyd", state="completed", labels={"run": "job"},
                age=86400 * 3 + 3600 * 4),
            pod("leaving", "10.244.2.8", "kubernetes-minion-ljyd", deleting=True,
                labels={"app.kubernetes.io/name": "leaving", "tier": "web"})]
    http = [{"name": "http", "protocol": "TCP", "port": 8080, "targetPort": 80, "nodePort": 31704},
            {"name": "https", "protocol": "TCP", "port": 443, "targetPort": 443, "nodePort": 32453}]
    last = '{"apiVersion":"v1","kind":"Service","metadata":{"annotations":{},"name":"sample-lb","namespace":"default"}}\n'
    services = [
        service("kubernetes", ip="10.96.0.1", age=86400 * 93,
                ports=[{"name": "https", "protocol": "TCP", "port": 443, "targetPort": 6443}],
                labels={"component": "apiserver", "provider": "kubernetes"}),
        service("my-nginx", kind="NodePort", ip="10.96.162.149", ports=http,
                selector={"run": "my-nginx"}, labels={"run": "my-nginx"}),
        service("sample-lb", kind="LoadBalancer", ip="10.96.13.107", age=343,
                ports=[{"name": "http-port", "protocol": "TCP", "port": 8080, "targetPort": 80,
                        "nodePort": 30082}],
                selector={"app": "sample-app"}, lb={"ingress": [{"ip": "34.71.248.88", "ipMode": "VIP"}]},
                annotations={LAST_APPLIED: last}),
        service("aws-lb", kind="LoadBalancer", ip="10.96.0.77",
                ports=[{"protocol": "TCP", "port": 80, "targetPort": 80, "nodePort": 30001},
                       {"protocol": "TCP", "port": 81, "targetPort": 81, "nodePort": 30002},
                       {"protocol": "TCP", "port": 82, "targetPort": 82, "nodePort": 30003}],
                selector={"run": "my-nginx"},
                lb={"ingress": [{"hostname": "a320587ffd19711e5a37606cf4a74574-1142138393.us-east-1.elb.amazonaws.com"}]}),
        service("pending-lb", kind="LoadBalancer", ip="10.96.0.78",
                ports=[{"protocol": "TCP", "port": 80, "targetPort": 80, "nodePort": 30004}],
                selector={"run": "my-nginx"}),
        service("sample-externalip", ip="10.96.241.169", external_ips=["10.138.0.9", "10.138.0.10"],
                ports=[{"name": "http-port", "protocol": "TCP", "port": 8080, "targetPort": 80}],
                selector={"app": "sample-app"}),
        service("sample-headless", ip="None", age=19,
                ports=[{"name": "http-port", "protocol": "TCP", "port": 80, "targetPort": 80}],
                selector={"app": "sample-app"}),
        service("sample-externalname", kind="ExternalName", external_name="example.com", ports=[], age=5),
        service("kube-dns", ip="10.96.0.10", age=480,
                ports=[{"name": "dns", "protocol": "UDP", "port": 53, "targetPort": 53},
                       {"name": "dns-tcp", "protocol": "TCP", "port": 53, "targetPort": 53},
                       {"name": "metrics", "protocol": "TCP", "port": 9153, "targetPort": 9153}],
                selector={"k8s-app": "kube-dns"}),
    ]
    services[-1]["metadata"]["namespace"] = "kube-system"
    eps = [
        endpoints("my-nginx", [("10.244.2.5", "kubernetes-minion-ljyd"), ("10.244.3.4", "kubernetes-minion-905m")],
                  [{"name": "http", "port": 80, "protocol": "TCP"}, {"name": "https", "port": 443, "protocol": "TCP"}]),
        endpoints("sample-none-selector", [("17.178.96.59", None), ("172.217.175.110", None)],
                  [{"port": 80, "protocol": "TCP"}], age=78),
        endpoints("pending-lb", [], [{"port": 80, "protocol": "TCP"}]),
        endpoints("many", [(f"10.244.1.{i}", None) for i in range(2, 8)], [{"port": 8080, "protocol": "TCP"}],
                  not_ready=["10.244.1.99"]),
    ]
    slices = [
        endpointslice("my-nginx", "abcde", ["10.244.2.5", "10.244.3.4"],
                      [{"name": "http", "port": 80, "protocol": "TCP"}, {"name": "https", "port": 443, "protocol": "TCP"}]),
        endpointslice("sample-headless", "x7k2p", ["10.0.1.2", "10.0.1.3", "10.0.1.4", "10.0.1.5"],
                      [{"name": "http-port", "port": 80, "protocol": "TCP"}]),
    ]
    deploys = [deployment("my-nginx", 3, 2), deployment("sample-deployment", 3, 3, age=86400 * 400)]
    rss = [replicaset("my-nginx-6c5948bf66", "my-nginx", 3, 2)]
    stss = [statefulset("sample-statefulset-headless", 3, 3)]
    secrets = [secret("nginxsecret", "kubernetes.io/tls", {"tls.crt": "QUJD" * 291, "tls.key": "S0VZ" * 400}),
               secret("empty", "Opaque", {}, age=86400 * 800),
               secret("creds", "Opaque", {"password": "czNjcjN0", "user": "YWRtaW4="}, age=86400 * 3000)]
    cms = [configmap("nginxconfigmap", {"default.conf": "server {\n    listen 80;\n}\n"}),
           configmap("kube-root-ca.crt", {"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"},
                     age=86400 * 93)]
    ings = [ingress("sample-ingress", class_name=None,
                    default_backend=backend("sample-ingress-default", 8888),
                    tls=[{"hosts": ["sample.example.com"], "secretName": "tls-sample"}],
                    rules=[{"host": "sample.example.com", "http": {"paths": [
                        {"path": "/path1", "pathType": "Prefix", "backend": backend("sample-ingress-svc-1", 8888)},
                        {"path": "/path2", "pathType": "ImplementationSpecific", "backend": backend("sample-ingress-svc-2", "http")}]}}],
                    lb={"ingress": [{"ip": "35.190.31.149"}]}),
            ingress("many-hosts", class_name="nginx",
                    rules=[{"host": f"h{i}.example.com", "http": {"paths": [
                        {"path": "/", "pathType": "Prefix", "backend": backend("svc", 80)}]}} for i in range(5)],
                    age=700)]
    ic = {"kind": "IngressClass", "apiVersion": "networking.k8s.io/v1",
          "metadata": meta("nginx", 3600, namespace=None, generation=1,
                           labels={"app.kubernetes.io/component": "controller"}),
          "spec": {"controller": "k8s.io/ingress-nginx"}}
    netpol = {"kind": "NetworkPolicy", "apiVersion": "networking.k8s.io/v1",
              "metadata": meta("access-nginx", 600, generation=1),
              "spec": {"podSelector": {"matchLabels": {"app": "nginx"}},
                       "ingress": [{"from": [{"podSelector": {"matchLabels": {"access": "true"}}}]}],
                       "policyTypes": ["Ingress"]}}
    sa = {"kind": "ServiceAccount", "apiVersion": "v1", "metadata": meta("default", 86400 * 93)}
    ns = [{"kind": "Namespace", "apiVersion": "v1",
           "metadata": meta(n, 86400 * 93, namespace=None, labels={"kubernetes.io/metadata.name": n}),
           "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
          for n in ("default", "kube-system")]
    events = [
        event("broken.1", involved(pods[3], "spec.containers{nginx}"), "BackOff",
              'Back-off pulling image "nginx:nope"', type_="Warning", age=30, count=7,
              component="kubelet", host="kubernetes-minion-905m", first_age=120),
        event("broken.0", involved(pods[3]), "Scheduled",
              "Successfully assigned default/broken to kubernetes-minion-905m", age=125),
        event("sample-lb.0", involved(services[2]), "EnsuringLoadBalancer", "Ensuring load balancer",
              age=340, component="service-controller"),
        event("sample-lb.1", involved(services[2]), "EnsuredLoadBalancer", "Ensured load balancer",
              age=300, component="service-controller"),
    ]
    return [*nodes, *pods, *services, *eps, *slices, *deploys, *rss, *stss, *secrets, *cms, *ings, ic,
            netpol, sa, *ns, *events]
