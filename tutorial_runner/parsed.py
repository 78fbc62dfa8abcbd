"""Documents already read, kept by content: a repeated check skips docutils and myst-parser.

The key is the document's path and bytes, the runner's version and the source of the
modules that read documents, and the versions of docutils and myst-parser.  The blocks are
stored as JSON, never pickled: a cache directory may come with a repository, and loading
it must not run anything.  A document that cannot be read is never stored.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tutorial_runner import __version__
from tutorial_runner.model import Block, BlockOptions, Document

_FORMAT = 1
_READER_MODULES = ("document", "directives", "model", "transcript", "parsed")
_PARSER_PACKAGES = ("docutils", "myst-parser")


@functools.cache
def reader_fingerprint() -> str:
    """The runner's version, its reading code, and the parsers' versions."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(f"{_FORMAT} {__version__}".encode())
    here = Path(__file__).resolve().parent
    for name in _READER_MODULES:
        try:
            digest.update((here / f"{name}.py").read_bytes())
        except OSError:
            digest.update(name.encode())
    for package in _PARSER_PACKAGES:
        try:
            digest.update(f"{package} {version(package)}".encode())
        except PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()


def _key(path: Path, data: bytes) -> str:
    digest = hashlib.sha256(reader_fingerprint().encode())
    digest.update(os.fsencode(path) + b"\0")
    digest.update(data)
    return digest.hexdigest()


def block_data(block: Block) -> dict[str, Any]:
    options = dataclasses.asdict(block.options)
    options["vars"] = list(options["vars"])
    return {"kind": block.kind, "line": block.line, "body": list(block.body),
            "body_line": block.body_line, "options": options, "filename": block.filename}


def block_from_data(path: Path, data: dict[str, Any]) -> Block:
    options = dict(data["options"])
    options["vars"] = tuple(options["vars"])
    return Block(data["kind"], path, int(data["line"]), tuple(data["body"]),
                 int(data["body_line"]), BlockOptions(**options), data["filename"])


class DocumentCache:
    """Parsed documents under ``directory/documents``."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory) / "documents"

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def read(self, path: Path | str) -> Document:
        """``read_document(path)``, from the cache when the same bytes were read before."""
        from tutorial_runner.document import parse_bytes

        path = Path(path)
        data = _read_bytes(path)
        key = _key(path, data)
        cached = self._load(key, path)
        if cached is not None:
            return cached
        document = parse_bytes(path, data)   # raises DocumentError: nothing stored
        self._store(key, document)
        return document

    def _load(self, key: str, path: Path) -> Document | None:
        try:
            stored = json.loads(self._path(key).read_text(encoding="utf-8"))
            if stored.get("format") != _FORMAT:
                return None
            return Document(path, [block_from_data(path, block) for block in stored["blocks"]])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _store(self, key: str, document: Document) -> None:
        target = self._path(key)
        text = json.dumps({"format": _FORMAT,
                           "blocks": [block_data(block) for block in document.blocks]},
                          ensure_ascii=False)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, target)
        except OSError:
            return  # a cache that cannot be written is only slower


def _read_bytes(path: Path) -> bytes:
    from tutorial_runner.model import DocumentError

    try:
        return path.read_bytes()
    except OSError as error:
        raise DocumentError(path, None, f"cannot read: {error.strerror or error}") from None
