"""Text filters: head, wc, grep, sort, uniq, tr, cut, base64, sed (substitution only)."""

from __future__ import annotations

import base64 as b64
import binascii
import re

from sim.workloads.fs import FsError
from sim.workloads.proc import Proc


def take_count(argv: list[str], default: int) -> tuple[int, list[str], bool]:
    count, names, follow = default, [], False
    args = argv[1:]
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-n" and i + 1 < len(args):
            count = abs(int(args[i + 1].lstrip("+")))
            i += 2
            continue
        if arg.startswith("-n"):
            count = abs(int(arg[2:]))
        elif arg == "-f" or arg == "-F":
            follow = True
        elif arg.startswith("-") and arg[1:].isdigit():
            count = int(arg[1:])
        elif arg.startswith("-c"):
            pass
        else:
            names.append(arg)
        i += 1
    return count, names, follow


def lines_of(proc: Proc, program: str, names: list[str]) -> list[bytes | None]:
    if not names:
        return [proc.stdin()]
    found: list[bytes | None] = []
    for name in names:
        try:
            found.append(proc.fs.read(proc.path(name)))
        except FsError as exc:
            proc.error(f"{program}: {name}: {exc.message}\n" if proc.image.shell == "busybox"
                       else f"{program}: cannot open '{name}' for reading: {exc.message}\n")
            found.append(None)
    return found


def head(proc: Proc, argv: list[str]) -> int:
    count, names, _ = take_count(argv, 10)
    status = 0
    for data in lines_of(proc, "head", names):
        if data is None:
            status = 1
            continue
        proc.write(b"".join(data.splitlines(keepends=True)[:count]))
    return status


def wc(proc: Proc, argv: list[str]) -> int:
    flags = {c for a in argv[1:] if a.startswith("-") for c in a[1:]}
    names = [a for a in argv[1:] if not a.startswith("-")]
    status = 0
    for name, data in zip(names or [""], lines_of(proc, "wc", names)):
        if data is None:
            status = 1
            continue
        counts = {"l": data.count(b"\n"), "w": len(data.split()), "c": len(data)}
        chosen = [k for k in "lwc" if k in flags] or ["l", "w", "c"]
        if len(chosen) == 1 and not names:
            proc.write(f"{counts[chosen[0]]}\n")
        else:
            width = 7 if proc.image.shell != "busybox" or len(chosen) > 1 else 0
            cells = " ".join(f"{counts[k]:>{width}}" for k in chosen)
            proc.write(f"{cells}{' ' + name if name else ''}\n")
    return status


def _bre_to_python(pattern: str, extended: bool) -> str:
    if extended:
        return pattern
    out, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "(){}|+?":
            out += pattern[i + 1]
            i += 2
            continue
        if c in "(){}|+?":
            out += "\\" + c
        else:
            out += c
        i += 1
    return out


def grep(proc: Proc, argv: list[str]) -> int:
    flags: set[str] = set()
    patterns: list[str] = []
    names: list[str] = []
    context = {"A": 0, "B": 0}
    args = argv[1:]
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-e" and i + 1 < len(args):
            patterns.append(args[i + 1])
            i += 2
            continue
        if arg in {"-A", "-B", "-C"} and i + 1 < len(args):
            for key in ("AB" if arg == "-C" else arg[1]):
                context[key] = int(args[i + 1])
            i += 2
            continue
        if arg.startswith("-") and len(arg) > 1 and not (patterns and names):
            flags.update(arg[1:])
        elif not patterns:
            patterns.append(arg)
        else:
            names.append(arg)
        i += 1
    if not patterns:
        proc.error("Usage: grep [OPTIONS] PATTERN [FILE]...\n")
        return 2
    options = re.IGNORECASE if "i" in flags else 0
    compiled = []
    for pattern in patterns:
        source = re.escape(pattern) if "F" in flags else _bre_to_python(pattern, "E" in flags)
        if "w" in flags:
            source = rf"\b(?:{source})\b"
        compiled.append(re.compile(source, options))
    matched_any = False
    status = 0
    for name, data in zip(names or ["(standard input)"], lines_of(proc, "grep", names)):
        if data is None:
            status = 2
            continue
        lines = data.decode("utf-8", "replace").splitlines()
        hits = [idx for idx, line in enumerate(lines)
                if any(c.search(line) for c in compiled) != ("v" in flags)]
        matched_any = matched_any or bool(hits)
        if "q" in flags:
            continue
        prefix = f"{name}:" if len(names) > 1 else ""
        if "c" in flags:
            proc.write(f"{prefix}{len(hits)}\n")
            continue
        if "l" in flags:
            if hits:
                proc.write(f"{name}\n")
            continue
        shown: list[int] = []
        for idx in hits:
            for j in range(max(0, idx - context["B"]), min(len(lines), idx + context["A"] + 1)):
                if j not in shown:
                    if shown and j > shown[-1] + 1 and (context["A"] or context["B"]):
                        shown.append(-1)
                    shown.append(j)
        for j in shown:
            if j == -1:
                proc.write("--\n")
                continue
            line = lines[j]
            if "o" in flags:
                for c in compiled:
                    for m in c.finditer(line):
                        proc.write(prefix + m.group(0) + "\n")
                continue
            number = f"{j + 1}:" if "n" in flags else ""
            proc.write(f"{prefix}{number}{line}\n")
    if status:
        return status
    return 0 if matched_any else 1


