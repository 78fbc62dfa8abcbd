"""A container's files: an in-memory tree, because commands in a pod must see the
changes other commands made (``cp /etc/hostname …/index.html`` changes what nginx serves)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field


class FsError(Exception):
    """An errno-like failure: ``message`` is the strerror text (``No such file or directory``)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


NOENT = "No such file or directory"
ISDIR = "Is a directory"
NOTDIR = "Not a directory"
EXIST = "File exists"
ROFS = "Read-only file system"
NOTEMPTY = "Directory not empty"


@dataclass
class File:
    data: bytes
    mtime: float
    mode: int = 0o644


@dataclass
class FileSystem:
    files: dict[str, File] = field(default_factory=dict)
    dirs: dict[str, float] = field(default_factory=lambda: {"/": 0.0})
    read_only: set[str] = field(default_factory=set)
    generation: int = 0

    @staticmethod
    def norm(path: str, cwd: str = "/") -> str:
        return posixpath.normpath(posixpath.join(cwd, path)).replace("//", "/")

    def _check_writable(self, path: str) -> None:
        for top in self.read_only:
            if path == top or path.startswith(top.rstrip("/") + "/"):
                raise FsError(ROFS)

    def _ensure_parent(self, path: str) -> None:
        parent = posixpath.dirname(path)
        if parent in self.files:
            raise FsError(NOTDIR)
        if parent not in self.dirs:
            raise FsError(NOENT)

    def exists(self, path: str) -> bool:
        return path in self.files or path in self.dirs

    def is_dir(self, path: str) -> bool:
        return path in self.dirs

    def read(self, path: str) -> bytes:
        if path in self.dirs:
            raise FsError(ISDIR)
        found = self.files.get(path)
        if found is None:
            raise FsError(NOENT)
        return found.data

    def stat(self, path: str) -> File | None:
        return self.files.get(path)

    def write(self, path: str, data: bytes, now: float, append: bool = False,
              force: bool = False) -> None:
        if path in self.dirs:
            raise FsError(ISDIR)
        if not force:
            self._check_writable(path)
        self._make_parents(posixpath.dirname(path), now) if force else self._ensure_parent(path)
        old = self.files.get(path)
        if append and old is not None:
            data = old.data + data
        self.files[path] = File(data, now, old.mode if old else 0o644)
        self.generation += 1

    def _make_parents(self, path: str, now: float) -> None:
        parts = [p for p in path.split("/") if p]
        current = ""
        for part in parts:
            current += "/" + part
            if current in self.files:
                raise FsError(NOTDIR)
            self.dirs.setdefault(current, now)

    def mkdir(self, path: str, now: float, parents: bool = False) -> None:
        self._check_writable(path)
        if parents:
            self._make_parents(path, now)
            return
        if self.exists(path):
            raise FsError(EXIST)
        self._ensure_parent(path)
        self.dirs[path] = now
        self.generation += 1

    def remove(self, path: str, recursive: bool = False) -> None:
        self._check_writable(path)
        if path in self.files:
            del self.files[path]
        elif path in self.dirs:
            children = self.listdir(path)
            if children and not recursive:
                raise FsError(NOTEMPTY if recursive is None else ISDIR)
            prefix = path.rstrip("/") + "/"
            for name in [f for f in self.files if f.startswith(prefix)]:
                del self.files[name]
            for name in [d for d in self.dirs if d.startswith(prefix) or d == path]:
                del self.dirs[name]
        else:
            raise FsError(NOENT)
        self.generation += 1

    def listdir(self, path: str) -> list[str]:
        if path in self.files:
            raise FsError(NOTDIR)
        if path not in self.dirs:
            raise FsError(NOENT)
        prefix = path.rstrip("/") + "/"
        names = {
            entry[len(prefix):].split("/", 1)[0]
            for entry in list(self.files) + list(self.dirs)
            if entry.startswith(prefix) and entry != path
        }
        return sorted(names)
