"""``kubectl create``: from files, or from a generator (deployment, service, secret …)."""

from __future__ import annotations

from typing import Callable

from sim.kubectl import generators as gen
from sim.kubectl import localfs, manifests, output
from sim.kubectl.apply import modified_config
from sim.kubectl.typed import with_typed_annotation
from sim.kubectl.command import Command, Ctx, run_group
from sim.kubectl.errors import (Collected, KubectlError, api_text, builder_errors,
                                collected_api_error, fail, is_api_error, report, usage)
from sim.kubectl.flags import ARRAY, BOOL, INT, SLICE, f
from sim.kubectl.writes import dry_run_mode, dry_run_suffix, reconcile, validation_directive

PRINT_FLAGS = (f("output", "o"), f("template"),
               f("allow-missing-template-keys", kind=BOOL, default=True),
               f("show-managed-fields", kind=BOOL))
WRITE_FLAGS = PRINT_FLAGS + (
    f("dry-run", default="none", no_value="unchanged"), f("save-config", kind=BOOL),
    f("validate", default="strict", no_value="strict"), f("field-manager", default="kubectl-create"),
)

FILE_FLAGS = WRITE_FLAGS + (
    f("filename", "f", SLICE), f("recursive", "R", BOOL), f("kustomize", "k"),
    f("selector", "l"), f("edit", kind=BOOL), f("raw"), f("windows-line-endings", kind=BOOL),
)


def kind_ref(obj: dict) -> str:
    group = obj.get("apiVersion", "").rpartition("/")[0]
    kind = obj.get("kind", "").lower()
    return f"{kind}.{group}" if group else kind


def name_arg(ctx: Ctx) -> str:
    """cmdutil.NameFromCommandArgs: one NAME before any ``--``."""
    count = ctx.opts.dash_at if ctx.opts.dash_at >= 0 else len(ctx.args)
    if count != 1:
        raise usage(ctx.path, f"exactly one NAME is required, got {count}")
    return ctx.args[0]


def enforced_namespace(ctx: Ctx) -> str | None:
    return ctx.namespace if ctx.explicit_namespace else None


def emit(ctx: Ctx, obj: dict, failure: Callable[[Exception], str] | None,
         save_config: bool = True) -> int:
    """Create (unless --dry-run=client) and print as the generator commands do.

    ``save_config``: whether this generator honours ``--save-config`` (create service
    never reads the flag)."""
    dry = dry_run_mode(ctx.opts["dry-run"])
    out = output.parse(ctx.opts["output"], tables=False)
    if save_config and ctx.opts.get("save-config"):
        obj = with_typed_annotation(obj)
    shown = obj
    if dry != "client":
        send = dict(obj)
        send["metadata"] = dict(obj["metadata"])
        send["metadata"].setdefault("namespace", ctx.namespace)
        with ctx.locked():
            try:
                shown = ctx.api.create(
                    send, dry_run=dry == "server",
                    field_validation=validation_directive(ctx.opts["validate"]))
            except Exception as e:
                if not is_api_error(e):
                    raise
                if failure is None:
                    raise KubectlError(api_text(e)) from None
                raise fail(failure(e)) from None
            ctx.server_warnings()
            if dry == "none":
                reconcile(ctx)
    if out.kind:
        # A generator's object is typed: Go encodes it in struct order.
        output.print_object(ctx, out, shown, typed=dry == "client")
    else:
        ctx.out(f"{kind_ref(obj)}/{obj['metadata']['name']} created{dry_run_suffix(dry)}\n")
    return 0


def _rand(ctx: Ctx) -> Callable[[int], str]:
    rng = ctx.cluster.rng
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return lambda n: "".join(rng.choice(alphabet) for _ in range(n))


# -- create -f ------------------------------------------------------------------------

