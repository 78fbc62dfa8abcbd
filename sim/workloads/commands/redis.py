"""redis-cli: one command from its arguments, or a prompt (``127.0.0.1:6379>``) when run
on a terminal without one; it talks to the redis-server it reaches over the simulated
network (the keys and configuration that server holds in memory)."""

from __future__ import annotations

import fnmatch
import shlex
from typing import Any

from sim.workloads.proc import Proc

Reply = Any            # str status | bytes bulk | None | int | list | RedisError


class RedisError(str):
    """An error reply."""


class Status(str):
    """A status reply (OK, PONG): printed without quotes."""


def _options(argv: list[str]) -> tuple[str, int, list[str]]:
    host, port, rest = "127.0.0.1", 6379, []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "-p", "-a", "-n") and i + 1 < len(argv):
            if arg == "-h":
                host = argv[i + 1]
            elif arg == "-p" and argv[i + 1].isdigit():
                port = int(argv[i + 1])
            i += 2
            continue
        if arg in ("--raw", "--no-raw"):
            i += 1
            continue
        rest = argv[i:]
        break
    return host, port, rest


def _connect(proc: Proc, host: str, port: int) -> tuple[dict | None, str]:
    """The server's memory, or None and redis-cli's message."""
    from sim.net import client as net
    from sim.net.addresses import is_ip

    client = proc.client()
    ips = [host] if is_ip(host) else client.resolve(host)
    if not ips:
        return None, f"Could not connect to Redis at {host}:{port}: Name or service not known"
    found = net.serving(proc.cluster, client, ips[0], port)
    if found is None or found[1].kind != "redis" or "redis" not in found[0].memory:
        return None, f"Could not connect to Redis at {host}:{port}: Connection refused"
    return found[0].memory["redis"], ""


def _arity(name: str, args: list[str], least: int, most: int | None = None) -> RedisError | None:
    if len(args) < least or (most is not None and len(args) > most):
        return RedisError(f"ERR wrong number of arguments for '{name}' command")
    return None


def execute(server: dict, words: list[str]) -> Reply:
    name, args = words[0].lower(), words[1:]
    keys: dict[str, bytes] = server["keys"]
    config: dict[str, str] = server["config"]
    if name == "ping":
        return Status("PONG") if not args else args[0].encode()
    if name == "echo":
        return _arity(name, args, 1, 1) or args[0].encode()
    if name == "set":
        if len(args) < 2:
            return _arity(name, args, 2)
        keys[args[0]] = args[1].encode()
        return Status("OK")
    if name == "get":
        return _arity(name, args, 1, 1) or keys.get(args[0])
    if name in ("del", "exists"):
        if not args:
            return _arity(name, args, 1)
        found = sum(1 for k in args if k in keys)
        if name == "del":
            for k in args:
                keys.pop(k, None)
        return found
    if name in ("incr", "decr"):
        problem = _arity(name, args, 1, 1)
        if problem:
            return problem
        current = keys.get(args[0], b"0")
        if not current.lstrip(b"-").isdigit():
            return RedisError("ERR value is not an integer or out of range")
        value = int(current) + (1 if name == "incr" else -1)
        keys[args[0]] = str(value).encode()
        return value
    if name == "keys":
        return _arity(name, args, 1, 1) or [k.encode() for k in sorted(keys)
                                             if fnmatch.fnmatchcase(k, args[0])]
    if name == "dbsize":
        return len(keys)
    if name in ("flushall", "flushdb"):
        keys.clear()
        return Status("OK")
    if name == "config" and args and args[0].lower() == "get":
        if len(args) < 2:
            return RedisError("ERR wrong number of arguments for 'config|get' command")
        found: list[bytes] = []
        for key in sorted(config):
            if any(fnmatch.fnmatchcase(key, p.lower()) for p in args[1:]):
                found += [key.encode(), config[key].encode()]
        return found
    if name == "config" and args and args[0].lower() == "set":
        if len(args) < 3 or len(args) % 2 == 0:
            return RedisError("ERR wrong number of arguments for 'config|set' command")
        from sim.workloads.servers import _redis_setting

        for key, value in zip(args[1::2], args[2::2]):
            _redis_setting(config, key, value)
        return Status("OK")
    quoted = "".join(f"'{a}' " for a in args)
    return RedisError(f"ERR unknown command '{words[0]}', with args beginning with: {quoted}")


def _quote(data: bytes) -> str:
    text = data.decode("utf-8", "backslashreplace").replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\n", "\\n").replace("\r", "\\r") + '"'


def render(reply: Reply, tty: bool) -> str:
    """The reply as redis-cli prints it: quoted and typed on a terminal, raw otherwise."""
    if isinstance(reply, RedisError):
        return f"(error) {reply}\n"
    if isinstance(reply, Status):
        return f"{reply}\n"
    if reply is None:
        return "(nil)\n" if tty else "\n"
    if isinstance(reply, int):
        return f"(integer) {reply}\n" if tty else f"{reply}\n"
    if isinstance(reply, bytes):
        return (_quote(reply) if tty else reply.decode("utf-8", "replace")) + "\n"
    if not reply:
        return "(empty array)\n" if tty else ""
    if not tty:
        return "".join(render(item, False) for item in reply)
    width = len(str(len(reply)))
    return "".join(f"{i:>{width}}) {render(item, True)}" for i, item in enumerate(reply, 1))


def redis_cli(proc: Proc, argv: list[str]) -> int:
    host, port, words = _options(argv[1:])
    if not words:
        # no terminal: the commands come one per line from standard input
        lines = proc.stdin().decode("utf-8", "replace").splitlines()
        words_list = [shlex.split(line) for line in lines if line.strip()]
    else:
        words_list = [words]
    server, problem = _connect(proc, host, port)
    if server is None:
        proc.error(problem + "\n")
        return 1
    for words in words_list:
        proc.write(render(execute(server, words), proc.stdout_tty))
    return 0


def interactive(proc: Proc, argv: list[str], io: Any) -> int | None:
    """``kubectl exec -it POD -- redis-cli``: the prompt, a command per line, until
    ``exit``/``quit`` or the end of input; None when a command was given."""
    host, port, words = _options(argv[1:])
    if words:
        return None
    with proc.cluster.lock:
        server, problem = _connect(proc, host, port)
    if server is None:
        io.write_out((problem + "\r\n").encode())
    prompt = f"{host}:{port}> " if server is not None else "not connected> "
    while True:
        io.write_out(prompt.encode())
        line = io.read_line()
        if line is None:
            return 0
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        io.write_out(text.encode() + b"\r\n")
        try:
            words = shlex.split(text)
        except ValueError:
            io.write_out(b"Invalid argument(s)\r\n")
            continue
        if not words:
            continue
        if words[0].lower() in ("exit", "quit"):
            return 0
        if server is None:
            with proc.cluster.lock:
                server, problem = _connect(proc, host, port)
            if server is None:
                io.write_out((problem + "\r\n").encode())
                continue
            prompt = f"{host}:{port}> "
        with proc.cluster.lock:
            out = render(execute(server, words), True)
        io.write_out(out.replace("\n", "\r\n").encode())


PROGRAMS = {"redis-cli": redis_cli}
INTERACTIVE = {"redis-cli": interactive}
