"""Known fields of each kind, for the API server's field validation (Strict / Warn / Ignore).

A schema is a dict of field name -> sub-schema; ``ANY`` accepts anything below (free
maps like labels, or parts not described here); a one-element list describes the items
of a list. Unknown fields are reported with their path (``spec.template.spec.foo``)
and dropped, as the API server prunes what it cannot decode.
"""

from __future__ import annotations

ANY = None


def _fields(names: str, **typed) -> dict:
    out = {n: ANY for n in names.split()}
    out.update(typed)
    return out


OWNER_REF = _fields("apiVersion kind name uid controller blockOwnerDeletion")
OBJECT_META = _fields("name generateName namespace selfLink uid resourceVersion generation "
                      "creationTimestamp deletionTimestamp deletionGracePeriodSeconds labels "
                      "annotations finalizers managedFields", ownerReferences=[OWNER_REF])
LABEL_SELECTOR = _fields("matchLabels", matchExpressions=[_fields("key operator values")])
KEY_REF = _fields("name key optional")
ENV_VAR = _fields("name value", valueFrom=_fields(
    "fieldRef resourceFieldRef fileKeyRef", configMapKeyRef=KEY_REF, secretKeyRef=KEY_REF))
ENV_FROM = _fields("prefix", configMapRef=_fields("name optional"),
                   secretRef=_fields("name optional"))
PORT = _fields("name hostPort containerPort protocol hostIP")
HTTP_GET = _fields("path port host scheme", httpHeaders=[_fields("name value")])
HANDLER = _fields("grpc", httpGet=HTTP_GET, exec=_fields("command"),
                  tcpSocket=_fields("port host"))
PROBE = dict(HANDLER, **_fields("initialDelaySeconds timeoutSeconds periodSeconds "
                                "successThreshold failureThreshold "
                                "terminationGracePeriodSeconds"))
LIFECYCLE_HANDLER = dict(HANDLER, sleep=ANY)
CONTAINER = _fields(
    "name image command args workingDir resources resizePolicy restartPolicy "
    "restartPolicyRules volumeDevices terminationMessagePath terminationMessagePolicy "
    "imagePullPolicy securityContext stdin stdinOnce tty",
    ports=[PORT], envFrom=[ENV_FROM], env=[ENV_VAR],
    volumeMounts=[_fields("name readOnly recursiveReadOnly mountPath subPath "
                          "mountPropagation subPathExpr")],
    livenessProbe=PROBE, readinessProbe=PROBE, startupProbe=PROBE,
    lifecycle=_fields("stopSignal", postStart=LIFECYCLE_HANDLER, preStop=LIFECYCLE_HANDLER))
KEY_TO_PATH = _fields("key path mode")
VOLUME = _fields(
    "name hostPath emptyDir gcePersistentDisk awsElasticBlockStore gitRepo nfs iscsi "
    "glusterfs persistentVolumeClaim rbd flexVolume cinder cephfs flocker downwardAPI fc "
    "azureFile vsphereVolume quobyte azureDisk photonPersistentDisk projected "
    "portworxVolume scaleIO storageos csi ephemeral image",
    secret=_fields("secretName defaultMode optional", items=[KEY_TO_PATH]),
    configMap=_fields("name defaultMode optional", items=[KEY_TO_PATH]))
POD_SPEC = _fields(
    "restartPolicy terminationGracePeriodSeconds activeDeadlineSeconds dnsPolicy "
    "nodeSelector serviceAccountName serviceAccount automountServiceAccountToken nodeName "
    "hostNetwork hostPID hostIPC shareProcessNamespace securityContext imagePullSecrets "
    "hostname subdomain affinity schedulerName tolerations hostAliases priorityClassName "
    "priority dnsConfig readinessGates runtimeClassName enableServiceLinks "
    "preemptionPolicy overhead topologySpreadConstraints setHostnameAsFQDN os hostUsers "
    "schedulingGates resourceClaims resources hostnameOverride",
    volumes=[VOLUME], initContainers=[CONTAINER], containers=[CONTAINER],
    ephemeralContainers=[ANY])
