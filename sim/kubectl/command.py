"""The command tree and what a verb receives when it runs."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

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
        """What the store's admission said about the last write."""
        for message in getattr(self.cluster.store, "warnings", None) or []:
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
    from sim.kubectl.main import help_text
    if ctx.args:
        raise usage(ctx.path, f'unknown command "{ctx.args[0]}"')
    ctx.out(help_text(ctx.command, ctx.path) if ctx.command else "")
    return 0
