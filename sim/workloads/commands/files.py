"""File programs (coreutils or busybox wording, by image)."""

from __future__ import annotations

import stat
from datetime import datetime, timezone

from sim.workloads.fs import FsError
from sim.workloads.proc import Forever, Proc


def _busybox(proc: Proc) -> bool:
    return proc.image.shell == "busybox"


def _flags(argv: list[str]) -> tuple[set[str], list[str]]:
    flags, names = set(), []
    for arg in argv[1:]:
        if arg.startswith("-") and len(arg) > 1 and not names:
            flags.update(arg[1:])
        else:
            names.append(arg)
    return flags, names


def cat(proc: Proc, argv: list[str]) -> int:
    _, names = _flags(argv)
    if not names:
        proc.write(proc.stdin())
        return 0
    status = 0
    for name in names:
        if name == "-":
            proc.write(proc.stdin())
            continue
        try:
            proc.write(proc.fs.read(proc.path(name)))
        except FsError as exc:
            proc.error(f"cat: can't open '{name}': {exc.message}\n" if _busybox(proc)
                       else f"cat: {name}: {exc.message}\n")
            status = 1
    return status


def cp(proc: Proc, argv: list[str]) -> int:
    flags, names = _flags(argv)
    if len(names) < 2:
        proc.error("cp: missing file operand\n")
        return 1
    *sources, dest = names
    dest_path = proc.path(dest)
    status = 0
    for source in sources:
        src_path = proc.path(source)
        target = dest_path
        if proc.fs.is_dir(dest_path):
            target = dest_path.rstrip("/") + "/" + src_path.rsplit("/", 1)[-1]
        try:
            if proc.fs.is_dir(src_path):
                if not flags & {"r", "R", "a"}:
                    proc.error(f"cp: omitting directory '{source}'\n" if not _busybox(proc)
                               else f"cp: omitting directory '{source}'\n")
                    status = 1
                    continue
                prefix = src_path.rstrip("/") + "/"
                proc.fs.mkdir(target, proc.now().timestamp(), parents=True)
                for path in [p for p in proc.fs.all_files() if p.startswith(prefix)]:
                    _copy_file(proc, path, target + "/" + path[len(prefix):])
                continue
            data = proc.fs.read(src_path)
        except FsError as exc:
            proc.error(f"cp: can't stat '{source}': {exc.message}\n" if _busybox(proc)
                       else f"cp: cannot stat '{source}': {exc.message}\n")
            status = 1
            continue
        try:
            proc.fs.write(target, data, proc.now().timestamp())
        except FsError as exc:
            proc.error(f"cp: can't create '{dest}': {exc.message}\n" if _busybox(proc)
                       else f"cp: cannot create regular file '{dest}': {exc.message}\n")
            status = 1
    return status


def _copy_file(proc: Proc, source: str, target: str) -> None:
    parent = target.rsplit("/", 1)[0] or "/"
    proc.fs.mkdir(parent, proc.now().timestamp(), parents=True)
    proc.fs.write(target, proc.fs.read(source), proc.now().timestamp())


def mv(proc: Proc, argv: list[str]) -> int:
    status = cp(proc, [argv[0], "-r"] + _flags(argv)[1])
    if status == 0:
        for source in _flags(argv)[1][:-1]:
            proc.fs.remove(proc.path(source), recursive=True)
    return status


def rm(proc: Proc, argv: list[str]) -> int:
    flags, names = _flags(argv)
    status = 0
    for name in names:
        path = proc.path(name)
        try:
            if proc.fs.is_dir(path) and not flags & {"r", "R"}:
                proc.error(f"rm: '{name}' is a directory\n" if _busybox(proc)
                           else f"rm: cannot remove '{name}': Is a directory\n")
                status = 1
                continue
            proc.fs.remove(path, recursive=True)
        except FsError as exc:
            if "f" in flags and exc.message.startswith("No such"):
                continue
            proc.error(f"rm: can't remove '{name}': {exc.message}\n" if _busybox(proc)
                       else f"rm: cannot remove '{name}': {exc.message}\n")
            status = 1
    return status


def mkdir(proc: Proc, argv: list[str]) -> int:
    flags, names = _flags(argv)
    status = 0
    for name in names:
        try:
            proc.fs.mkdir(proc.path(name), proc.now().timestamp(), parents="p" in flags)
        except FsError as exc:
            proc.error(f"mkdir: can't create directory '{name}': {exc.message}\n" if _busybox(proc)
                       else f"mkdir: cannot create directory '{name}': {exc.message}\n")
            status = 1
    return status