TEMPLATE = _fields("", metadata=OBJECT_META, spec=POD_SPEC)
_TOP = {"apiVersion": ANY, "kind": ANY, "metadata": OBJECT_META, "status": ANY}


def _kind(**fields) -> dict:
    return dict(_TOP, **fields)


SERVICE_PORT = _fields("name protocol appProtocol port targetPort nodePort")
SERVICE_SPEC = _fields(
    "selector clusterIP clusterIPs type externalIPs sessionAffinity loadBalancerIP "
    "loadBalancerSourceRanges externalName externalTrafficPolicy healthCheckNodePort "
    "publishNotReadyAddresses sessionAffinityConfig ipFamilies ipFamilyPolicy "
    "allocateLoadBalancerNodePorts loadBalancerClass internalTrafficPolicy "
    "trafficDistribution", ports=[SERVICE_PORT])
INGRESS_BACKEND = _fields("resource", service=_fields("name", port=_fields("name number")))
INGRESS_SPEC = _fields(
    "ingressClassName", defaultBackend=INGRESS_BACKEND,
    tls=[_fields("hosts secretName")],
    rules=[_fields("host", http=_fields("", paths=[_fields("path pathType",
                                                           backend=INGRESS_BACKEND)]))])

SCHEMAS: dict[str, dict] = {
    "Pod": _kind(spec=POD_SPEC),
    "Service": _kind(spec=SERVICE_SPEC),
    "Deployment": _kind(spec=_fields(
        "replicas minReadySeconds revisionHistoryLimit paused progressDeadlineSeconds",
        selector=LABEL_SELECTOR, template=TEMPLATE,
        strategy=_fields("type", rollingUpdate=_fields("maxUnavailable maxSurge")))),
    "ReplicaSet": _kind(spec=_fields("replicas minReadySeconds", selector=LABEL_SELECTOR,
                                     template=TEMPLATE)),
    "StatefulSet": _kind(spec=_fields(
        "replicas volumeClaimTemplates serviceName podManagementPolicy updateStrategy "
        "revisionHistoryLimit minReadySeconds persistentVolumeClaimRetentionPolicy ordinals",
        selector=LABEL_SELECTOR, template=TEMPLATE)),
    "DaemonSet": _kind(spec=_fields("updateStrategy minReadySeconds revisionHistoryLimit",
                                    selector=LABEL_SELECTOR, template=TEMPLATE)),
    "Ingress": _kind(spec=INGRESS_SPEC),
    "IngressClass": _kind(spec=_fields("controller parameters")),
    "Secret": _kind(**_fields("data stringData type immutable")),
    "ConfigMap": _kind(**_fields("data binaryData immutable")),
    "Namespace": _kind(spec=_fields("finalizers")),
    "ServiceAccount": _kind(**_fields("secrets imagePullSecrets automountServiceAccountToken")),
    "Endpoints": _kind(subsets=[_fields(
        "", addresses=[_fields("ip hostname nodeName targetRef")],
        notReadyAddresses=[_fields("ip hostname nodeName targetRef")],
        ports=[_fields("name port protocol appProtocol")])]),
    "EndpointSlice": _kind(**_fields("addressType endpoints ports")),
    "NetworkPolicy": _kind(spec=_fields("podSelector ingress egress policyTypes")),
}


def check_fields(kind: str, obj: dict) -> list[str]:
    """Paths of the fields ``kind`` does not have, in document order; they are removed
    from ``obj``."""
    schema = SCHEMAS.get(kind)
    if schema is None:
        return []
    out: list[str] = []
    _walk(obj, schema, "", out)
    return out


def _walk(value, schema, path: str, out: list[str]) -> None:
    if schema is None:
        return
    if isinstance(schema, list):
        if isinstance(value, list):
            for i, item in enumerate(value):
                _walk(item, schema[0], f"{path}[{i}]", out)
        return
    if not isinstance(value, dict):
        return
    for key in list(value):
        here = f"{path}.{key}" if path else key
        if key not in schema:
            out.append(here)
            del value[key]
        else:
            _walk(value[key], schema[key], here, out)
