"""The kubectl command tree: each verb's flags and entry point."""

from __future__ import annotations

from sim.kubectl import (apply, attach, config, create, events, delete, describe, edit, execverb, expose, get, info,
                         logs, mutate, nodes, portforward, proxy, rollout, run, setimage, waitverb)
from sim.kubectl.command import Command, Ctx, find, help_text

# One-line descriptions, by command path (kubectl's own texts).
SHORTS: dict[str, str] = {
 "kubectl": "kubectl controls the Kubernetes cluster manager",
 "create": "Create a resource from a file or from stdin",
 "expose": "Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service",
 "run": "Run a particular image on the cluster",
 "get": "Display one or many resources",
 "edit": "Edit a resource on the server",
 "delete": "Delete resources by file names, stdin, resources and names, or by resources and label selector",
 "rollout": "Manage the rollout of a resource",
 "scale": "Set a new size for a deployment, replica set, or replication controller",
 "cluster-info": "Display cluster information",
 "describe": "Show details of a specific resource or group of resources",
 "logs": "Print the logs for a container in a pod",
 "attach": "Attach to a running container",
 "exec": "Execute a command in a container",
 "port-forward": "Forward one or more local ports to a pod",
 "proxy": "Run a proxy to the Kubernetes API server",
 "events": "List events",
 "apply": "Apply a configuration to a resource by file name or stdin",
 "patch": "Update fields of a resource",
 "wait": "Wait for a specific condition on one or many resources",
 "label": "Update the labels on a resource",
 "annotate": "Update the annotations on a resource",
 "config": "Modify kubeconfig files",
 "version": "Print the client and server version information",
 "api-versions": 'Print the supported API versions on the server, in the form of "group/version"',
 "api-resources": "Print the supported API resources on the server",
 "help": "Help about any command",

 "create deployment": "Create a deployment with the specified name",
 "create job": "Create a job with the specified name",
 "create service": "Create a service using a specified subcommand",
 "create service clusterip": "Create a ClusterIP service",
 "create service nodeport": "Create a NodePort service",
 "create service loadbalancer": "Create a LoadBalancer service",
 "create service externalname": "Create an ExternalName service",
 "create namespace": "Create a namespace with the specified name",
 "create configmap": "Create a config map from a local file, directory or literal value",
 "create secret": "Create a secret using a specified subcommand",
 "create secret generic": "Create a secret from a local file, directory, or literal value",
 "create secret tls": "Create a TLS secret",
 "create ingress": "Create an ingress with the specified name",
 "rollout status": "Show the status of the rollout",
 "rollout restart": "Restart a resource",
 "rollout history": "View rollout history",
 "rollout undo": "Undo a previous rollout",
 "set": "Set specific features on objects",
 "cordon": "Mark node as unschedulable",
 "uncordon": "Mark node as schedulable",
 "taint": "Update the taints on one or more nodes",
 "set image": "Update the image of a pod template",
 "config view": "Display merged kubeconfig settings or a specified kubeconfig file",
 "config current-context": "Display the current-context",
 "config get-contexts": "Describe one or many contexts",
 "config get-clusters": "Display clusters defined in the kubeconfig",
 "config get-users": "Display users defined in the kubeconfig",
 "config use-context": "Set the current-context in a kubeconfig file",
 "config set-context": "Set a context entry in kubeconfig",
}

# cobra's SuggestFor: typed words that suggest a command besides its own likeness.
SUGGEST_FOR: dict[str, tuple[str, ...]] = {
    "get": ("list", "ps"), "delete": ("rm",), "wait": ("list", "ps"),
}

# Every command cobra offers as a suggestion, in kubectl's registration order.
SUGGESTIBLE = (
    "create", "expose", "run", "set", "explain", "get", "edit", "delete", "rollout", "scale",
    "autoscale", "certificate", "cluster-info", "top", "cordon", "uncordon", "drain", "taint",
    "describe", "logs", "attach", "exec", "port-forward", "proxy", "cp", "auth", "debug",
    "events", "diff", "apply", "patch", "replace", "wait", "kustomize", "label", "annotate",
    "completion", "alpha", "config", "plugin", "version", "api-versions", "api-resources",
    "options",
)


def _api_versions(ctx: Ctx) -> int:
    from sim.kubectl.resolve import all_types
    versions = sorted({t.api_version for t in all_types(ctx.cluster)})
    ctx.out("".join(v + "\n" for v in versions))
    return 0


def _help(ctx: Ctx) -> int:
    """``kubectl help [COMMAND…]``: the same text as ``COMMAND --help``."""
    chain, rest = find(ROOT, ctx.args)
    if rest and rest[0] not in [c.name for c in chain[-1].children] and chain[-1] is ROOT:
        ctx.out(f'Unknown help topic [`{rest[0]}`]\n')
    path = " ".join(["kubectl"] + [c.name for c in chain[1:]])
    ctx.out(help_text(chain[-1], path))
    return 0


ROOT = Command("kubectl", None, (), children=[
    create.COMMAND,
    Command("expose", expose.run, expose.FLAGS),
    Command("run", run.run, run.FLAGS, required=("image",)),
    Command("get", get.run, get.FLAGS),
    Command("edit", edit.run, edit.FLAGS),
    Command("delete", delete.run, delete.FLAGS),
    rollout.COMMAND,
    setimage.SET_COMMAND,
    Command("scale", mutate.run_scale, mutate.SCALE_FLAGS, required=("replicas",)),
    Command("cluster-info", info.run_cluster_info, info.CLUSTER_INFO_FLAGS),
    Command("cordon", nodes.run_cordon, nodes.CORDON_FLAGS),
    Command("uncordon", nodes.run_uncordon, nodes.CORDON_FLAGS),
    Command("taint", nodes.run_taint, nodes.TAINT_FLAGS),
    Command("describe", describe.run, describe.FLAGS),
    Command("logs", logs.run, logs.FLAGS),
    Command("attach", attach.run, attach.FLAGS),
    Command("exec", execverb.run, execverb.FLAGS),
    Command("port-forward", portforward.run, portforward.FLAGS),
    Command("proxy", proxy.run, proxy.FLAGS),
    Command("events", events.run, events.FLAGS),
    Command("apply", apply.run, apply.FLAGS),
    Command("patch", mutate.run_patch, mutate.PATCH_FLAGS),
    Command("wait", waitverb.run, waitverb.FLAGS),
    Command("label", mutate.run_label, mutate.LABEL_FLAGS),
    Command("annotate", mutate.run_annotate, mutate.ANNOTATE_FLAGS),
    config.COMMAND,
    Command("version", info.run_version, info.VERSION_FLAGS),
    Command("api-versions", _api_versions, ()),
    Command("api-resources", info.run_api_resources, info.API_RESOURCES_FLAGS),
    Command("help", _help, ()),
])


def _describe_tree(cmd: Command, path: str = "") -> None:
    key = f"{path} {cmd.name}".strip() if path else cmd.name
    cmd.short = SHORTS.get(key, cmd.short)
    for child in cmd.children:
        _describe_tree(child, "" if cmd is ROOT else key)


_describe_tree(ROOT)
