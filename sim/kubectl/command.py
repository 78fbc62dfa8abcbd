"""The command tree and what a verb receives when it runs."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from sim.api.client import Client
from sim.kubectl.flags import Flag, FlagSet, Parsed

DEFAULT_NAMESPACE = "default"


@dataclass
class Command:
    name: str
    run: Callable[["Ctx"], int] | None = None
    flags: tuple[Flag, ...] = ()
    children: list["Command"] = field(default_factory=list)
    usage: str = ""
    interspersed: bool = True
    aliases: tuple[str, ...] = ()
    short: str = ""
    required: tuple[str, ...] = ()      # cobra's MarkFlagRequired

    def child(self, name: str) -> "Command | None":
        for c in self.children:
            if c.name == name or name in c.aliases:
                return c
        return None

    def flagset(self) -> FlagSet:
        cached = self.__dict__.get("_flagset")
        if cached is None:
            cached = self.__dict__["_flagset"] = FlagSet(self.flags, self.interspersed)
        return cached


@dataclass
class Ctx:
    cluster: Any
    io: Any
    path: str                  # "kubectl create secret tls": for help hints
    opts: Parsed
    namespace: str = DEFAULT_NAMESPACE
    explicit_namespace: bool = False
    command: "Command | None" = None
    warned: set = field(default_factory=set)
    _api: Any = field(default=None, repr=False)

    @property
    def api(self) -> Client:
        """The cluster's API, as this command's client of it."""
        if self._api is None:
            self._api = Client(self.cluster)
        return self._api

    @property
    def args(self) -> list[str]:
        return self.opts.args

    def out(self, text: str) -> None:
        if text:
            self.io.write_out(text)

    def err(self, text: str) -> None:
        if text:
            self.io.write_err(text)

    def warn(self, message: str, *, plain: bool = False) -> None:
        """A warning as client-go's warning writer prints it: ``Warning:`` in bold yellow
        when stderr is a terminal (not with NO_COLOR or TERM=dumb), each text once per
        command; ``plain`` for the few warnings kubectl writes itself."""
        if not plain:
            if message in self.warned:
                return
            self.warned.add(message)
        if not plain and self.color_allowed():
            self.io.write_err(f"\x1b[33;1mWarning:\x1b[0m {message}\n")
        else:
            self.io.write_err(f"Warning: {message}\n")

    def touch(self, resource_type) -> None:
        """A request on ``resource_type``: the API server's deprecation warning, if any."""
        from sim.kubectl.fetch import warnings_for
        for message in warnings_for(resource_type):
            self.warn(message)

    def server_warnings(self) -> None:
        """What the API server's answer to the last request said (its Warning headers)."""
        for message in self.api.warnings:
            self.warn(message)

    def color_allowed(self) -> bool:
        tty = getattr(self.io, "stderr_is_tty", None)
        if tty is None:
            tty = getattr(self.io, "stdout_is_tty", False)
        env = getattr(self.io, "env", None) or {}
        return bool(tty) and env.get("TERM") != "dumb" and "NO_COLOR" not in env

    @contextmanager
    def locked(self) -> Iterator[None]:
        lock = getattr(self.cluster, "lock", None)
        if lock is None:
            yield
            return
        with lock:
            yield

    def now(self):
        return self.cluster.clock.now()


def run_group(ctx: Ctx) -> int:
    """cmdutil.DefaultSubCommandRun: help without arguments, an error with an unknown one."""
    from sim.kubectl.errors import usage
    if ctx.args:
        raise usage(ctx.path, f'unknown command "{ctx.args[0]}"')
    ctx.out(help_text(ctx.command, ctx.path) if ctx.command else "")
    return 0


def help_text(cmd: Command, path: str) -> str:
    """A short help in cobra's layout: description, subcommands, usage."""
    text = f"{cmd.short}.\n\n" if cmd.short else ""
    if cmd.children:
        text += "Available Commands:\n"
        width = max(len(c.name) for c in cmd.children) + 3
        for c in cmd.children:
            text += f"  {c.name.ljust(width)}{c.short}".rstrip() + "\n"
        text += "\n"
    grouping = cmd.children and (cmd.run is None or cmd.run is run_group) and path != "kubectl"
    usage_line = cmd.usage or (f"{path} SUBCOMMAND [options]" if grouping
                               else f"{path} [flags] [options]")
    text += f"Usage:\n  {usage_line}\n\n"
    text += ("Use \"kubectl options\" for a list of global command-line options (applies to "
             "all commands).\n")
    return text


def find(root: Command, args: list[str]) -> tuple[list[Command], list[str]]:
    """cobra's Find: walk the tree along the first non-flag arguments."""
    chain = [root]
    rest = list(args)
    while True:
        cmd = chain[-1]
        if not cmd.children:
            return chain, rest
        fs = cmd.flagset()
        idx = _first_positional(rest, fs)
        if idx is None:
            return chain, rest
        nxt = cmd.child(rest[idx])
        if nxt is None:
            return chain, rest
        chain.append(nxt)
        rest = rest[:idx] + rest[idx + 1:]


def _first_positional(args: list[str], fs: FlagSet) -> int | None:
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            return None
        if a.startswith("--"):
            name = a[2:]
            if "=" not in name:
                flag = fs.by_name.get(name)
                if flag is not None and flag.kind != "bool" and flag.no_value is None:
                    i += 1
        elif a.startswith("-") and len(a) > 1:
            body = a[1:]
            if "=" not in body and len(body) == 1:
                flag = fs.by_short.get(body)
                if flag is not None and flag.kind != "bool" and flag.no_value is None:
                    i += 1
        else:
            return i
        i += 1
    return None
