"""The nouns shared by the reader, the session, the matcher's callers and the Sphinx glue."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

DEFAULT_TIMEOUT = 10.0
DEFAULT_SESSION = "default"


@dataclass(frozen=True)
class BlockOptions:
    """The options of a ``transcript`` or ``tutorial-file`` directive (SPEC section 1)."""

    session: str | None = None          # None: the document's default session
    cluster: str | None = None          # profile; only meaningful on a session's first block
    kubectl: str | None = None          # the session's kubectl: a program's path, or "reference"
    vars: tuple[str, ...] = ()          # extra binding tokens, "TOKEN" or "TOKEN=DOCUMENTED"
    unordered: bool = False
    exact_whitespace: bool = False
    timeout: float = DEFAULT_TIMEOUT
    hide: bool = False
    skip: str | None = None             # reason
    expect_drift: str | None = None     # reason
    expect_error: bool = False          # the page expects commands to fail (non-zero exit)


@dataclass(frozen=True)
class Block:
    """One directive found in a document.

    ``line`` is the 1-based line of the directive itself in ``path``; ``body_line`` the
    1-based line of the first body line, so body[i] sits at ``body_line + i``.
    """

    kind: Literal["transcript", "file"]
    path: Path
    line: int
    body: tuple[str, ...]
    body_line: int
    options: BlockOptions = field(default_factory=BlockOptions)
    filename: str | None = None         # tutorial-file only: relative path inside the workdir

    @property
    def session_name(self) -> str:
        return self.options.session or DEFAULT_SESSION

    @property
    def text(self) -> str:
        return "\n".join(self.body)


@dataclass
class Session:
    """The blocks of one document that share a shell, a cluster and a working directory."""

    document: Path
    name: str
    blocks: list[Block] = field(default_factory=list)

    def _first(self, option: str) -> str | None:
        """A session-wide option: the first block that gives it."""
        return next((getattr(b.options, option) for b in self.blocks
                     if getattr(b.options, option)), None)

    @property
    def cluster(self) -> str | None:
        return self._first("cluster")

    @property
    def kubectl(self) -> str | None:
        """The kubectl the session's blocks ask for (``:kubectl:``), if any."""
        return self._first("kubectl")


@dataclass
class Document:
    path: Path
    blocks: list[Block] = field(default_factory=list)

    @property
    def sessions(self) -> list[Session]:
        """Sessions in order of first appearance; blocks keep document order."""
        by_name: dict[str, Session] = {}
        for block in self.blocks:
            session = by_name.setdefault(block.session_name, Session(self.path, block.session_name))
            session.blocks.append(block)
        return list(by_name.values())


class DocumentError(Exception):
    """A document that cannot be read: names the file and the line."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path, self.line, self.message = Path(path), line, message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
