"""Running programs in a container: ``kubectl exec``, the attached shell of
``kubectl run -i --tty``, and the container's own main process."""

from __future__ import annotations

import hashlib
from typing import Any

from sim.net import addresses as addr
from sim.workloads import commands, runtime
from sim.workloads.proc import BufferSink, Forever, IOSink, Proc
from sim.workloads.shell import Shell, ShellExit

INTERACTIVE_SHELLS = {"sh", "ash", "bash", "dash"}


class ExecStartError(Exception):
    """The runtime could not start the process: kubectl prints this and exits 1 (no
    "command terminated" line). Shaped like an API error for kubectl's error handling."""

    reason = "InternalError"
    code = 500

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text

    def kubectl_text(self) -> str:
        return self.text


def _proc(cluster: Any, pod: dict, state: runtime.Container, out: Any, err: Any,
          stdin: Any, tty: bool, main: bool = False) -> Proc:
    env = dict(state.env)
    if tty and "TERM" not in env:
        # the exec's own variables come before the HOME the runtime adds last
        home = env.pop("HOME", None)
        env["TERM"] = "xterm"
        if home is not None:
            env["HOME"] = home
    spec = runtime._container_spec(pod, state.name)
    return Proc(cluster=cluster, pod=pod, container=state, env=env,
                cwd=spec.get("workingDir") or state.image.workdir or "/", out=out, err=err, stdin=stdin,
                main=main, stdout_tty=tty, shell=state.image.shell)


def _start_error(name: str, pod: dict) -> ExecStartError:
    ident = hashlib.sha256(f"{addr.meta(pod, 'uid')}/{name}".encode()).hexdigest()
    return ExecStartError(
        "error: Internal error occurred: error executing command in container: failed to exec "
        f'in container: failed to start exec "{ident}": OCI runtime exec failed: exec failed: '
        f'unable to start container process: exec: "{name}": executable file not found in '
        "$PATH: unknown")


def _resolvable(proc: Proc, name: str) -> bool:
    """Whether the image has this program (a builtin such as echo is also /bin/echo)."""
    if commands.lookup(proc, name) is not None:
        return True
    return name.rsplit("/", 1)[-1] in proc.image.programs


def _prompt(proc: Proc, flavor: str) -> str:
    host = addr.pod_hostname(proc.pod).split(".", 1)[0]
    home = proc.env.get("HOME", "/root")
    cwd = "~" + proc.cwd[len(home):] if proc.cwd == home or proc.cwd.startswith(home + "/") else proc.cwd
    base = "~" if cwd == "~" else (proc.cwd.rsplit("/", 1)[-1] or "/")
    template = proc.image.prompt
    if flavor == "bash" and proc.image.shell != "bash":
        template = "root@{host}:{cwd}# "
    return template.format(host=host, cwd=cwd, base=base)


def _interactive(proc: Proc, io: Any, tty: bool, flavor: str) -> int:
    shell = Shell(flavor)
    shell_name = proc.shell
    while True:
        if tty:
            io.write_out(_prompt(proc, flavor).encode())
        line = io.read_line()
        if line is None:
            if tty and flavor == "bash":
                io.write_out(b"exit\r\n")
            return proc.status
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        if tty:
            io.write_out(text.encode() + b"\r\n")
        try:
            with proc.cluster.lock:
                shell.run_text(text, proc)
        except ShellExit as exc:
            return exc.code
        except Forever:
            # it would run until interrupted: the reader's Ctrl-C, back at the prompt
            io.write_out(b"^C\r\n" if tty else b"")
            proc.status = 130
        proc.shell = shell_name


def run(cluster: Any, pod: dict, container: str, argv: list[str], io: Any,
        tty: bool | None = None, stdin: bool = False) -> int:
    """Run ``argv`` in the container; returns its exit status. Raises ExecStartError when
    the program does not exist in the image."""
    state = runtime.container(cluster, pod, container)
    tty = bool(io.stdin_is_tty) if tty is None else tty
    out = IOSink(io, False, tty)
    err = out if tty else IOSink(io, True, False)
    reader = (lambda: io.read_stdin()) if stdin and not tty else (lambda: b"")
    proc = _proc(cluster, pod, state, out, err, reader, tty)
    if not argv:
        argv = state.image.unwrap(list(state.argv))
    if not _resolvable(proc, argv[0]):
        raise _start_error(argv[0], pod)
    name = argv[0].rsplit("/", 1)[-1]
    if name in INTERACTIVE_SHELLS and (len(argv) == 1 or argv[1:] in (["-i"], ["-l"])) and (tty or stdin):
        flavor = "bash" if name == "bash" and "bash" in state.image.programs else state.image.shell
        proc.shell = argv[0] if flavor != "busybox" else name
        if tty:
            return _interactive(proc, io, True, flavor)
        return commands.run(Shell(flavor), proc, [argv[0], "-c", io.read_stdin().decode("utf-8", "replace")])
    prompting = commands.interactive(name) if tty and name in state.image.programs else None
    if prompting is not None:
        status = prompting(proc, argv, io)      # None: given a command, it runs as usual
        if status is not None:
            return status
    try:
        with cluster.lock:
            return commands.run(Shell(state.image.shell), proc, argv)
    except ShellExit as exc:
        return exc.code
    except Forever:
        waiter = getattr(io, "wait_closed", None)
        if callable(waiter):
            waiter()
        return 130


def run_main(cluster: Any, pod: dict, state: runtime.Container) -> tuple[int, bytes] | None:
    """The main process to its end: (status, output), or None while it would still run."""
    sink = BufferSink()
    proc = _proc(cluster, pod, state, sink, sink, lambda: b"", False, main=True)
    argv = state.image.unwrap(list(state.argv))
    if not argv:
        return 0, b""
    if not _resolvable(proc, argv[0]):
        return 128, b""
    try:
        status = commands.run(Shell(state.image.shell), proc, argv)
    except ShellExit as exc:
        status = exc.code
    except Forever:
        if sink.data:          # what it printed before it went on waiting is its log so far
            state.log.append((proc.now(), bytes(sink.data).decode("utf-8", "replace")))
        return None
    return status, bytes(sink.data)


def attach(cluster: Any, pod: dict, container: str, io: Any, stdin: bool = False,
           tty: bool = False) -> int:
    """``kubectl run -i`` / ``kubectl attach``: the container's main process itself."""
    state = runtime.container(cluster, pod, container)
    if not state.running:
        io.write_out(runtime.logs(cluster, pod, container).encode())
        return state.exit_code or 0
    if state.serving or not stdin:
        waiter = getattr(io, "wait_closed", None)
        if callable(waiter):
            waiter()
        return 0
    code = run(cluster, pod, container, state.image.unwrap(list(state.argv)), io, tty=tty, stdin=stdin)
    runtime.end(cluster, state, code)
    return code
