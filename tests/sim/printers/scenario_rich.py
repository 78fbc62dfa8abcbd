"""Objects with the detail real clusters add: token volumes, probes, owners, leases."""
from __future__ import annotations

from fixtures import LAST_APPLIED, container, event, involved, meta, node, pod, ts

DEPLOY_UID = "5b1a2c3d-0000-4000-8000-00000000d001"
RS_UID = "5b1a2c3d-0000-4000-8000-00000000r001"
OLD_RS_UID = "5b1a2c3d-0000-4000-8000-00000000r000"


def _secure_pod(name: str, ip: str, node_name: str, age: float) -> dict:
    p = pod(name, ip, node_name, age=age, labels={"run": "nginx-secure", "pod-template-hash": "7d9c8b7f6"},
            owner={"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "nginx-secure-7d9c8b7f6",
                   "uid": RS_UID, "controller": True, "blockOwnerDeletion": True})
    c = p["spec"]["containers"][0]
    c["image"] = "bprashanth/nginxhttps:1.0"
    c["ports"] = [{"containerPort": 443, "protocol": "TCP"}, {"name": "http", "containerPort": 80, "protocol": "TCP"}]
    c["resources"] = {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "250m", "memory": "64Mi"}}
    c["env"] = [{"name": "MODE", "value": "secure"},
                {"name": "MY_POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
                {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}},
                {"name": "MULTI", "value": "line one\nline two"}]
    c["readinessProbe"] = {"httpGet": {"path": "/index.html", "port": 80, "scheme": "HTTP"},
                           "initialDelaySeconds": 5, "timeoutSeconds": 1, "periodSeconds": 10,
                           "successThreshold": 1, "failureThreshold": 3}
    c["livenessProbe"] = {"tcpSocket": {"port": "http"}, "timeoutSeconds": 1, "periodSeconds": 10,
                          "successThreshold": 1, "failureThreshold": 3}
    c["command"] = ["/home/auto-reload-nginx.sh"]
    c["volumeMounts"] = [
        {"name": "secret-volume", "mountPath": "/etc/nginx/ssl"},
        {"name": "configmap-volume", "mountPath": "/etc/nginx/conf.d"},
        {"name": "kube-api-access-x7k2p", "readOnly": True,
         "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]
    p["spec"]["volumes"] = [
        {"name": "secret-volume", "secret": {"secretName": "nginxsecret", "defaultMode": 420}},
        {"name": "configmap-volume", "configMap": {"name": "nginxconfigmap", "defaultMode": 420}},
        {"name": "kube-api-access-x7k2p", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
                "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}},
        {"name": "cache", "emptyDir": {}},
        {"name": "logs", "hostPath": {"path": "/var/log/nginx", "type": "DirectoryOrCreate"}}]
    p["status"]["qosClass"] = "Burstable"
    return p


def objects() -> list[dict]:
    labels = {"run": "nginx-secure"}
    template = {"metadata": {"labels": labels},
                "spec": {"containers": [container("nginx", "bprashanth/nginxhttps:1.0", 443)],
                         "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                         "dnsPolicy": "ClusterFirst", "securityContext": {},
                         "schedulerName": "default-scheduler",
                         "volumes": [{"name": "secret-volume", "secret": {"secretName": "nginxsecret",
                                                                          "defaultMode": 420}}]}}
    template["spec"]["containers"][0]["volumeMounts"] = [{"name": "secret-volume", "mountPath": "/etc/nginx/ssl"}]
    last = ('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"name":"nginx-secure",'
            '"namespace":"default"},"spec":{"replicas":2,"selector":{"matchLabels":{"run":"nginx-secure"}}}}\n')
    deploy = {"kind": "Deployment", "apiVersion": "apps/v1",
              "metadata": meta("nginx-secure", 7200 + 30, uid=DEPLOY_UID, generation=2, labels=labels,
                               annotations={"deployment.kubernetes.io/revision": "2", LAST_APPLIED: last}),
              "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": template,
                       "strategy": {"type": "RollingUpdate",
                                    "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                       "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
              "status": {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2,
                         "availableReplicas": 2, "conditions": [
                             {"type": "Available", "status": "True", "lastUpdateTime": ts(3600),
                              "lastTransitionTime": ts(3600), "reason": "MinimumReplicasAvailable",
                              "message": "Deployment has minimum availability."},
                             {"type": "Progressing", "status": "True", "lastUpdateTime": ts(3600),
                              "lastTransitionTime": ts(7200), "reason": "NewReplicaSetAvailable",
                              "message": 'ReplicaSet "nginx-secure-7d9c8b7f6" has successfully progressed.'}]}}

    def rs(name: str, uid: str, hash_: str, replicas: int, image: str, age: float) -> dict:
        tpl = {"metadata": {"labels": {**labels, "pod-template-hash": hash_}}, "spec": dict(template["spec"])}
        if image != "bprashanth/nginxhttps:1.0":
            tpl["spec"] = {**template["spec"], "containers": [container("nginx", image, 80)]}
        return {"kind": "ReplicaSet", "apiVersion": "apps/v1",
                "metadata": meta(name, age, uid=uid, generation=1,
                                 labels={**labels, "pod-template-hash": hash_},
                                 annotations={"deployment.kubernetes.io/desired-replicas": "2",
                                              "deployment.kubernetes.io/max-replicas": "3",
                                              "deployment.kubernetes.io/revision": "2" if replicas else "1"},
                                 ownerReferences=[{"apiVersion": "apps/v1", "kind": "Deployment",
                                                   "name": "nginx-secure", "uid": DEPLOY_UID,
                                                   "controller": True, "blockOwnerDeletion": True}]),
                "spec": {"replicas": replicas, "selector": {"matchLabels": {**labels, "pod-template-hash": hash_}},
                         "template": tpl},
                "status": {"replicas": replicas, "fullyLabeledReplicas": replicas, "readyReplicas": replicas,
                           "availableReplicas": replicas, "observedGeneration": 1}}

    new_rs = rs("nginx-secure-7d9c8b7f6", RS_UID, "7d9c8b7f6", 2, "bprashanth/nginxhttps:1.0", 3630)
    old_rs = rs("nginx-secure-5f6d4c9b8", OLD_RS_UID, "5f6d4c9b8", 0, "nginx", 7230)
    pods = [_secure_pod("nginx-secure-7d9c8b7f6-e9ihh", "10.244.2.7", "worker-1", 3600 + 75),
            _secure_pod("nginx-secure-7d9c8b7f6-j4rm4", "10.244.3.8", "worker-2", 3600 + 80)]
    pods[1]["status"]["containerStatuses"][0]["restartCount"] = 2
    pods[1]["status"]["containerStatuses"][0]["lastState"] = {"terminated": {
        "exitCode": 137, "reason": "OOMKilled", "message": "killed", "startedAt": ts(3500),
        "finishedAt": ts(3400)}}
    workers = [node("worker-1", "10.128.0.3", "104.197.41.11", age=86400 * 5 + 3600 * 4 + 30),
               node("worker-2", "10.128.0.4", None, age=86400 * 5 + 3600 * 4 + 30)]
    workers[0]["spec"]["taints"] = [{"key": "dedicated", "value": "web", "effect": "NoSchedule"},
                                    {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]
    workers[0]["metadata"]["annotations"]["long.example.com/description"] = "x" * 150
    workers[0]["metadata"]["annotations"]["multi.example.com/config"] = "a: 1\nb: 2\n"
    lease = {"kind": "Lease", "apiVersion": "coordination.k8s.io/v1",
             "metadata": meta("worker-1", 86400 * 5, namespace="kube-node-lease"),
             "spec": {"holderIdentity": "worker-1", "leaseDurationSeconds": 40,
                      "renewTime": ts(3600 + 600)[:-1] + ".123456Z"}}
    evs = [event("nginx-secure-7d9c8b7f6-j4rm4.a", involved(pods[1], "spec.containers{nginx}"), "Pulled",
                 'Container image "bprashanth/nginxhttps:1.0" already present on machine',
                 age=3600 + 600, count=3, component="kubelet", host="worker-2", first_age=3600 + 1200),
           event("nginx-secure-7d9c8b7f6-j4rm4.b", involved(pods[1]), "Scheduled",
                 "Successfully assigned default/nginx-secure-7d9c8b7f6-j4rm4 to worker-2", age=3600 + 1800),
           event("nginx-secure.1", involved(deploy), "ScalingReplicaSet",
                 "Scaled up replica set nginx-secure-7d9c8b7f6 from 0 to 2", age=3600 + 1800,
                 component="deployment-controller"),
           event("worker-1.1", {"kind": "Node", "name": "worker-1", "uid": "worker-1", "apiVersion": "v1"},
                 "NodeReady", "Node worker-1 status is now: NodeReady", age=86400 * 2, component="kubelet",
                 host="worker-1"),
           event("worker-1.2", involved(workers[0]), "RegisteredNode",
                 "Node worker-1 event: Registered Node worker-1 in Controller", age=86400 * 5,
                 component="node-controller")]
    evs[3]["metadata"]["namespace"] = "default"
    modern = event("nginx-secure-7d9c8b7f6-j4rm4.c", involved(pods[1]), "Unhealthy",
                   "Readiness probe failed: HTTP probe failed with statuscode: 503",
                   type_="Warning", age=3600 + 900, component="")
    modern.update({"source": {}, "firstTimestamp": None, "lastTimestamp": None, "count": 0,
                   "eventTime": ts(3600 + 900)[:-1] + ".250000Z", "action": "Probe",
                   "reportingComponent": "kubelet", "reportingInstance": "worker-2",
                   "series": {"count": 4, "lastObservedTime": ts(3600 + 300)[:-1] + ".500000Z"}})
    evs.append(modern)
    sa_token = {"kind": "Secret", "apiVersion": "v1", "type": "kubernetes.io/service-account-token",
                "metadata": meta("default-token-il9rc", 86400, annotations={
                    "kubernetes.io/service-account.name": "default",
                    "kubernetes.io/service-account.uid": "0f1e2d3c-0000-4000-8000-000000000005"}),
                "data": {"ca.crt": "Q0E=", "namespace": "ZGVmYXVsdA==", "token": "ZXlKaGJHY2lPaUpTVXpJMU5pSjk="}}
    norules = {"kind": "Ingress", "apiVersion": "networking.k8s.io/v1",
               "metadata": meta("test-ingress", 3600 * 30, generation=1,
                                annotations={"kubernetes.io/ingress.allow-http": "false"}),
               "spec": {"defaultBackend": {"service": {"name": "my-nginx", "port": {"name": "https"}}}},
               "status": {"loadBalancer": {"ingress": [{"hostname": "k8s-default-testingr-0123456789.elb.amazonaws.com"}]}}}
    job_tpl = {"metadata": {"labels": {"job-name": "pi"}},
               "spec": {"containers": [container("pi", "perl:5.34.0", None)], "restartPolicy": "Never"}}
    job = {"kind": "Job", "apiVersion": "batch/v1",
           "metadata": meta("pi", 600, labels={"job-name": "pi"}),
           "spec": {"parallelism": 1, "completions": 1, "backoffLimit": 4,
                    "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "c-1"}},
                    "template": job_tpl},
           "status": {"startTime": ts(600), "completionTime": ts(540), "succeeded": 1,
                      "conditions": [{"type": "SuccessCriteriaMet", "status": "True"},
                                     {"type": "Complete", "status": "True"}]}}
    running = {"kind": "Job", "apiVersion": "batch/v1",
               "metadata": meta("hello-29000000", 30, labels={"job-name": "hello-29000000"}),
               "spec": {"parallelism": 2, "template": job_tpl},
               "status": {"active": 1}}
    cron = {"kind": "CronJob", "apiVersion": "batch/v1", "metadata": meta("hello", 86400),
            "spec": {"schedule": "* * * * *", "suspend": False, "concurrencyPolicy": "Allow",
                     "jobTemplate": {"spec": {"template": job_tpl}}},
            "status": {"lastScheduleTime": ts(30),
                       "active": [{"kind": "Job", "name": "hello-29000000", "namespace": "default"}]}}
    tokyo = {"kind": "CronJob", "apiVersion": "batch/v1", "metadata": meta("nightly", 86400 * 3),
             "spec": {"schedule": "0 3 * * *", "timeZone": "Asia/Tokyo", "suspend": True,
                      "concurrencyPolicy": "Forbid", "successfulJobsHistoryLimit": 3,
                      "failedJobsHistoryLimit": 1, "startingDeadlineSeconds": 200,
                      "jobTemplate": {"spec": {"completions": 2, "parallelism": 1,
                                               "activeDeadlineSeconds": 600, "template": job_tpl}}},
             "status": {}}
    escapes = {"kind": "ConfigMap", "apiVersion": "v1",
               "metadata": meta("escapes", 90, labels={"color": "red"}, annotations={"note": "a\rb"}),
               "data": {"banner": "\x1b[31mred\x1b[0m\r\n", "motd": "line one\nline two"}}
    proxy_labels = {"k8s-app": "kube-proxy"}
    proxy_uid = "5b1a2c3d-0000-4000-8000-0000000000d5"
    proxy = {"kind": "DaemonSet", "apiVersion": "apps/v1",
             "metadata": meta("kube-proxy", 86400 * 5, namespace="kube-system", uid=proxy_uid, generation=1,
                              labels=proxy_labels, annotations={"deprecated.daemonset.template.generation": "1"}),
             "spec": {"selector": {"matchLabels": proxy_labels},
                      "template": {"metadata": {"labels": proxy_labels},
                                   "spec": {"containers": [container("kube-proxy", "registry.k8s.io/kube-proxy:v1.35.2", None)],
                                            "nodeSelector": {"kubernetes.io/os": "linux"},
                                            "priorityClassName": "system-node-critical",
                                            "serviceAccountName": "kube-proxy",
                                            "tolerations": [{"operator": "Exists"}]}},
                      "updateStrategy": {"type": "RollingUpdate",
                                         "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
                      "revisionHistoryLimit": 10},
             "status": {"currentNumberScheduled": 2, "numberMisscheduled": 0, "desiredNumberScheduled": 2,
                        "numberReady": 2, "observedGeneration": 1, "updatedNumberScheduled": 2,
                        "numberAvailable": 2}}
    proxy_pod = pod("kube-proxy-x2bq9", "10.128.0.3", "worker-1", age=86400 * 5 - 60, labels=proxy_labels,
                    owner={"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "kube-proxy",
                           "uid": proxy_uid, "controller": True, "blockOwnerDeletion": True})
    proxy_pod["metadata"]["namespace"] = "kube-system"
    return [deploy, new_rs, old_rs, *pods, *workers, lease, *evs, sa_token, norules, job, running, cron, tokyo,
            escapes, proxy, proxy_pod]
