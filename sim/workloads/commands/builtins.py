"""Shell builtins: they change the shell itself, so they cannot be programs."""

from __future__ import annotations

from typing import Any

from sim.workloads.fs import FsError
from sim.workloads.proc import Proc


def _escapes(text: str) -> tuple[str, bool]:
    """echo -e / printf backslash escapes; the flag says \\c stopped output."""
    out, i = [], 0
    table = {"n": "\n", "t": "\t", "\\": "\\", "a": "\a", "b": "\b", "r": "\r", "v": "\v", "f": "\f"}
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "c":
                return "".join(out), True
            if nxt in table:
                out.append(table[nxt])
                i += 2
                continue
            if nxt == "0":
                digits = text[i + 2:i + 5]
                j = 0
                while j < len(digits) and digits[j] in "01234567":
                    j += 1
                out.append(chr(int(digits[:j] or "0", 8)))
                i += 2 + j
                continue
        out.append(c)
        i += 1
    return "".join(out), False


def echo(shell: Any, proc: Proc, argv: list[str]) -> int:
    args = argv[1:]
    newline, escapes = True, shell.flavor == "dash"
    while args and args[0].startswith("-") and len(args[0]) > 1 and set(args[0][1:]) <= set("neE"):
        if "n" in args[0]:
            newline = False
        if "e" in args[0]:
            escapes = True
        if "E" in args[0]:
            escapes = False
        args = args[1:]
    text = " ".join(args)
    stopped = False
    if escapes:
        text, stopped = _escapes(text)
    proc.write(text + ("\n" if newline and not stopped else ""))
    return 0


def printf(shell: Any, proc: Proc, argv: list[str]) -> int:
    if len(argv) < 2:
        proc.error("printf: usage: printf format [arguments]\n")
        return 2
    fmt, args = argv[1], argv[2:]
    out = []
    while True:
        text, i, used = "", 0, 0
        while i < len(fmt):
            if fmt[i] == "%" and i + 1 < len(fmt):
                j = i + 1
                while j < len(fmt) and fmt[j] in "-0123456789.":
                    j += 1
                conv = fmt[j] if j < len(fmt) else "s"
                spec = fmt[i:j]
                if conv == "%":
                    text += "%"
                else:
                    arg = args[used] if used < len(args) else ""
                    used += 1
                    if conv in "di":
                        text += (spec + "d") % int(arg or 0)
                    elif conv == "b":
                        text += _escapes(arg)[0]
                    else:
                        text += (spec + "s") % arg
                i = j + 1
            else:
                text += fmt[i]
                i += 1
        out.append(_escapes(text)[0])
        args = args[used:]
        if not args or not used:
            break
    proc.write("".join(out))
    return 0


def cd(shell: Any, proc: Proc, argv: list[str]) -> int:
    target = argv[1] if len(argv) > 1 else proc.env.get("HOME", "/")
    path = proc.path(target)
    if not proc.fs.is_dir(path):
        reason = "Not a directory" if proc.fs.exists(path) else "No such file or directory"
        if shell.flavor == "dash":
            proc.error(f"{proc.shell}: {shell.line}: cd: can't cd to {target}\n")
        elif shell.flavor == "bash":
            proc.error(f"{proc.shell}: cd: {target}: {reason}\n")
        else:
            proc.error(f"{proc.shell}: cd: can't cd to {target}: {reason}\n")
        return 1 if shell.flavor != "dash" else 2
    proc.cwd = path
    proc.env["PWD"] = path
    return 0


def exit_(shell: Any, proc: Proc, argv: list[str]) -> int:
    from sim.workloads.shell import ShellExit

    raise ShellExit(int(argv[1]) if len(argv) > 1 and argv[1].lstrip("-").isdigit() else proc.status)


def export(shell: Any, proc: Proc, argv: list[str]) -> int:
    for arg in argv[1:]:
        if arg == "-p":
            continue
        if "=" in arg:
            name, value = arg.split("=", 1)
            proc.env[name] = value
        else:
            proc.env[arg] = shell.locals.pop(arg, proc.env.get(arg, ""))
    if len(argv) == 1 or argv[1:] == ["-p"]:
        for name, value in proc.env.items():
            proc.write(f"export {name}='{value}'\n")
    return 0


