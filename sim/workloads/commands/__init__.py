"""The programs in an image and the shell's builtins, by name."""

from __future__ import annotations

from typing import Any, Callable

from sim.workloads.proc import Proc

Program = Callable[[Proc, list[str]], int]


def _registry() -> dict[str, Program]:
    from sim.workloads.commands import (agnhost, basic, curl, dig, files, netinfo, nslookup, ping, redis,
                                        text, wget)

    table: dict[str, Program] = {}
    for module in (basic, files, text, curl, wget, nslookup, dig, ping, netinfo, agnhost, redis):
        table.update(module.PROGRAMS)
    return table


_PROGRAMS: dict[str, Program] | None = None


def programs() -> dict[str, Program]:
    global _PROGRAMS
    if _PROGRAMS is None:
        _PROGRAMS = _registry()
    return _PROGRAMS


def interactive(name: str) -> Callable[..., int] | None:
    """A program with a prompt of its own on a terminal: ``fn(proc, argv, io)`` gives its
    status, or None to run as a plain command (it was given one)."""
    from sim.workloads.commands import redis

    return redis.INTERACTIVE.get(name.rsplit("/", 1)[-1])


def lookup(proc: Proc, name: str) -> Program | None:
    """The program ``name`` (or a path to it) as installed in the container's image."""
    base = name.rsplit("/", 1)[-1]
    if "/" in name:
        directory = name.rsplit("/", 1)[0] or "/"
        if directory not in {"/bin", "/usr/bin", "/sbin", "/usr/sbin", "/usr/local/bin",
                             "/usr/local/sbin"} and name not in proc.image.entrypoint:
            return None
    if base not in proc.image.programs and base not in {"sh"}:
        return None
    return programs().get(base)


def run(shell: Any, proc: Proc, argv: list[str]) -> int:
    from sim.workloads.commands import builtins

    name = argv[0]
    base = name.rsplit("/", 1)[-1]
    builtin = builtins.BUILTINS.get(name)
    if builtin is None and "/" in name and base in proc.image.programs and base not in programs():
        builtin = builtins.BUILTINS.get(base)
    if builtin is not None:
        return builtin(shell, proc, argv)
    program = lookup(proc, name)
    if program is None:
        base = name.rsplit("/", 1)[-1]
        if base in proc.image.programs:
            proc.error(f"{base}: this program is not available in the simulated container\n")
            return 126
        if "/" in name:
            if shell.flavor == "bash":
                proc.error(f"{proc.shell}: {name}: No such file or directory\n")
            elif shell.flavor == "dash":
                proc.error(f"{proc.shell}: {shell.line}: {name}: not found\n")
            else:
                proc.error(f"{proc.shell}: {name}: not found\n")
            return 127
        shell.not_found(proc, name)
        return 127
    return program(proc, argv)
