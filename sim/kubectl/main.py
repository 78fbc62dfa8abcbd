"""``kubectl``: finds the command as cobra does, parses its flags, runs it."""

from __future__ import annotations

from typing import Any

from sim.kubectl.command import DEFAULT_NAMESPACE, Command, Ctx, find, help_text
from sim.kubectl.commands import ROOT, SUGGEST_FOR, SUGGESTIBLE
from sim.kubectl.errors import KubectlError, UsageError, from_api, is_api_error


def main(cluster: Any, argv: list[str], io: Any) -> int:
    args = list(argv)
    if args and args[0].rsplit("/", 1)[-1] == "kubectl":
        args = args[1:]
    try:
        return _run(cluster, args, io)
    except KubectlError as e:
        io.write_err(e.text if e.text.endswith("\n") else e.text + "\n")
        return e.code
    except Exception as e:  # an API error that escaped a verb
        if is_api_error(e):
            err = from_api(e)
            io.write_err(err.text + "\n")
            return err.code
        raise


def _run(cluster: Any, args: list[str], io: Any) -> int:
    chain, rest = find(ROOT, args)
    cmd = chain[-1]
    path = " ".join(["kubectl"] + [c.name for c in chain[1:]])
    try:
        opts = cmd.flagset().parse(rest)
    except UsageError as e:
        raise KubectlError(f"error: {e.message}\nSee '{path} --help' for usage.") from None
    if opts.get("help"):
        io.write_out(help_text(cmd, path))
        return 0
    if cmd is ROOT:
        if opts.args:
            raise KubectlError(unknown_command(opts.args[0]))
        io.write_out(help_text(cmd, path))
        return 0
    if cmd.run is None:
        io.write_out(help_text(cmd, path))
        return 0
    missing = [r for r in cmd.required if not opts.changed(r)]
    if missing:
        raise KubectlError("error: required flag(s) " + ", ".join(f'"{m}"' for m in missing)
                           + " not set")
    _check_kubeconfig_flags(cluster, cmd, path, opts)
    ns = opts.get("namespace") or ""
    ctx = Ctx(cluster, io, path, opts, ns or _context_namespace(cluster), bool(ns), cmd)
    return cmd.run(ctx)


def _check_kubeconfig_flags(cluster: Any, cmd: Command, path: str, opts) -> None:
    """--context / --cluster naming something the kubeconfig lacks: the client config
    fails to load, for every command that needs it (not ``config``, not ``version
    --client``)."""
    if path.startswith("kubectl config") or (cmd.name == "version" and opts.get("client")):
        return
    from sim.api.kubeconfig import names
    context, cluster_name, _ = names(cluster)
    if opts.get("context") and opts["context"] != context:
        raise KubectlError("Error in configuration: context was not found for specified "
                           f"context: {opts['context']}")
    if opts.get("cluster") and opts["cluster"] != cluster_name:
        raise KubectlError(f'error: no server found for cluster "{opts["cluster"]}"')


def _context_namespace(cluster: Any) -> str:
    from sim.api.kubeconfig import context_namespace
    return context_namespace(cluster) or DEFAULT_NAMESPACE


def unknown_command(name: str) -> str:
    text = f'error: unknown command "{name}" for "kubectl"'
    hits = suggestions(name)
    if hits:
        text += "\n\nDid you mean this?\n" + "".join(f"\t{h}\n" for h in hits)
    return text


def suggestions(typed: str) -> list[str]:
    """cobra's SuggestionsFor: Levenshtein distance ≤ 2 or a prefix, in registration order."""
    low = typed.lower()
    out = []
    for name in SUGGESTIBLE:
        if _distance(low, name.lower()) <= 2 or name.lower().startswith(low):
            out.append(name)
        out.extend(name for word in SUGGEST_FOR.get(name, ()) if word.lower() == low)
    return out


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