def sort(proc: Proc, argv: list[str]) -> int:
    flags = {c for a in argv[1:] if a.startswith("-") for c in a[1:]}
    names = [a for a in argv[1:] if not a.startswith("-")]
    lines: list[str] = []
    for data in lines_of(proc, "sort", names):
        if data is not None:
            lines += data.decode("utf-8", "replace").splitlines()
    key = (lambda s: float(re.match(r"\s*-?\d*\.?\d*", s).group(0) or 0)) if "n" in flags else None
    lines.sort(key=key, reverse="r" in flags)
    if "u" in flags:
        lines = list(dict.fromkeys(lines))
    proc.write("".join(line + "\n" for line in lines))
    return 0


def uniq(proc: Proc, argv: list[str]) -> int:
    flags = {c for a in argv[1:] if a.startswith("-") for c in a[1:]}
    data = proc.stdin().decode("utf-8", "replace").splitlines()
    groups: list[list[str]] = []
    for line in data:
        if groups and groups[-1][0] == line:
            groups[-1].append(line)
        else:
            groups.append([line])
    for group in groups:
        proc.write(f"{len(group):>7} {group[0]}\n" if "c" in flags else group[0] + "\n")
    return 0


def tr(proc: Proc, argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("-")]
    data = proc.stdin().decode("utf-8", "replace")

    def expand(spec: str) -> str:
        spec = spec.replace("[:lower:]", "a-z").replace("[:upper:]", "A-Z").replace("\\n", "\n")
        out, i = "", 0
        while i < len(spec):
            if i + 2 < len(spec) and spec[i + 1] == "-":
                out += "".join(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
                i += 3
            else:
                out += spec[i]
                i += 1
        return out

    if "-d" in argv and args:
        proc.write("".join(ch for ch in data if ch not in expand(args[0])))
        return 0
    if len(args) >= 2:
        src, dst = expand(args[0]), expand(args[1])
        dst = dst + dst[-1:] * (len(src) - len(dst))
        proc.write(data.translate(str.maketrans(src, dst[:len(src)])))
        return 0
    proc.write(data)
    return 0


def cut(proc: Proc, argv: list[str]) -> int:
    delim, fields, names = "\t", "", []
    args = argv[1:]
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("-d"):
            delim = arg[2:] or args[i + 1]
            i += 1 if arg[2:] else 2
            continue
        if arg.startswith("-f"):
            fields = arg[2:] or args[i + 1]
            i += 1 if arg[2:] else 2
            continue
        names.append(arg)
        i += 1
    wanted: list[int] = []
    for part in fields.split(","):
        if "-" in part:
            low, high = part.split("-")
            wanted += list(range(int(low or 1), int(high or 100) + 1))
        elif part:
            wanted.append(int(part))
    for data in lines_of(proc, "cut", names):
        if data is None:
            return 1
        for line in data.decode("utf-8", "replace").splitlines():
            parts = line.split(delim)
            if len(parts) == 1:
                proc.write(line + "\n")
                continue
            proc.write(delim.join(parts[w - 1] for w in wanted if w <= len(parts)) + "\n")
    return 0


def base64(proc: Proc, argv: list[str]) -> int:
    names = [a for a in argv[1:] if not a.startswith("-")]
    decode = "-d" in argv or "--decode" in argv
    for data in lines_of(proc, "base64", names):
        if data is None:
            return 1
        if decode:
            try:
                proc.write(b64.b64decode(b"".join(data.split())))
            except (binascii.Error, ValueError):
                proc.error("base64: invalid input\n")
                return 1
        else:
            encoded = b64.b64encode(data).decode()
            proc.write("".join(encoded[i:i + 76] + "\n" for i in range(0, len(encoded), 76)))
    return 0


def sed(proc: Proc, argv: list[str]) -> int:
    scripts = [a for a in argv[1:] if not a.startswith("-")]
    if not scripts:
        proc.error("sed: no script specified\n" if proc.image.shell == "busybox"
                   else "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n")
        return 1
    script, names = scripts[0], scripts[1:]
    match = re.fullmatch(r"s(.)(.*?)\1(.*?)\1(g?)", script)
    if not match:
        proc.error(f"sed: -e expression #1, char {len(script)}: unknown command: `{script[:1]}'\n")
        return 1
    pattern = re.compile(_bre_to_python(match.group(2), "-E" in argv or "-r" in argv))
    replacement = re.sub(r"\\(\d)", r"\\\1", match.group(3)).replace("&", r"\g<0>")
    in_place = any(re.fullmatch(r"-[a-zA-Z]*i[^\s]*", a) or a.startswith("--in-place")
                   for a in argv[1:])
    if in_place and not names:
        proc.error("sed: no input files\n")
        return 1 if proc.image.shell == "busybox" else 4
    for name, data in zip(names or [None], lines_of(proc, "sed", names)):
        if data is None:
            return 2
        edited = "".join(pattern.sub(replacement, line, count=0 if match.group(4) else 1)
                         for line in data.decode("utf-8", "replace").splitlines(keepends=True))
        if in_place:
            # -i: the file itself is rewritten, nothing is printed
            proc.fs.write(proc.path(name), edited.encode(), proc.now().timestamp())
        else:
            proc.write(edited)
    return 0


PROGRAMS = {
    "head": head, "wc": wc, "grep": grep, "sort": sort, "uniq": uniq, "tr": tr, "cut": cut,
    "base64": base64, "sed": sed,
}