def run_files(ctx: Ctx) -> int:
    o = ctx.opts
    if ctx.args:
        raise usage(ctx.path, f"Unexpected args: [{' '.join(ctx.args)}]")
    if not o["filename"] and not o["kustomize"]:
        raise fail("must specify one of -f and -k")
    dry = dry_run_mode(o["dry-run"])
    out = output.parse(o["output"], tables=False)
    items = manifests.read(ctx, o["filename"], o["recursive"],
                           validate=validation_directive(o["validate"]) != "Ignore")
    errors: list[Collected] = []    # the objects' errors, in the order they are visited
    mapping: list[str] = []         # the builder's, one aggregate after them
    count = 0
    for m in items:
        try:
            t = manifests.type_for(ctx, m)
        except KubectlError as e:
            mapping.append(e.text)
            continue
        ns = manifests.namespace_for(ctx, t, m)
        obj = dict(m.obj)
        obj["metadata"] = dict(obj.get("metadata") or {})
        if ns is not None:
            obj["metadata"]["namespace"] = ns
        if o["save-config"]:
            obj, _ = modified_config(obj, ns)
        shown = obj
        if dry != "client":
            ctx.touch(t)
            with ctx.locked():
                try:
                    shown = ctx.api.create(
                        obj, dry_run=dry == "server",
                        field_validation=validation_directive(o["validate"]))
                except Exception as e:
                    if not is_api_error(e):
                        raise
                    errors.append(collected_api_error(e, "creating", m.source))
                    continue
                ctx.server_warnings()
                if dry == "none":
                    reconcile(ctx)
        count += 1
        if out.kind:
            output.print_object(ctx, out, shown)
        else:
            ctx.out(f"{t.kind_ref}/{obj['metadata'].get('name', '')} created"
                    f"{dry_run_suffix(dry)}\n")
    if mapping:
        errors.append(builder_errors(mapping))
    if errors:
        ctx.err(report(errors))
        return 1
    if count == 0:
        raise fail("no objects passed to create")
    return 0


# -- generators ---------------------------------------------------------------------------

def run_deployment(ctx: Ctx) -> int:
    o = ctx.opts
    name = name_arg(ctx)
    command = ctx.opts.after_dash
    if len(o["image"]) > 1 and command:
        raise fail("cannot specify multiple --image options and command")
    obj = gen.deployment(name, o["image"], o["replicas"], o["port"], command,
                         enforced_namespace(ctx), _rand(ctx))
    return emit(ctx, obj, lambda e: f"failed to create deployment: {e}")


def run_job(ctx: Ctx) -> int:
    """``create job NAME --image=IMAGE [-- COMMAND…]`` as create_job.go builds it: one
    container named after the Job, restartPolicy Never."""
    name = name_arg(ctx)
    image = ctx.opts["image"]
    if not image:
        raise fail("either --image or --from must be specified")
    container: dict = {"name": name, "image": image, "resources": {}}
    if ctx.opts.after_dash:
        container["command"] = list(ctx.opts.after_dash)
    md: dict = {"name": name}
    if enforced_namespace(ctx):
        md["namespace"] = enforced_namespace(ctx)
    obj = {"apiVersion": "batch/v1", "kind": "Job", "metadata": md,
           "spec": {"template": {"metadata": {},
                                 "spec": {"containers": [container], "restartPolicy": "Never"}}},
           "status": {}}
    return emit(ctx, obj, lambda e: f"failed to create job: {e}")


def _service_runner(svc_type: str) -> Callable[[Ctx], int]:
    def run(ctx: Ctx) -> int:
        o = ctx.opts
        name = name_arg(ctx)
        obj = gen.service(name, svc_type, o["tcp"], o.get("clusterip", ""),
                          o.get("node-port", 0), o.get("external-name", ""),
                          enforced_namespace(ctx))
        return emit(ctx, obj, lambda e: f"failed to create {svc_type} service: {e}",
                    save_config=False)
    return run


def run_namespace(ctx: Ctx) -> int:
    return emit(ctx, gen.namespace(name_arg(ctx)), None)


