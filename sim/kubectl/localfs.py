"""The caller's files (``-f``, ``--from-file``, ``--cert``): read through the ToolIO when
it offers file access (the caller may see a different filesystem than the cluster), else
directly."""

from __future__ import annotations

import os
from typing import Any


def full_path(io: Any, path: str) -> str:
    return path if os.path.isabs(path) else os.path.join(io.cwd, path)


def read(io: Any, path: str) -> bytes:
    fn = getattr(io, "read_file", None)
    if callable(fn):
        return fn(full_path(io, path))
    with open(full_path(io, path), "rb") as fh:
        return fh.read()


def exists(io: Any, path: str) -> bool:
    fn = getattr(io, "path_exists", None)
    return fn(full_path(io, path)) if callable(fn) else os.path.exists(full_path(io, path))


def is_dir(io: Any, path: str) -> bool:
    fn = getattr(io, "is_dir", None)
    return fn(full_path(io, path)) if callable(fn) else os.path.isdir(full_path(io, path))


def list_dir(io: Any, path: str) -> list[str]:
    fn = getattr(io, "list_dir", None)
    return sorted(fn(full_path(io, path)) if callable(fn) else os.listdir(full_path(io, path)))
