"""``kubectl config``: the session's kubeconfig, one kubeadm-style context whose namespace
``set-context --current --namespace`` changes for the commands that follow."""

from __future__ import annotations

from typing import Any

from sim.kubectl import output
from sim.kubectl.command import Command, Ctx, run_group
from sim.kubectl.errors import fail
from sim.kubectl.flags import BOOL, f
from sim.api.kubeconfig import context_namespace, kubeconfig_state, names
from sim.printers.tabwriter import table_layout

def _config(ctx: Ctx) -> dict:
    from sim.net.apiserver import control_plane_url
    context, cluster_name, user = names(ctx.cluster)
    context_body: dict[str, Any] = {"cluster": cluster_name}
    ns = context_namespace(ctx.cluster)
    if ns:
        context_body["namespace"] = ns
    context_body["user"] = user
    with ctx.locked():
        server = control_plane_url(ctx.cluster)
    return {
        "apiVersion": "v1",
        "clusters": [{"cluster": {"certificate-authority-data": "DATA+OMITTED",
                                  "server": server}, "name": cluster_name}],
        "contexts": [{"context": context_body, "name": context}],
        "current-context": context,
        "kind": "Config",
        "users": [{"name": user, "user": {"client-certificate-data": "DATA+OMITTED",
                                          "client-key-data": "DATA+OMITTED"}}],
    }


def run_view(ctx: Ctx) -> int:
    out = output.parse(ctx.opts["output"] or "yaml", tables=False)
    ctx.out(output.render(out, [_config(ctx)], single=True))
    return 0


def run_current_context(ctx: Ctx) -> int:
    ctx.out(names(ctx.cluster)[0] + "\n")
    return 0


def run_get_contexts(ctx: Ctx) -> int:
    context, cluster_name, user = names(ctx.cluster)
    if ctx.args and ctx.args[0] != context:
        raise fail(f'context {ctx.args[0]} not found')
    if ctx.opts["output"] == "name":
        ctx.out(context + "\n")
        return 0
    if ctx.opts["output"]:
        raise fail(f"output must be one of '' or 'name': {ctx.opts['output']}")
    rows = [] if ctx.opts["no-headers"] else ["CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE"]
    rows.append(f"*\t{context}\t{cluster_name}\t{user}\t{context_namespace(ctx.cluster) or ''}")
    ctx.out(table_layout("\n".join(rows) + "\n"))
    return 0


def run_get_clusters(ctx: Ctx) -> int:
    ctx.out(f"NAME\n{names(ctx.cluster)[1]}\n")
    return 0


def run_get_users(ctx: Ctx) -> int:
    ctx.out(f"NAME\n{names(ctx.cluster)[2]}\n")
    return 0


def run_use_context(ctx: Ctx) -> int:
    if len(ctx.args) != 1:
        raise fail("Unexpected args: " + str(ctx.args))
    context = names(ctx.cluster)[0]
    if ctx.args[0] != context:
        raise fail(f'no context exists with the name: "{ctx.args[0]}"')
    ctx.out(f'Switched to context "{context}".\n')
    return 0


def run_set_context(ctx: Ctx) -> int:
    context = names(ctx.cluster)[0]
    o = ctx.opts
    if o["current"] and ctx.args:
        raise fail("you cannot specify both a context name and --current")
    target = context if o["current"] else (ctx.args[0] if ctx.args else "")
    if not target:
        raise fail("you must specify a non-empty context name or --current")
    if target != context:
        raise fail(f'cannot create context "{target}" in this session\'s kubeconfig')
    if o.changed("namespace"):
        kubeconfig_state(ctx.cluster)["namespace"] = o["namespace"]
    ctx.out(f'Context "{context}" modified.\n')
    return 0


COMMAND = Command("config", run_group, (), children=[
    Command("view", run_view, (f("output", "o"), f("minify", kind=BOOL), f("raw", kind=BOOL),
                               f("flatten", kind=BOOL), f("merge", kind=BOOL, default=True),
                               f("template"))),
    Command("current-context", run_current_context, ()),
    Command("get-contexts", run_get_contexts, (f("output", "o"), f("no-headers", kind=BOOL))),
    Command("get-clusters", run_get_clusters, ()),
    Command("get-users", run_get_users, ()),
    Command("use-context", run_use_context, ()),
    Command("set-context", run_set_context, (f("current", kind=BOOL), f("user"),
                                             f("cluster"))),
])
