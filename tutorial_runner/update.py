"""``tutorial-runner update``: expected output that no longer holds, rewritten in place.

Only the expected lines of failing steps change; every other byte of the document stays
as it was, line endings and indentation included.  The file is replaced atomically.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tutorial_runner.engine import SessionResult
from tutorial_runner.match import Bindings, rewrite_expected


@dataclass(frozen=True)
class Edit:
    path: Path
    first: int              # 1-based document line of the first expected line
    old: tuple[str, ...]    # the expected lines as the block has them (without indentation)
    new: tuple[str, ...]
    indent_line: int        # a line of the block whose indentation the new lines take
    indent_text: str        # that line's text inside the block


def edits_for(result: SessionResult) -> list[Edit]:
    """The rewrites that would make the failing steps of ``result`` match."""
    edits: list[Edit] = []
    for block_result in result.blocks:
        if block_result.status != "failed":
            continue  # drift is announced, errors have nothing live to write
        block = block_result.block
        options = block.options
        for step in block_result.steps:
            if step.ok or step.note or step.state not in ("prompt", "interactive"):
                continue
            new = rewrite_expected(step.expected, step.live, Bindings.of(step.bindings),
                                   vars=options.vars, unordered=options.unordered,
                                   exact_whitespace=options.exact_whitespace)
            first = step.line + step.command.count("\n") + 1 if step.command else step.line
            if list(new) == list(step.expected):
                continue
            index = step.line - block.body_line
            edits.append(Edit(block.path, first, tuple(step.expected), tuple(new),
                              step.line, block.body[index] if 0 <= index < len(block.body) else ""))
    return edits


def rewrite_text(text: str, edits: list[Edit]) -> tuple[str, int]:
    """``text`` with ``edits`` applied (bottom up); and how many applied."""
    lines = text.split("\n")
    applied = 0
    for edit in sorted(edits, key=lambda e: e.first, reverse=True):
        anchor = lines[edit.indent_line - 1] if 0 < edit.indent_line <= len(lines) else ""
        anchor_plain = anchor[:-1] if anchor.endswith("\r") else anchor
        if not anchor_plain.endswith(edit.indent_text):
            continue
        indent = anchor_plain[: len(anchor_plain) - len(edit.indent_text)]
        eol = "\r" if anchor.endswith("\r") else ""
        start = edit.first - 1
        current = [line[:-1] if line.endswith("\r") else line
                   for line in lines[start:start + len(edit.old)]]
        if [c.strip() for c in current] != [o.strip() for o in edit.old]:
            continue  # the document changed under us: leave it alone
        replacement = [(indent + new if new else "") + eol for new in edit.new]
        lines[start:start + len(edit.old)] = replacement
        applied += 1
    return "\n".join(lines), applied


def apply_edits(path: Path, edits: list[Edit]) -> int:
    """Rewrite ``path`` atomically (a temporary file beside it, its mode kept)."""
    if not edits:
        return 0
    data = path.read_bytes()
    text, applied = rewrite_text(data.decode("utf-8"), edits)
    if not applied:
        return 0
    mode = os.stat(path).st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return applied
