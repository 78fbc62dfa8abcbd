"""A container's files: an in-memory tree, because commands in a pod must see the
changes other commands made (``cp /etc/hostname …/index.html`` changes what nginx serves).

As overlayfs lays out a container's root: the image's files are one read-only ``Layer``
that every container of the image shares (its *lower* layer), and each container's own
writes, removals included, are kept in its own small upper part (copy on write): a file
written shadows the image's, a file removed hides it (a *whiteout*)."""

from __future__ import annotations

import bisect
import posixpath
import sys
from dataclasses import dataclass
from typing import Any, Iterable


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
BUSY = "Device or resource busy"


@dataclass(frozen=True, slots=True)
class File:
    """One file's contents; a write replaces the File (they are shared, never changed)."""

    data: bytes
    mtime: float
    mode: int = 0o644


_NOTHING: frozenset[str] = frozenset()
_FILES: dict[tuple[bytes, float, int], File] = {}


def _file(data: bytes, mtime: float, mode: int) -> File:
    """A File for these contents, time and mode: one object for all the file systems that
    write the same small file at the same moment (what the kubelet writes into each
    container of a Deployment started together: resolv.conf, the service account's CA)."""
    if type(data) is not bytes:
        data = bytes(data)
    if len(data) > 4096:
        return File(data, mtime, mode)
    key = (data, mtime, mode)
    found = _FILES.get(key)
    if found is None:
        if len(_FILES) >= 4096:
            _FILES.clear()
        found = _FILES[key] = File(data, mtime, mode)
    return found
_READ_ONLY_SETS: dict[frozenset[str], frozenset[str]] = {}


def _shared_set(paths: frozenset[str]) -> frozenset[str]:
    """One frozenset object for each set of read-only paths (containers of one pod
    template mount the same ones)."""
    if len(_READ_ONLY_SETS) > 4096:
        return paths
    return _READ_ONLY_SETS.setdefault(paths, paths)


class Layer:
    """Files and folders frozen into a read-only layer that many file systems share
    beneath their own writes (an image's files)."""

    __slots__ = ("entries", "children", "files")

    def __init__(self, entries: dict[str, Any]):
        self.entries: dict[str, Any] = dict(entries)
        children: dict[str, list[str]] = {}
        for path in self.entries:
            if path != "/":
                parent, name = path.rsplit("/", 1)
                children.setdefault(parent or "/", []).append(name)
        self.children = {k: tuple(sorted(v)) for k, v in children.items()}
        # every file's path, sorted: the files under a folder are one slice of it
        self.files = tuple(sorted(p for p, e in self.entries.items() if isinstance(e, File)))

    def files_under(self, prefix: str) -> tuple[str, ...]:
        return self.files[bisect.bisect_left(self.files, prefix):
                          bisect.bisect_left(self.files, prefix + "\U0010ffff")]

    @classmethod
    def of(cls, fs: "FileSystem") -> "Layer":
        """What ``fs`` holds now (its mounts left out), frozen."""
        return cls({path: entry for path, entry in fs._entries()})


