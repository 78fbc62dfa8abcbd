"""A container's files: an in-memory tree, because commands in a pod must see the
changes other commands made (``cp /etc/hostname …/index.html`` changes what nginx serves)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any


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


BUSY = "Device or resource busy"


@dataclass
class FileSystem:
    """One container's files. ``mounts`` are file systems of their own seen at a path (a
    pod's emptyDir volume: the same one in every container that mounts it)."""

    files: dict[str, File] = field(default_factory=dict)
    dirs: dict[str, float] = field(default_factory=lambda: {"/": 0.0})
    read_only: set[str] = field(default_factory=set)
    changes: int = 0
    mounts: dict[str, tuple["FileSystem", str]] = field(default_factory=dict)
    # what programs keep about these files: nginx's parsed configuration, the kubelet's
    # last sync of each Secret or ConfigMap volume mounted here
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def generation(self) -> int:
        """Counts every change, those inside mounts included."""
        return self.changes + sum(m.generation for m, _ in self.mounts.values())

    @staticmethod
    def norm(path: str, cwd: str = "/") -> str:
        return posixpath.normpath(posixpath.join(cwd, path)).replace("//", "/")

    def mount(self, path: str, other: "FileSystem", now: float, base: str = "/") -> None:
        """Show ``other``'s folder ``base`` at ``path`` (what was there is hidden)."""
        if path in self.files or path in self.dirs and path != "/":
            self.remove(path, recursive=True)
        self._make_parents(path, now)
        self.mounts[path] = (other, base)
        self.changes += 1

    def _route(self, path: str) -> tuple["FileSystem", str]:
        for point in sorted(self.mounts, key=len, reverse=True):
            other, base = self.mounts[point]
            if path == point:
                return other, base
            if path.startswith(point.rstrip("/") + "/"):
                return other, base.rstrip("/") + path[len(point.rstrip("/")):]
        return self, path

    def _check_writable(self, path: str) -> None:
        for top in self.read_only:
            if path == top or path.startswith(top.rstrip("/") + "/"):
                raise FsError(ROFS)

    def writable(self, path: str) -> bool:
        """Whether ``path`` is outside every read-only mount."""
        try:
            self._check_writable(path)
        except FsError:
            return False
        return True

    def _ensure_parent(self, path: str) -> None:
        parent = posixpath.dirname(path)
        if parent in self.files:
            raise FsError(NOTDIR)
        if parent not in self.dirs:
            raise FsError(NOENT)

    def exists(self, path: str) -> bool:
        fs, inner = self._route(path)
        if fs is not self:
            return fs.exists(inner)
        return path in self.files or path in self.dirs

    def is_dir(self, path: str) -> bool:
        fs, inner = self._route(path)
        if fs is not self:
            return fs.is_dir(inner)
        return path in self.dirs

    def dir_mtime(self, path: str) -> float:
        fs, inner = self._route(path)
        if fs is not self:
            return fs.dir_mtime(inner)
        return self.dirs[path]

    def read(self, path: str) -> bytes:
        fs, inner = self._route(path)
        if fs is not self:
            return fs.read(inner)
        if path in self.dirs:
            raise FsError(ISDIR)
        found = self.files.get(path)
        if found is None:
            raise FsError(NOENT)
        return found.data

    def stat(self, path: str) -> File | None:
        fs, inner = self._route(path)
        if fs is not self:
            return fs.stat(inner)
        return self.files.get(path)

    def all_files(self) -> list[str]:
        """Every file's path, those inside mounts included."""
        found = list(self.files)
        for point, (other, base) in self.mounts.items():
            prefix = base.rstrip("/") + "/"
            found += [point.rstrip("/") + "/" + name[len(prefix):] for name in other.all_files()
                      if name.startswith(prefix)]
        return sorted(found)

    def write(self, path: str, data: bytes, now: float, append: bool = False,
              force: bool = False, mode: int | None = None) -> None:
        if not force:
            self._check_writable(path)
        fs, inner = self._route(path)
        if fs is not self:
            fs.write(inner, data, now, append, force, mode)
            return
        if path in self.dirs:
            raise FsError(ISDIR)
        self._make_parents(posixpath.dirname(path), now) if force else self._ensure_parent(path)
        old = self.files.get(path)
        if append and old is not None:
            data = old.data + data
        self.files[path] = File(data, now, mode if mode is not None else (old.mode if old else 0o644))
        self.changes += 1

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
        fs, inner = self._route(path)
        if fs is not self:
            if path in self.mounts and not parents:
                raise FsError(EXIST)
            fs.mkdir(inner, now, parents)
            return
        if parents:
            self._make_parents(path, now)
            return
        if self.exists(path):
            raise FsError(EXIST)
        self._ensure_parent(path)
        self.dirs[path] = now
        self.changes += 1

    def remove(self, path: str, recursive: bool = False) -> None:
        self._check_writable(path)
        fs, inner = self._route(path)
        if fs is not self:
            if inner == self.mounts.get(path, (None, None))[1]:
                raise FsError(BUSY)
            fs.remove(inner, recursive)
            return
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
        self.changes += 1

    def listdir(self, path: str) -> list[str]:
        fs, inner = self._route(path)
        if fs is not self:
            return fs.listdir(inner)
        if path in self.files:
            raise FsError(NOTDIR)
        if path not in self.dirs:
            raise FsError(NOENT)
        prefix = path.rstrip("/") + "/"
        names = {
            entry[len(prefix):].split("/", 1)[0]
            for entry in list(self.files) + list(self.dirs) + list(self.mounts)
            if entry.startswith(prefix) and entry != path
        }
        return sorted(names)
