"""The guides' kubectl commands against a real simulated cluster: each output is checked
against the state it reports (names, addresses and ports read from the store)."""

from __future__ import annotations

import subprocess

import pytest

from tests.sim.kubectl.conftest import run_sim

RUN_MY_NGINX = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
spec:
  selector:
    matchLabels:
      run: my-nginx
  replicas: 2
  template:
    metadata:
      labels:
        run: my-nginx
    spec:
      containers:
      - name: my-nginx
        image: nginx
        ports:
        - containerPort: 80
"""
SECURE_APP = """apiVersion: v1
kind: Service
metadata:
  name: my-nginx
  labels:
    run: my-nginx
spec:
  type: NodePort
  ports:
  - port: 8080
    targetPort: 80
    protocol: TCP
    name: http
  - port: 443
    protocol: TCP
    name: https
  selector:
    run: my-nginx
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
spec:
  selector:
    matchLabels:
      run: my-nginx
  replicas: 1
  template:
    metadata:
      labels:
        run: my-nginx
    spec:
      volumes:
      - name: secret-volume
        secret:
          secretName: nginxsecret
      - name: configmap-volume
        configMap:
          name: nginxconfigmap
      containers:
      - name: nginxhttps
        image: bprashanth/nginxhttps:1.0
        ports:
        - containerPort: 443
        - containerPort: 80
        volumeMounts:
        - mountPath: /etc/nginx/ssl
          name: secret-volume
        - mountPath: /etc/nginx/conf.d
          name: configmap-volume