def run_configmap(ctx: Ctx) -> int:
    o = ctx.opts
    name = name_arg(ctx)
    if o["from-env-file"] and (o["from-file"] or o["from-literal"]):
        raise fail("from-env-file cannot be combined with from-file or from-literal")
    obj = gen.configmap(name, o["from-file"], o["from-literal"], ctx.io,
                        enforced_namespace(ctx), o["from-env-file"])
    return emit(ctx, obj, lambda e: f"failed to create configmap: {e}")


def run_secret_generic(ctx: Ctx) -> int:
    o = ctx.opts
    name = name_arg(ctx)
    if o["from-env-file"] and (o["from-file"] or o["from-literal"]):
        raise fail("from-env-file cannot be combined with from-file or from-literal")
    obj = gen.secret_generic(name, o["from-file"], o["from-literal"], o["type"], ctx.io,
                             enforced_namespace(ctx), o["from-env-file"])
    return emit(ctx, obj, lambda e: f"failed to create secret {e}")


def _read_file(ctx: Ctx, path: str) -> bytes:
    try:
        return localfs.read(ctx.io, path)
    except FileNotFoundError:
        raise fail(f"Cannot read file {path}, open {path}: no such file or directory") from None
    except IsADirectoryError:
        raise fail(f"Cannot read file {path}, read {path}: is a directory") from None


def run_secret_tls(ctx: Ctx) -> int:
    o = ctx.opts
    name = name_arg(ctx)
    if not o["cert"] or not o["key"]:
        raise fail("key and cert must be specified")
    cert = _read_file(ctx, o["cert"])
    key = _read_file(ctx, o["key"])
    obj = gen.secret_tls(name, cert, key, enforced_namespace(ctx))
    return emit(ctx, obj, lambda e: f"failed to create secret {e}")


def run_ingress(ctx: Ctx) -> int:
    o = ctx.opts
    name = name_arg(ctx)
    obj = gen.ingress(name, o["rule"], o["class"], o["default-backend"], o["annotation"],
                      enforced_namespace(ctx))
    return emit(ctx, obj, lambda e: f"failed to create ingress: {e}")


_SVC_FLAGS = WRITE_FLAGS + (f("tcp", kind=SLICE),)
_FROM = (f("from-file", kind=SLICE), f("from-literal", kind=ARRAY), f("from-env-file", kind=SLICE),
         f("append-hash", kind=BOOL))

COMMAND = Command(
    "create", run_files, FILE_FLAGS,
    children=[
        Command("deployment", run_deployment, WRITE_FLAGS + (
            f("image", kind=SLICE), f("replicas", "r", INT, 1), f("port", kind=INT, default=-1)),
            aliases=("deploy",), required=("image",)),
        Command("service", run_group, WRITE_FLAGS, aliases=("svc",), children=[
            Command("clusterip", _service_runner("ClusterIP"), _SVC_FLAGS + (f("clusterip"),)),
            Command("nodeport", _service_runner("NodePort"),
                    _SVC_FLAGS + (f("node-port", kind=INT, default=0),)),
            Command("loadbalancer", _service_runner("LoadBalancer"), _SVC_FLAGS),
            Command("externalname", _service_runner("ExternalName"),
                    _SVC_FLAGS + (f("external-name"),), required=("external-name",)),
        ]),
        Command("job", run_job, WRITE_FLAGS + (f("image"), f("from"))),
        Command("namespace", run_namespace, WRITE_FLAGS, aliases=("ns",)),
        Command("configmap", run_configmap, WRITE_FLAGS + _FROM, aliases=("cm",)),
        Command("secret", run_group, WRITE_FLAGS, children=[
            Command("generic", run_secret_generic, WRITE_FLAGS + _FROM + (f("type"),)),
            Command("tls", run_secret_tls, WRITE_FLAGS + (
                f("cert"), f("key"), f("append-hash", kind=BOOL))),
        ]),
        Command("ingress", run_ingress, WRITE_FLAGS + (
            f("class"), f("rule", kind=ARRAY), f("default-backend"),
            f("annotation", kind=ARRAY)), aliases=("ing",)),
    ],
)