def unset(shell: Any, proc: Proc, argv: list[str]) -> int:
    for name in argv[1:]:
        proc.env.pop(name, None)
        shell.locals.pop(name, None)
    return 0


def pwd(shell: Any, proc: Proc, argv: list[str]) -> int:
    proc.write(proc.cwd + "\n")
    return 0


def _test(proc: Proc, args: list[str]) -> bool:
    if not args:
        return False
    if args[0] == "!":
        return not _test(proc, args[1:])
    if len(args) == 1:
        return args[0] != ""
    if len(args) == 2:
        op, value = args
        path = proc.path(value)
        if op == "-z":
            return value == ""
        if op == "-n":
            return value != ""
        if op == "-e":
            return proc.fs.exists(path)
        if op == "-f":
            return proc.fs.stat(path) is not None
        if op == "-d":
            return proc.fs.is_dir(path)
        if op == "-s":
            found = proc.fs.stat(path)
            return found is not None and len(found.data) > 0
        if op in {"-r", "-w", "-x"}:
            return proc.fs.exists(path)
        return False
    if len(args) >= 3 and "-a" in args:
        i = args.index("-a")
        return _test(proc, args[:i]) and _test(proc, args[i + 1:])
    if len(args) >= 3 and "-o" in args:
        i = args.index("-o")
        return _test(proc, args[:i]) or _test(proc, args[i + 1:])
    left, op, right = args[0], args[1], args[2]
    if op in {"=", "=="}:
        return left == right
    if op == "!=":
        return left != right
    try:
        a, b = int(left), int(right)
    except ValueError:
        return False
    return {"-eq": a == b, "-ne": a != b, "-lt": a < b, "-gt": a > b, "-le": a <= b,
            "-ge": a >= b}.get(op, False)


def test(shell: Any, proc: Proc, argv: list[str]) -> int:
    args = argv[1:]
    if argv[0] == "[":
        if not args or args[-1] != "]":
            proc.error(f"{proc.shell}: [: missing ]\n")
            return 2
        args = args[:-1]
    return 0 if _test(proc, args) else 1


def break_(shell: Any, proc: Proc, argv: list[str]) -> int:
    from sim.workloads.shell import _Break

    raise _Break()


def continue_(shell: Any, proc: Proc, argv: list[str]) -> int:
    from sim.workloads.shell import _Continue

    raise _Continue()


def read(shell: Any, proc: Proc, argv: list[str]) -> int:
    names = [a for a in argv[1:] if not a.startswith("-")] or ["REPLY"]
    data = proc.stdin()
    if not data:
        return 1
    line = data.split(b"\n", 1)[0].decode("utf-8", "replace")
    parts = line.split(None, len(names) - 1)
    for index, name in enumerate(names):
        shell.locals[name] = parts[index] if index < len(parts) else ""
    return 0


def exec_(shell: Any, proc: Proc, argv: list[str]) -> int:
    from sim.workloads import commands
    from sim.workloads.shell import ShellExit

    if len(argv) == 1:
        return 0
    raise ShellExit(commands.run(shell, proc, argv[1:]))


def true(shell: Any, proc: Proc, argv: list[str]) -> int:
    return 0


def false(shell: Any, proc: Proc, argv: list[str]) -> int:
    return 1


def set_(shell: Any, proc: Proc, argv: list[str]) -> int:
    if len(argv) == 1:
        for name, value in sorted({**shell.locals, **proc.env}.items()):
            proc.write(f"{name}='{value}'\n")
    elif "--" in argv:
        proc.positional = argv[argv.index("--") + 1:]
    return 0


def source(shell: Any, proc: Proc, argv: list[str]) -> int:
    if len(argv) < 2:
        return 0
    try:
        text = proc.fs.read(proc.path(argv[1])).decode("utf-8", "replace")
    except FsError as exc:
        proc.error(f"{proc.shell}: {argv[1]}: {exc.message}\n")
        return 1
    return shell.run_text(text, proc)


BUILTINS = {
    "echo": echo, "printf": printf, "cd": cd, "exit": exit_, "export": export, "unset": unset,
    "pwd": pwd, "test": test, "[": test, "break": break_, "continue": continue_, "read": read,
    "exec": exec_, "true": true, "false": false, ":": true, "set": set_, ".": source,
    "source": source,
}
