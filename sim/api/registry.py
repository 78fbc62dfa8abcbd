"""The resource types the simulated API server serves, as discovery describes them."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import ApiError

_RW = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
_NO_COLLECTION = ("create", "delete", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class ResourceType:
    plural: str
    singular: str
    kind: str
    group: str
    version: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = _RW
    categories: tuple[str, ...] = ()
    #: spec changes bump metadata.generation (workloads and most spec'd objects)
    generation: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_resource(self) -> str:
        """``deployments.apps`` / ``services``: how errors and messages name the type."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def kind_ref(self) -> str:
        """``deployment.apps`` / ``service``: the prefix of kubectl's ``kind.group/name``."""
        low = self.kind.lower()
        return f"{low}.{self.group}" if self.group else low


_ALL = ("all",)

# Order is what `kubectl api-resources` lists on a kubeadm v1.35 cluster: the core group,
# then the groups by name, each by resource name.
_CREATE = ("create",)
TYPES: tuple[ResourceType, ...] = (
    ResourceType("bindings", "binding", "Binding", "", "v1", True, verbs=_CREATE),
    ResourceType("componentstatuses", "componentstatus", "ComponentStatus", "", "v1", False,
                 ("cs",), verbs=("get", "list")),
    ResourceType("configmaps", "configmap", "ConfigMap", "", "v1", True, ("cm",)),
    ResourceType("endpoints", "endpoints", "Endpoints", "", "v1", True, ("ep",)),
    ResourceType("events", "event", "Event", "", "v1", True, ("ev",)),
    ResourceType("limitranges", "limitrange", "LimitRange", "", "v1", True, ("limits",)),
    ResourceType("namespaces", "namespace", "Namespace", "", "v1", False, ("ns",),
                 verbs=_NO_COLLECTION),
    ResourceType("nodes", "node", "Node", "", "v1", False, ("no",)),
    ResourceType("persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim",
                 "", "v1", True, ("pvc",)),
    ResourceType("persistentvolumes", "persistentvolume", "PersistentVolume", "", "v1", False,
                 ("pv",)),
    ResourceType("pods", "pod", "Pod", "", "v1", True, ("po",), categories=_ALL,
                 generation=True),
    ResourceType("podtemplates", "podtemplate", "PodTemplate", "", "v1", True),
    ResourceType("replicationcontrollers", "replicationcontroller", "ReplicationController",
                 "", "v1", True, ("rc",), categories=_ALL, generation=True),
    ResourceType("resourcequotas", "resourcequota", "ResourceQuota", "", "v1", True,
                 ("quota",)),
    ResourceType("secrets", "secret", "Secret", "", "v1", True),
    ResourceType("serviceaccounts", "serviceaccount", "ServiceAccount", "", "v1", True,
                 ("sa",)),
    ResourceType("services", "service", "Service", "", "v1", True, ("svc",), categories=_ALL),
    ResourceType("mutatingwebhookconfigurations", "mutatingwebhookconfiguration",
                 "MutatingWebhookConfiguration", "admissionregistration.k8s.io", "v1", False,
                 categories=("api-extensions",), generation=True),
    ResourceType("validatingadmissionpolicies", "validatingadmissionpolicy",
                 "ValidatingAdmissionPolicy", "admissionregistration.k8s.io", "v1", False,
                 categories=("api-extensions",), generation=True),
    ResourceType("validatingadmissionpolicybindings", "validatingadmissionpolicybinding",
                 "ValidatingAdmissionPolicyBinding", "admissionregistration.k8s.io", "v1", False,
                 categories=("api-extensions",), generation=True),
    ResourceType("validatingwebhookconfigurations", "validatingwebhookconfiguration",
                 "ValidatingWebhookConfiguration", "admissionregistration.k8s.io", "v1", False,
                 categories=("api-extensions",), generation=True),
    ResourceType("customresourcedefinitions", "customresourcedefinition",
                 "CustomResourceDefinition", "apiextensions.k8s.io", "v1", False,
                 ("crd", "crds"), categories=("api-extensions",), generation=True),
    ResourceType("apiservices", "apiservice", "APIService", "apiregistration.k8s.io", "v1",
                 False, categories=("api-extensions",)),
    ResourceType("controllerrevisions", "controllerrevision", "ControllerRevision", "apps",
                 "v1", True),
    ResourceType("daemonsets", "daemonset", "DaemonSet", "apps", "v1", True, ("ds",),
                 categories=_ALL, generation=True),
    ResourceType("deployments", "deployment", "Deployment", "apps", "v1", True, ("deploy",),
                 categories=_ALL, generation=True),
    ResourceType("replicasets", "replicaset", "ReplicaSet", "apps", "v1", True, ("rs",),
                 categories=_ALL, generation=True),
    ResourceType("statefulsets", "statefulset", "StatefulSet", "apps", "v1", True, ("sts",),
                 categories=_ALL, generation=True),
    ResourceType("selfsubjectreviews", "selfsubjectreview", "SelfSubjectReview",
                 "authentication.k8s.io", "v1", False, verbs=_CREATE),
    ResourceType("tokenreviews", "tokenreview", "TokenReview", "authentication.k8s.io", "v1",
                 False, verbs=_CREATE),
    ResourceType("localsubjectaccessreviews", "localsubjectaccessreview",
                 "LocalSubjectAccessReview", "authorization.k8s.io", "v1", True, verbs=_CREATE),
    ResourceType("selfsubjectaccessreviews", "selfsubjectaccessreview",
                 "SelfSubjectAccessReview", "authorization.k8s.io", "v1", False, verbs=_CREATE),
    ResourceType("selfsubjectrulesreviews", "selfsubjectrulesreview", "SelfSubjectRulesReview",
                 "authorization.k8s.io", "v1", False, verbs=_CREATE),
    ResourceType("subjectaccessreviews", "subjectaccessreview", "SubjectAccessReview",
                 "authorization.k8s.io", "v1", False, verbs=_CREATE),
    ResourceType("horizontalpodautoscalers", "horizontalpodautoscaler",
                 "HorizontalPodAutoscaler", "autoscaling", "v2", True, ("hpa",),
                 categories=_ALL),
    ResourceType("cronjobs", "cronjob", "CronJob", "batch", "v1", True, ("cj",),
                 categories=_ALL, generation=True),
    ResourceType("jobs", "job", "Job", "batch", "v1", True, categories=_ALL, generation=True),
    ResourceType("certificatesigningrequests", "certificatesigningrequest",
                 "CertificateSigningRequest", "certificates.k8s.io", "v1", False, ("csr",)),
    ResourceType("leases", "lease", "Lease", "coordination.k8s.io", "v1", True),
    ResourceType("endpointslices", "endpointslice", "EndpointSlice", "discovery.k8s.io", "v1",
                 True),
    ResourceType("events", "event", "Event", "events.k8s.io", "v1", True, ("ev",)),
    ResourceType("flowschemas", "flowschema", "FlowSchema", "flowcontrol.apiserver.k8s.io",
                 "v1", False, generation=True),
    ResourceType("prioritylevelconfigurations", "prioritylevelconfiguration",
                 "PriorityLevelConfiguration", "flowcontrol.apiserver.k8s.io", "v1", False,
                 generation=True),
    ResourceType("ingressclasses", "ingressclass", "IngressClass", "networking.k8s.io", "v1",
                 False, generation=True),
    ResourceType("ingresses", "ingress", "Ingress", "networking.k8s.io", "v1", True, ("ing",),
                 generation=True),
    ResourceType("ipaddresses", "ipaddress", "IPAddress", "networking.k8s.io", "v1", False,
                 ("ip",)),
    ResourceType("networkpolicies", "networkpolicy", "NetworkPolicy", "networking.k8s.io",
                 "v1", True, ("netpol",), generation=True),
    ResourceType("servicecidrs", "servicecidr", "ServiceCIDR", "networking.k8s.io", "v1",
                 False),
    ResourceType("runtimeclasses", "runtimeclass", "RuntimeClass", "node.k8s.io", "v1", False),
    ResourceType("poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget",
                 "policy", "v1", True, ("pdb",), generation=True),
    ResourceType("clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding",
                 "rbac.authorization.k8s.io", "v1", False),
    ResourceType("clusterroles", "clusterrole", "ClusterRole", "rbac.authorization.k8s.io",
                 "v1", False),
    ResourceType("rolebindings", "rolebinding", "RoleBinding", "rbac.authorization.k8s.io",
                 "v1", True),
    ResourceType("roles", "role", "Role", "rbac.authorization.k8s.io", "v1", True),
    ResourceType("deviceclasses", "deviceclass", "DeviceClass", "resource.k8s.io", "v1",
                 False, generation=True),
    ResourceType("resourceclaims", "resourceclaim", "ResourceClaim", "resource.k8s.io", "v1",
                 True, generation=True),
    ResourceType("resourceclaimtemplates", "resourceclaimtemplate", "ResourceClaimTemplate",
                 "resource.k8s.io", "v1", True, generation=True),
    ResourceType("resourceslices", "resourceslice", "ResourceSlice", "resource.k8s.io", "v1",
                 False, generation=True),
    ResourceType("priorityclasses", "priorityclass", "PriorityClass", "scheduling.k8s.io",
                 "v1", False, ("pc",)),
    ResourceType("csidrivers", "csidriver", "CSIDriver", "storage.k8s.io", "v1", False),
    ResourceType("csinodes", "csinode", "CSINode", "storage.k8s.io", "v1", False),
    ResourceType("csistoragecapacities", "csistoragecapacity", "CSIStorageCapacity",
                 "storage.k8s.io", "v1", True),
    ResourceType("storageclasses", "storageclass", "StorageClass", "storage.k8s.io", "v1",
                 False, ("sc",)),
    ResourceType("volumeattachments", "volumeattachment", "VolumeAttachment", "storage.k8s.io",
                 "v1", False),
    ResourceType("volumeattributesclasses", "volumeattributesclass", "VolumeAttributesClass",
                 "storage.k8s.io", "v1", False, ("vac",)),
)