def rmdir(proc: Proc, argv: list[str]) -> int:
    _, names = _flags(argv)
    status = 0
    for name in names:
        try:
            proc.fs.remove(proc.path(name), recursive=None)  # type: ignore[arg-type]
        except FsError as exc:
            proc.error(f"rmdir: '{name}': {exc.message}\n" if _busybox(proc)
                       else f"rmdir: failed to remove '{name}': {exc.message}\n")
            status = 1
    return status


def touch(proc: Proc, argv: list[str]) -> int:
    _, names = _flags(argv)
    status = 0
    for name in names:
        path = proc.path(name)
        try:
            proc.fs.write(path, b"", proc.now().timestamp(), append=True)
        except FsError as exc:
            proc.error(f"touch: {name}: {exc.message}\n" if _busybox(proc)
                       else f"touch: cannot touch '{name}': {exc.message}\n")
            status = 1
    return status


def _long(proc: Proc, path: str, name: str) -> str:
    fs = proc.fs
    if fs.is_dir(path):
        mode, size, mtime, links = "drwxr-xr-x", 4096, fs.dir_mtime(path), 2
    else:
        found = fs.stat(path)
        mode, size, mtime, links = stat.filemode(0o100000 | found.mode), len(found.data), found.mtime, 1
    moment = datetime.fromtimestamp(mtime, tz=timezone.utc)
    when = moment.strftime("%b %e %H:%M") if (proc.now() - moment).days < 180 else moment.strftime("%b %e  %Y")
    return f"{mode} {links:>2} root root {size:>8} {when} {name}"


def ls(proc: Proc, argv: list[str]) -> int:
    flags, names = _flags(argv)
    names = names or ["."]
    status = 0
    show_all = bool(flags & {"a", "A"})
    several = len(names) > 1
    blocks = []
    for index, name in enumerate(names):
        path = proc.path(name)
        if not proc.fs.exists(path):
            proc.error(f"ls: {name}: No such file or directory\n" if _busybox(proc)
                       else f"ls: cannot access '{name}': No such file or directory\n")
            status = 1 if _busybox(proc) else 2
            continue
        if not proc.fs.is_dir(path) or "d" in flags:
            entries = [(name, path)]
        else:
            entries = [(n, path.rstrip("/") + "/" + n) for n in proc.fs.listdir(path)
                       if show_all or not n.startswith(".")]
            if "a" in flags:
                entries = [(".", path), ("..", path)] + entries
        if "l" in flags:
            lines = [_long(proc, p, n) for n, p in entries]
            text = (f"total {len(entries) * 4}\n" if proc.fs.is_dir(path) and "d" not in flags else "") \
                + "".join(line + "\n" for line in lines)
        elif proc.stdout_tty and "1" not in flags:
            text = ("  ".join(n for n, _ in entries) + "\n") if entries else ""
        else:
            text = "".join(n + "\n" for n, _ in entries)
        if several and proc.fs.is_dir(path):
            text = f"{name}:\n" + text
        blocks.append(text)
    proc.write("\n".join(blocks))
    return status


def tee(proc: Proc, argv: list[str]) -> int:
    flags, names = _flags(argv)
    data = proc.stdin()
    status = 0
    for name in names:
        try:
            proc.fs.write(proc.path(name), data, proc.now().timestamp(), append="a" in flags)
        except FsError as exc:
            proc.error(f"tee: {name}: {exc.message}\n")
            status = 1
    proc.write(data)
    return status


def tail(proc: Proc, argv: list[str]) -> int:
    from sim.workloads.commands.text import lines_of, take_count

    count, names, follow = take_count(argv, 10)
    if follow and (proc.main or not names):
        raise Forever()
    for data in lines_of(proc, "tail", names):
        if data is None:
            return 1
        lines = data.splitlines(keepends=True)
        proc.write(b"".join(lines[-count:] if count else []))
    return 0


PROGRAMS = {
    "cat": cat, "cp": cp, "mv": mv, "rm": rm, "mkdir": mkdir, "rmdir": rmdir, "touch": touch,
    "ls": ls, "tee": tee, "tail": tail,
}