"""


@pytest.fixture
def live(tmp_path):
    from sim.cluster import Cluster
    cluster = Cluster("default")
    (tmp_path / "run-my-nginx.yaml").write_text(RUN_MY_NGINX)
    (tmp_path / "nginx-secure-app.yaml").write_text(SECURE_APP)
    (tmp_path / "default.conf").write_text("server {\n  listen 80;\n}\n")

    def k(*args, **kw):
        cluster.tick()
        return run_sim(cluster, list(args), str(tmp_path), **kw)
    k.cluster = cluster
    k.dir = tmp_path
    return k


def pods(cluster, label):
    return cluster.store.list("pods", "default", label_selector=label)


def test_guide_000_services_flow(live):
    c = live.cluster
    assert live("apply", "-f", "./run-my-nginx.yaml").stdout == "deployment.apps/my-nginx created\n"
    wide = live("get", "pods", "-l", "run=my-nginx", "-o", "wide")
    names = sorted(p["metadata"]["name"] for p in pods(c, "run=my-nginx"))
    assert [line.split()[0] for line in wide.stdout.splitlines()[1:]] == names
    yaml_out = live("get", "pods", "-l", "run=my-nginx", "-o", "yaml").stdout
    for p in pods(c, "run=my-nginx"):
        assert f"    podIP: {p['status']['podIP']}\n" in yaml_out
    assert live("expose", "deployment/my-nginx").stdout == "service/my-nginx exposed\n"
    svc = c.store.get("services", "default", "my-nginx")
    assert svc["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    assert svc["spec"]["clusterIP"] in live("get", "svc", "my-nginx").stdout.splitlines()[1]
    described = live("describe", "svc", "my-nginx").stdout
    endpoints = ",".join(sorted(f"{p['status']['podIP']}:80" for p in pods(c, "run=my-nginx")))
    assert ["Endpoints:", endpoints] in [line.split() for line in described.splitlines()]
    ep = live("get", "ep", "my-nginx")
    assert ep.stderr.startswith("Warning: v1 Endpoints is deprecated")
    first = names[0]
    before = live("exec", first, "--", "printenv").stdout
    assert "MY_NGINX_SERVICE_HOST" not in before and "KUBERNETES_SERVICE_HOST" in before
    assert live("scale", "deployment", "my-nginx", "--replicas=0").stdout == \
        "deployment.apps/my-nginx scaled\n"
    live("scale", "deployment", "my-nginx", "--replicas=2")
    fresh = [p["metadata"]["name"] for p in pods(c, "run=my-nginx")
             if not p["metadata"].get("deletionTimestamp")]
    after = live("exec", fresh[0], "--", "printenv").stdout
    assert f"MY_NGINX_SERVICE_HOST={svc['spec']['clusterIP']}\n" in after
    dns = live("get", "services", "kube-dns", "--namespace=kube-system").stdout
    assert dns.splitlines()[1].split()[:3] == ["kube-dns", "ClusterIP", "10.96.0.10"]

    shell = live("run", "curl", "--image=radial/busyboxplus:curl", "-i", "--tty",
                 stdin_is_tty=True, lines=[b"exit\n"])
    assert shell.code == 0
    assert shell.stderr.endswith("If you don't see a command prompt, try pressing enter.\n")
    assert shell.stdout.endswith("Session ended, resume using 'kubectl attach curl -c curl -i -t' "
                                 "command when the pod is running\n")

    key, crt = live.dir / "nginx.key", live.dir / "nginx.crt"
    subprocess.run(["openssl", "req", "-x509", "-nodes", "-days", "365", "-newkey", "rsa:2048",
                    "-keyout", str(key), "-out", str(crt), "-subj", "/CN=my-nginx/O=my-nginx"],
                   check=True, capture_output=True)
    out = live("create", "secret", "tls", "nginxsecret", "--key", str(key), "--cert", str(crt))
    assert out.stdout == "secret/nginxsecret created\n"
    assert c.store.get("secrets", "default", "nginxsecret")["type"] == "kubernetes.io/tls"
    assert live("create", "configmap", "nginxconfigmap", "--from-file=default.conf").stdout == \
        "configmap/nginxconfigmap created\n"
    out = live("delete", "deployments,svc", "my-nginx")
    assert out.stdout == ('deployment.apps "my-nginx" deleted from default namespace\n'
                          'service "my-nginx" deleted from default namespace\n')
    out = live("create", "-f", "./nginx-secure-app.yaml")
    assert out.stdout == "service/my-nginx created\ndeployment.apps/my-nginx created\n"
    node_ports = [p["nodePort"] for p in
                  c.store.get("services", "default", "my-nginx")["spec"]["ports"]]
    yaml_out = live("get", "svc", "my-nginx", "-o", "yaml").stdout
    assert all(f"nodePort: {n}\n" in yaml_out for n in node_ports)

    edited = live("edit", "svc", "my-nginx",
                  editor=lambda text: text.replace("type: NodePort", "type: LoadBalancer"))
    assert (edited.code, edited.stdout) == (0, "service/my-nginx edited\n")
    assert c.store.get("services", "default", "my-nginx")["spec"]["type"] == "LoadBalancer"
    assert "Type:                     LoadBalancer" in live("describe", "service", "my-nginx").stdout


def test_guide_002_clusterip_flow(live):
    c = live.cluster
    live("create", "deployment", "sample-deployment", "--image=nginx:1.16", "--replicas=3")
    live("expose", "deployment", "sample-deployment", "--name=sample-clusterip", "--port=8080",
         "--target-port=80")
    ips = live("get", "pods", "-l", "app=sample-deployment", "-o",
               "custom-columns=NAME:{metadata.name},IP:{status.podIP}")
    rows = {p["metadata"]["name"]: p["status"]["podIP"]
            for p in pods(c, "app=sample-deployment")}
    assert ips.stdout.splitlines()[1:] == [f"{n}   {ip}" for n, ip in sorted(rows.items())] or \
        [line.split() for line in ips.stdout.splitlines()[1:]] == \
        [[n, ip] for n, ip in sorted(rows.items())]
    names = live("get", "pods", "-l", "app=sample-deployment", "-o",
                 "jsonpath={.items[*].metadata.name}").stdout
    assert names.split() == sorted(rows)
    for name in names.split():
        out = live("exec", "-it", name, "--", "cp", "/etc/hostname",
                   "/usr/share/nginx/html/index.html", stdin_is_tty=True)
        assert out.code == 0
    cluster_ip = c.store.get("services", "default", "sample-clusterip")["spec"]["clusterIP"]
    seen = set()
    for _ in range(3):
        out = live("run", "--image=centos:6", "--restart=Never", "--rm", "-i", "testpod", "--",
                   "curl", "-s", f"http://{cluster_ip}:8080")
        assert out.code == 0 and out.stderr == ""
        body, deleted = out.stdout.rsplit("\n", 2)[0], out.stdout.splitlines()[-1]
        assert deleted == 'pod "testpod" deleted from default namespace'
        seen.add(body.strip())
    assert seen == set(rows)
    described = live("describe", "service", "sample-clusterip").stdout
    line = next(x.split() for x in described.splitlines() if x.startswith("Endpoints:"))
    assert sorted(line[1].split(",")) == sorted(f"{ip}:80" for ip in rows.values())
    old_form = live("exec", "-it", sorted(rows)[0], "printenv")
    assert old_form.code == 1 and "is not supported anymore" in old_form.stderr


def test_rollout_status_and_wait(live):
    c = live.cluster
    live("apply", "-f", "./run-my-nginx.yaml")
    status = run_sim(c, ["rollout", "status", "deployment/my-nginx"], str(live.dir))
    assert status.code == 0
    assert status.stdout.endswith('deployment "my-nginx" successfully rolled out\n')
    for line in status.stdout.splitlines()[:-1]:
        assert line.startswith('Waiting for deployment "my-nginx" rollout to finish: ')
    dep = c.store.get("deployments", "default", "my-nginx")
    assert dep["status"]["availableReplicas"] == 2
    assert live("rollout", "status", "svc/kubernetes").stderr == (
        "error: no status viewer has been implemented for Service\n")
    out = live("wait", "--for=condition=Ready", "pod", "--all")
    names = sorted(p["metadata"]["name"] for p in pods(c, "run=my-nginx"))
    assert out.stdout == "".join(f"pod/{n} condition met\n" for n in names)
    svc_type = c.store.get("services", "default", "kubernetes")["spec"]["type"]
    out = live("wait", f"--for=jsonpath={{.spec.type}}={svc_type}", "svc/kubernetes")
    assert out.stdout == "service/kubernetes condition met\n"
    live("expose", "deploy/my-nginx", "--type=LoadBalancer")
    ingress = (c.store.get("services", "default", "my-nginx").get("status") or {}).get(
        "loadBalancer", {}).get("ingress")
    out = live("wait", "--for=jsonpath={.status.loadBalancer.ingress}", "service/my-nginx",
               "--timeout=5s")
    if ingress:
        assert out.stdout == "service/my-nginx condition met\n"
    else:
        assert (out.code, out.stderr) == (
            1, "error: timed out waiting for the condition on services/my-nginx\n")
    assert live("wait", "--for=bogus", "pod", "--all").stderr == \
        'error: unrecognized condition: "bogus"\n'
    assert live("rollout", "restart", "deploy/my-nginx").stdout == \
        "deployment.apps/my-nginx restarted\n"
    assert live("rollout", "status", "deploy/my-nginx").stdout.endswith("successfully rolled out\n")


def test_strict_field_validation_and_unserved_versions(live):
    (live.dir / "unknown.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: unk\nspec:\n  selector: {app: x}\n"
        "  ports:\n  - port: 80\n  foo: bar\n")
    out = live("apply", "-f", "unknown.yaml")
    assert out.code == 1
    assert out.stderr.startswith('Error from server (BadRequest): error when creating '
                                 '"unknown.yaml": ')
    assert 'unknown field "spec.foo"' in out.stderr
    out = live("apply", "-f", "unknown.yaml", "--validate=false")
    assert (out.code, out.stdout) == (0, "service/unk created\n")
    (live.dir / "ingress.yaml").write_text(
        "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: old\nspec:\n"
        "  backend:\n    serviceName: x\n    servicePort: 80\n")
    out = live("create", "-f", "ingress.yaml")
    assert (out.code, out.stderr) == (1, (
        'error: resource mapping not found for name: "old" namespace: "" from "ingress.yaml": '
        'no matches for kind "Ingress" in version "extensions/v1beta1"\n'
        "ensure CRDs are installed first\n"))