@dataclass
class Registry:
    """Resolves what a user types (``svc``, ``deployments.apps``, ``deployment.v1.apps``,
    ``Ingress``) to a served type, and answers whether a group/version/kind is served."""

    types: tuple[ResourceType, ...] = TYPES
    _by_key: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for rt in self.types:
            for name in (rt.plural, rt.singular, rt.kind.lower(), *rt.short_names):
                # The first type wins for a bare name: core "events" before events.k8s.io,
                # as kubectl's discovery-ordered RESTMapper prefers.
                self._by_key.setdefault((name, None, None), rt)
                self._by_key.setdefault((name, rt.group, None), rt)
                self._by_key.setdefault((name, rt.group, rt.version), rt)

    def __iter__(self):
        return iter(self.types)

    def resolve(self, text: str) -> ResourceType | None:
        """The type ``text`` names, or None (kubectl: the server doesn't have a resource type)."""
        token = text.lower()
        found = self._by_key.get((token, None, None))
        if found:
            return found
        if "." not in token:
            return None
        name, _, rest = token.partition(".")
        found = self._by_key.get((name, rest, None))
        if found:
            return found
        version, _, group = rest.partition(".")
        if not group and version in ("v1",):
            return self._by_key.get((name, "", version))
        return self._by_key.get((name, group, version))

    def get(self, plural: str, group: str | None = None) -> ResourceType:
        """The type with this plural (and group); the core/first one when group is None."""
        found = self._by_key.get((plural, group, None)) if group is not None else \
            self._by_key.get((plural, None, None))
        if found is None or found.plural != plural:
            for rt in self.types:
                if rt.plural == plural and (group is None or rt.group == group):
                    return rt
            raise KeyError(plural)
        return found

    def for_kind(self, api_version: str, kind: str) -> ResourceType | None:
        """The type for a manifest's apiVersion + kind, or None when not served
        (kubectl: ``no matches for kind "Ingress" in version "extensions/v1beta1"``)."""
        group, _, version = api_version.rpartition("/")
        for rt in self.types:
            if rt.kind == kind and rt.group == group and rt.version == version:
                return rt
        return None

    def lookup(self, resource: "str | ResourceType") -> "ResourceType":
        """``pods``, ``deployments.apps`` or a ResourceType; the core type for a bare plural;
        an unknown one is the API server's NotFound."""
        if isinstance(resource, ResourceType):
            return resource
        plural, _, group = resource.partition(".")
        try:
            return self.get(plural, group if group else None)
        except KeyError:
            raise ApiError(404, "NotFound", "the server could not find the requested "
                                            f"resource ({resource})") from None

    def for_object(self, obj: dict) -> "ResourceType":
        """The type of a manifest; one not served is a BadRequest (``no matches for kind``)."""
        api_version, kind = obj.get("apiVersion") or "", obj.get("kind") or ""
        rt = self.for_kind(api_version, kind)
        if rt is None:
            raise ApiError(400, "BadRequest",
                           f'no matches for kind "{kind}" in version "{api_version}"', {})
        return rt

    def served(self, api_version: str, kind: str) -> bool:
        return self.for_kind(api_version, kind) is not None

    def category(self, name: str) -> list[ResourceType]:
        """The types of a category (``all``), in the order kubectl expands it."""
        return [rt for rt in self.types if name in rt.categories]

    def group_versions(self) -> list[str]:
        """Served group/versions in discovery order (``kubectl api-versions`` sorts them)."""
        seen: list[str] = []
        for rt in self.types:
            if rt.api_version not in seen:
                seen.append(rt.api_version)
        return seen