class FileSystem:
    """One container's files. ``lower``: the shared read-only layer beneath (None: all
    the files are the file system's own). ``mounts`` are file systems of their own seen
    at a path (a pod's emptyDir volume: the same one in every container that mounts it)."""

    __slots__ = ("entries", "lower", "hidden", "read_only", "changes", "mounts", "_notes")

    def __init__(self, lower: Layer | None = None):
        self.lower = lower
        # the file system's own entries: path -> File, or a folder's mtime
        self.entries: dict[str, Any] = {} if lower is not None else {"/": 0.0}
        self.hidden: set[str] | None = None        # the lower layer's paths removed here
        self.read_only: frozenset[str] = _NOTHING
        self.changes = 0
        self.mounts: dict[str, tuple[FileSystem, str]] | None = None
        self._notes: tuple | None = None

    # -- what programs keep about these files (nginx's parsed configuration, the
    # kubelet's last sync of each Secret or ConfigMap volume mounted here): a flat tuple
    # (key, value, key, value …), a few small entries per container

    def note(self, key: str, default: Any = None) -> Any:
        notes = self._notes or ()
        for index in range(0, len(notes), 2):
            if notes[index] == key:
                return notes[index + 1]
        return default

    def keep(self, key: str, value: Any) -> None:
        notes = self._notes or ()
        for index in range(0, len(notes), 2):
            if notes[index] == key:
                self._notes = notes[:index + 1] + (value,) + notes[index + 2:]
                return
        self._notes = notes + (key, value)

    @property
    def generation(self) -> int:
        """Counts every change, those inside mounts included."""
        if not self.mounts:
            return self.changes
        return self.changes + sum(m.generation for m, _ in self.mounts.values())

    @staticmethod
    def norm(path: str, cwd: str = "/") -> str:
        return posixpath.normpath(posixpath.join(cwd, path)).replace("//", "/")

    # -- the layers --------------------------------------------------------------

    def _get(self, path: str) -> Any:
        """The entry at ``path`` in this file system (mounts not followed): its own, else
        the lower layer's unless removed here."""
        found = self.entries.get(path)
        if found is None and self.lower is not None and (self.hidden is None or path not in self.hidden):
            found = self.lower.entries.get(path)
        return found

    def _entries(self) -> Iterable[tuple[str, Any]]:
        """Every entry of this file system (mounts not followed)."""
        yield from self.entries.items()
        if self.lower is not None:
            hidden = self.hidden or _NOTHING
            for path, entry in self.lower.entries.items():
                if path not in self.entries and path not in hidden:
                    yield path, entry

    def _hide(self, path: str) -> None:
        if self.lower is not None and path in self.lower.entries:
            if self.hidden is None:
                self.hidden = set()
            self.hidden.add(path)

    def _set(self, path: str, entry: Any) -> None:
        self.entries[sys.intern(path)] = entry

    # -- mounts and read-only paths -------------------------------------------------

    def mount(self, path: str, other: "FileSystem", now: float, base: str = "/") -> None:
        """Show ``other``'s folder ``base`` at ``path`` (what was there is hidden)."""
        found = self._get(path)
        if isinstance(found, File) or found is not None and path != "/":
            self.remove(path, recursive=True)
        self._make_parents(path, now)
        if self.mounts is None:
            self.mounts = {}
        self.mounts[sys.intern(path)] = (other, base)
        self.changes += 1

    def protect(self, path: str) -> None:
        """``path`` and what lies beneath become read-only (a read-only mount)."""
        if path not in self.read_only:
            self.read_only = _shared_set(self.read_only | {path})

    def unprotect(self, path: str) -> None:
        if path in self.read_only:
            self.read_only = _shared_set(self.read_only - {path})

    def _route(self, path: str) -> tuple["FileSystem", str]:
        if not self.mounts:
            return self, path
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
        parent = self._get(posixpath.dirname(path))
        if isinstance(parent, File):
            raise FsError(NOTDIR)
        if parent is None:
            raise FsError(NOENT)

    # -- reads -----------------------------------------------------------------------

    def exists(self, path: str) -> bool:
        fs, inner = self._route(path)
        if fs is not self:
            return fs.exists(inner)
        return self._get(path) is not None

    def is_dir(self, path: str) -> bool:
        fs, inner = self._route(path)
        if fs is not self:
            return fs.is_dir(inner)
        found = self._get(path)
        return found is not None and not isinstance(found, File)

    def dir_mtime(self, path: str) -> float:
        fs, inner = self._route(path)
        if fs is not self:
            return fs.dir_mtime(inner)
        found = self._get(path)
        if found is None or isinstance(found, File):
            raise KeyError(path)
        return found

    def read(self, path: str) -> bytes:
        fs, inner = self._route(path)
        if fs is not self:
            return fs.read(inner)
        found = self._get(path)
        if found is None:
            raise FsError(NOENT)
        if not isinstance(found, File):
            raise FsError(ISDIR)
        return found.data

    def stat(self, path: str) -> File | None:
        fs, inner = self._route(path)
        if fs is not self:
            return fs.stat(inner)
        found = self._get(path)
        return found if isinstance(found, File) else None

    def all_files(self, under: str = "") -> list[str]:
        """Every file's path, those inside mounts included (with ``under``: those whose
        path starts with it)."""
        if under and not self.mounts:
            found = [path for path, entry in self.entries.items()
                     if path.startswith(under) and isinstance(entry, File)]
            if self.lower is not None:
                hidden = self.hidden or _NOTHING
                found += [path for path in self.lower.files_under(under)
                          if path not in self.entries and path not in hidden]
            return sorted(found)
        if under:
            return [path for path in self.all_files() if path.startswith(under)]
        found = [path for path, entry in self._entries() if isinstance(entry, File)]
        for point, (other, base) in (self.mounts or {}).items():
            prefix = base.rstrip("/") + "/"
            found += [point.rstrip("/") + "/" + name[len(prefix):] for name in other.all_files()
                      if name.startswith(prefix)]
        return sorted(found)

    def listdir(self, path: str) -> list[str]:
        fs, inner = self._route(path)
        if fs is not self:
            return fs.listdir(inner)
        found = self._get(path)
        if isinstance(found, File):
            raise FsError(NOTDIR)
        if found is None:
            raise FsError(NOENT)
        prefix = path.rstrip("/") + "/"
        names = {
            entry[len(prefix):].split("/", 1)[0]
            for entry in list(self.entries) + list(self.mounts or ())
            if entry.startswith(prefix) and entry != path
        }
        if self.lower is not None:
            hidden = self.hidden or _NOTHING
            names.update(name for name in self.lower.children.get(path, ())
                         if prefix + name not in hidden)
        return sorted(names)

    # -- writes ----------------------------------------------------------------------

    def write(self, path: str, data: bytes, now: float, append: bool = False,
              force: bool = False, mode: int | None = None) -> None:
        if not force:
            self._check_writable(path)
        fs, inner = self._route(path)
        if fs is not self:
            fs.write(inner, data, now, append, force, mode)
            return
        old = self._get(path)
        if old is not None and not isinstance(old, File):
            raise FsError(ISDIR)
        parent = self._get(posixpath.dirname(path))
        if parent is None or isinstance(parent, File):
            self._make_parents(posixpath.dirname(path), now) if force else self._ensure_parent(path)
        if append and old is not None:
            data = old.data + data
        self._set(path, _file(data, now, mode if mode is not None else (old.mode if old else 0o644)))
        self.changes += 1

    def _make_parents(self, path: str, now: float) -> None:
        parts = [p for p in path.split("/") if p]
        current = ""
        for part in parts:
            current += "/" + part
            found = self._get(current)
            if isinstance(found, File):
                raise FsError(NOTDIR)
            if found is None:
                self._set(current, now)

    def mkdir(self, path: str, now: float, parents: bool = False) -> None:
        self._check_writable(path)
        fs, inner = self._route(path)
        if fs is not self:
            if self.mounts and path in self.mounts and not parents:
                raise FsError(EXIST)
            fs.mkdir(inner, now, parents)
            return
        if parents:
            self._make_parents(path, now)
            return
        if self.exists(path):
            raise FsError(EXIST)
        self._ensure_parent(path)
        self._set(path, now)
        self.changes += 1

    def remove(self, path: str, recursive: bool = False) -> None:
        self._check_writable(path)
        fs, inner = self._route(path)
        if fs is not self:
            if inner == (self.mounts or {}).get(path, (None, None))[1]:
                raise FsError(BUSY)
            fs.remove(inner, recursive)
            return
        found = self._get(path)
        if found is None:
            raise FsError(NOENT)
        if isinstance(found, File):
            self.entries.pop(path, None)
            self._hide(path)
        else:
            children = self.listdir(path)
            if children and not recursive:
                raise FsError(NOTEMPTY if recursive is None else ISDIR)
            prefix = path.rstrip("/") + "/"
            for name in [p for p in self.entries if p == path or p.startswith(prefix)]:
                del self.entries[name]
            if self.lower is not None:
                for name in [p for p in self.lower.entries if p == path or p.startswith(prefix)]:
                    self._hide(name)
        self.changes += 1
