"""The kubectl command tree: each verb's flags and entry point."""

from __future__ import annotations

from sim.kubectl import (apply, attach, config, create, delete, describe, edit, execverb, expose, get, info,
                         logs, mutate, proxy, rollout, run, waitverb)
from sim.kubectl.command import Command, Ctx

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
    from sim.kubectl.main import find, help_text
    chain, rest = find(ctx.args)
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
    Command("scale", mutate.run_scale, mutate.SCALE_FLAGS, required=("replicas",)),
    Command("cluster-info", info.run_cluster_info, info.CLUSTER_INFO_FLAGS),
    Command("describe", describe.run, describe.FLAGS),
    Command("logs", logs.run, logs.FLAGS),
    Command("attach", attach.run, attach.FLAGS),
    Command("exec", execverb.run, execverb.FLAGS),
    Command("proxy", proxy.run, proxy.FLAGS),
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
